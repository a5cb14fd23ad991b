"""Adding a suite is two folders: the toy `scale` suite is added to a copy of the tree, then run,
validated and ranked through the CLI, with no other file of the copy edited.

The folders are tests/toy_suite/{schemas,harness}/suites/scale, the example that
docs/ADDING_A_SUITE.md walks through. The only other step is regenerating the JSON Schemas
(`python -m schemas.export`), which is how every model change reaches them.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TOY = Path(__file__).resolve().parent / "toy_suite"
PACKAGES = ("schemas", "harness", "validator", "containers", "kernelperf")
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc")

pytestmark = pytest.mark.slow


def _files(root: Path) -> dict[str, bytes]:
    """Every file under the copied packages, by path relative to `root`."""
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for package in PACKAGES
        for path in sorted((root / package).rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }


def _python(tree: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Runs Python on the copied tree only (its own schemas, harness, validator and CLI)."""
    env = os.environ | {"PYTHONPATH": str(tree), "KERNELPERF_CACHE_DIR": "", "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, *args], cwd=tree, env=env, capture_output=True, text=True, timeout=300
    )


def _cli(tree: Path, *args: str) -> subprocess.CompletedProcess[str]:
    code = "import sys; from kernelperf.cli import main; sys.exit(main(sys.argv[1:]))"
    return _python(tree, "-c", code, *args)


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the packages with the toy suite's two folders added and the schemas exported."""
    tree = tmp_path_factory.mktemp("tree")
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tree / package, ignore=IGNORED)
    before = _files(tree)
    shutil.copytree(TOY, tree, ignore=IGNORED, dirs_exist_ok=True)
    exported = _python(tree, "-m", "schemas.export")
    assert exported.returncode == 0, exported.stderr
    after = _files(tree)
    toy_files = {
        path.relative_to(TOY).as_posix()
        for path in TOY.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }
    assert set(after) - set(before) == toy_files
    edited = {path for path in before if before[path] != after[path]}
    assert "schemas/result.schema.json" in edited
    assert all(path.endswith(".schema.json") for path in edited), edited
    return tree


def test_the_exported_schemas_know_the_new_suite(tree: Path) -> None:
    schema = json.loads((tree / "schemas" / "result.schema.json").read_text(encoding="utf-8"))
    assert "scale" in schema["$defs"]["Suite"]["enum"]
    assert "ScaleParams" in schema["$defs"]


def test_the_new_suite_is_listed(tree: Path) -> None:
    listed = _cli(tree, "problems", "--suite", "scale", "--json")
    assert listed.returncode == 0, listed.stderr
    document = json.loads(listed.stdout)
    assert document["counts"]["scale"] == len(document["problems"]) == 2


def test_the_new_suite_runs_validates_and_ranks(tree: Path, tmp_path: Path) -> None:
    out = tmp_path / "results"
    run = _cli(tree, "run", "--suite", "scale", "--profile", "smoke", "--out", str(out))
    assert run.returncode == 0, run.stderr
    result = json.loads((out / "scale" / "result.json").read_text(encoding="utf-8"))
    assert result["suite"] == "scale" and not result["errors"]
    assert [r["problem"]["id"] for r in result["results"]] == ["scale/inference_device/000"]
    assert result["results"][0]["correctness"]["passed"]

    validated = _cli(tree, "validate", str(out / "scale"), "--json")
    assert validated.returncode == 0, validated.stdout + validated.stderr
    report = json.loads(validated.stdout)
    assert report["ok"] and report["counts"]["error"] == 0, report["findings"]
    assert [bundle["status"] for bundle in report["bundles"]] == ["valid"]

    ranked = _cli(tree, "leaderboard", str(out), "--format", "json")
    assert ranked.returncode == 0, ranked.stderr
    boards = json.loads(ranked.stdout)["boards"]
    (board,) = [b for b in boards if b["suite"] == "scale"]
    assert [row["state"] for row in board["rows"]] == ["ranked"]
