"""`kernelperf container`: bad input gives one error line with a fix, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from kernelperf.cli import main


def _error_lines(capsys: pytest.CaptureFixture[str]) -> tuple[str, str]:
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = err.splitlines()
    error = [line for line in lines if line.startswith("error:")]
    fix = [line.strip() for line in lines if line.strip().startswith("fix:")]
    assert len(error) == 1 and len(fix) == 1, err
    return error[0], fix[0]


@pytest.mark.parametrize("action", [["build", "tpu"], ["run", "tpu", "--", "problems"]])
def test_an_unknown_image_is_a_usage_error(
    action: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["container", *action]) == 2
    error, fix = _error_lines(capsys)
    assert "unknown image 'tpu'" in error and "cpu, cuda" in fix


def test_run_without_a_harness_command_is_a_usage_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["container", "run", "cpu", "--"]) == 2
    error, fix = _error_lines(capsys)
    assert "no harness command" in error and "--out" in fix


@pytest.mark.parametrize(
    "action",
    [["build", "cpu"], ["run", "cpu", "--", "run", "--suite", "gemm", "--out", "OUT"]],
)
def test_a_missing_engine_says_how_to_start_one(
    action: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/no-engine.sock")
    out = tmp_path / "out"
    assert main(["container", *[str(out) if a == "OUT" else a for a in action]]) == 1
    error, fix = _error_lines(capsys)
    assert "no Docker engine answers" in error and "make engine" in fix
    assert not out.exists()  # nothing is written when nothing can run
