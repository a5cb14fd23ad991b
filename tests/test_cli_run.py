"""`kernelperf run`, `problems` and `system probe` end to end: exit codes, JSON, bundles."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from harness.suites.base import Case, Prepared, RunOptions
from harness.suites.gemm.kernels import GemmSuite
from kernelperf.cli import main
from schemas import RunResult, Suite, SystemDescription


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Runs the CLI in-process; a usage error from argparse counts as exit code 2."""
    try:
        code = main(list(args))
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def test_smoke_run_writes_a_bundle_and_a_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = cli(
        capsys, "run", "--suite", "gemm", "--profile", "smoke", "--seed", "3",
        "--system-id", "box-1", "--submitter", "Org", "--out", str(tmp_path),
    )  # fmt: skip
    assert code == 0
    run = RunResult.model_validate_json((tmp_path / "gemm" / "result.json").read_text())
    assert run.complete and run.seed == 3 and len(run.results) == 3
    system = SystemDescription.model_validate_json((tmp_path / "gemm" / "system.json").read_text())
    assert (system.system_id, system.submitter) == ("box-1", "Org")
    assert "gemm/train/128" in out and "TFLOP/s" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--filter", "gemm/nothing/*"], "nothing to run"),
        (["--device", "cuda"], "CUDA is not available"),
        (["--dtype", "int8", "--set", "train"], "nothing to run"),
        (["--time-budget", "0"], "--time-budget"),
        (["--system-id", "bad id!"], "cannot be a system id"),
    ],
)
def test_bad_input_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    if "cuda" in args and torch.cuda.is_available():
        pytest.skip("CUDA is present here, so --device cuda is valid")
    code, _, err = cli(capsys, "run", "--suite", "gemm", "--profile", "smoke",
                       "--out", str(tmp_path), *args)  # fmt: skip
    assert code == 2
    assert message in err
    assert not (tmp_path / "gemm").exists()


def test_unknown_suite_and_set_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(capsys, "run", "--suite", "nope", "--out", str(tmp_path))[0] == 2
    assert cli(capsys, "run", "--suite", "gemm", "--set", "nope", "--out", str(tmp_path))[0] == 2


def test_out_that_is_a_file_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "file"
    target.write_text("x")
    code, _, err = cli(capsys, "run", "--suite", "gemm", "--profile", "smoke", "--out", str(target))
    assert code == 2 and "is a file" in err


def test_resume_refuses_selection_flags(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = cli(capsys, "run", "--resume", str(tmp_path), "--suite", "gemm")
    assert code == 2 and "--resume takes its settings" in err


def test_resume_of_nothing_is_a_bundle_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = cli(capsys, "run", "--resume", str(tmp_path))
    assert code == 1 and "no bundle to resume" in err


def test_interrupted_run_exits_130_and_resumes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    real_prepare = GemmSuite.prepare

    def ctrl_c_on_the_second(self: GemmSuite, case: Case, options: RunOptions) -> Prepared:
        if case.problem.id == Suite("gemm").spec.smoke_ids[1]:
            raise KeyboardInterrupt
        return real_prepare(self, case, options)

    monkeypatch.setattr(GemmSuite, "prepare", ctrl_c_on_the_second)
    code, _, _ = cli(capsys, "run", "--suite", "gemm", "--profile", "smoke", "--out", str(tmp_path))
    assert code == 130
    partial = RunResult.model_validate_json((tmp_path / "gemm" / "result.json").read_text())
    assert not partial.complete and len(partial.results) == 1

    monkeypatch.setattr(GemmSuite, "prepare", real_prepare)
    code, _, _ = cli(capsys, "run", "--resume", str(tmp_path))
    assert code == 0
    done = RunResult.model_validate_json((tmp_path / "gemm" / "result.json").read_text())
    assert done.complete and len(done.results) == 3
    assert done.results[0] == partial.results[0]


def test_problems_counts_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "problems")
    assert code == 0
    for count in ("248", "217", "125", "32"):
        assert count in out
    code, out, _ = cli(capsys, "problems", "--json")
    document = json.loads(out)
    assert code == 0
    assert {k: document["counts"][k] for k in ("gemm", "conv", "rnn", "sparse_gemm")} == {
        "gemm": 248, "conv": 217, "rnn": 125, "sparse_gemm": 32
    }  # fmt: skip
    first = document["problems"][0]
    assert first["id"] == "gemm/train/000" and first["flops"] == 2 * 1760 * 16 * 1760


def test_problems_of_one_suite_and_set(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "problems", "--suite", "gemm", "--set", "inference_device", "--json")
    ids = [p["id"] for p in json.loads(out)["problems"]]
    assert code == 0 and len(ids) == 13 and all(i.startswith("gemm/inference_device/") for i in ids)


def test_system_probe_json_is_a_system_description(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "system", "probe", "--json", "--system-id", "x1")
    system = SystemDescription.model_validate_json(out)
    assert code == 0 and system.system_id == "x1" and system.submitter == "unsubmitted"
    code, out, _ = cli(capsys, "system", "probe")
    assert code == 0 and "framework" in out


def test_a_closed_pipe_ends_quietly() -> None:
    """`kernelperf problems --json | head -1` must not print a traceback."""
    import subprocess
    import sys

    command = [sys.executable, "-m", "kernelperf.cli", "problems", "--json"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        proc.stdout.readline()
        proc.stdout.close()
        err = proc.stderr.read().decode()
        assert proc.wait(timeout=60) == 0
    assert "Traceback" not in err and "BrokenPipe" not in err
