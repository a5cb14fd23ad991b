"""`make gpu-check` without a GPU: it parses, lists its steps and says that nothing was measured."""

from __future__ import annotations

from pathlib import Path

from tests.tools import gpu_check


def test_without_a_gpu_the_report_says_so_and_lists_every_step(tmp_path: Path) -> None:
    report = gpu_check.run_check(tmp_path / "gpu-check", dry_run=False, gpu=False)
    text = report.read_text(encoding="utf-8")
    assert report == tmp_path / "gpu-check" / "REPORT.md"
    assert "no GPU" in text
    assert all(step.title in text for step in gpu_check.STEPS)


def test_a_dry_run_measures_nothing_and_writes_no_raw_files(tmp_path: Path) -> None:
    assert gpu_check.main(["--dry-run", "--out", str(tmp_path)]) == 0
    assert [p.name for p in tmp_path.iterdir()] == ["REPORT.md"]
    assert "dry run" in (tmp_path / "REPORT.md").read_text(encoding="utf-8")


def test_the_steps_cover_what_the_issue_asks_for() -> None:
    titles = " ".join(step.title for step in gpu_check.STEPS)
    for part in ("nvidia-smi", "versions", "pytest -m gpu", "8192", "tiny kernel", "16 MB",
                 "RNN and conv", "every dtype", "torchrun", "throttle"):  # fmt: skip
        assert part in titles
