"""A reviewer's commands stay light: no torch, mpi4py, docker or numpy, checked in a fresh process.

`kernelperf --help`, `validate`, `verify` and `leaderboard` run without the harness's libraries
(a reviewer's `pip install .` has none of them), so they must never import them, even where they
happen to be installed, as they are here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kernelperf.cli import build_parser

REPO = Path(__file__).resolve().parents[2]
ROUND = "submissions/2026.1"
SIGNED_BUNDLE = f"{ROUND}/closed/kernelperf-ref/results/cpu-2c-epyc/gemm/gemm"
HEAVY = {"torch", "mpi4py", "docker", "numpy"}
# Runs the CLI as the console script does, then writes its exit code and the top-level names of
# every module it imported to the file named by its first argument.
PROBE = """
import json, sys
from kernelperf.cli import main
try:
    code = main(sys.argv[2:])
except SystemExit as stop:
    code = stop.code
with open(sys.argv[1], "w") as sink:
    json.dump({"code": code, "loaded": sorted({n.partition(".")[0] for n in sys.modules})}, sink)
"""


def imported_by(argv: list[str], tmp_path: Path) -> tuple[int, set[str]]:
    """Exit code of `kernelperf ARGV` and the top-level modules it imported, in a new process."""
    record = tmp_path / "record.json"
    env = os.environ | {
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
        "KERNELPERF_CACHE_DIR": str(tmp_path / "cache"),
    }
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(record), *argv],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert record.exists(), done.stderr
    recorded = json.loads(record.read_text(encoding="utf-8"))
    return recorded["code"], set(recorded["loaded"])


@pytest.mark.parametrize(
    "argv",
    [
        ["--help"],
        ["validate", ROUND],
        ["verify", SIGNED_BUNDLE, "--pubkey", f"{ROUND}/keys/kernelperf-ref.pub"],
        ["leaderboard", ROUND],
    ],
    ids=["help", "validate", "verify", "leaderboard"],
)
def test_reviewer_commands_import_no_harness_library(argv: list[str], tmp_path: Path) -> None:
    code, loaded = imported_by(argv, tmp_path)
    assert code == 0
    assert loaded & HEAVY == set()


def test_help_imports_no_command_module(tmp_path: Path) -> None:
    _, loaded = imported_by(["--help"], tmp_path)
    assert {"harness", "validator", "containers", "schemas"} & loaded == set()


def test_help_lists_what_each_command_registers() -> None:
    """The summaries in cli.COMMANDS are the `help=` each command module registers, in order."""
    assert build_parser(["--help"]).format_help() == build_parser().format_help()


def test_a_command_parses_its_own_flags_alone() -> None:
    args = build_parser(["validate", "x", "--json"]).parse_args(["validate", "x", "--json"])
    assert args.command == "validate" and args.json and args.path == Path("x")
