"""`kernelperf leaderboard` end to end: formats, output files, and clear errors, no tracebacks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kernelperf.cli import main
from tests.validator.leaderboard.rounds import HandRound, write_hand_round


@pytest.fixture(autouse=True)
def _no_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("KERNELPERF_CACHE_DIR", str(tmp_path / "cache"))


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["leaderboard", "--jobs", "1", *args])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def test_default_table_ranks_the_round(
    hand_round: HandRound, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_cli(capsys, str(hand_round.root), "--reference", "cpu-beta")
    assert code == 0
    assert "open · rnn · inference_device · fp32" in out
    assert out.index("cpu-beta") < out.index("cpu-alpha") < out.index("cpu-gamma")
    assert "partial" in out and "rejected" in out and "vs cpu-beta" in out


def test_json_prints_exactly_one_document(
    hand_round: HandRound, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_cli(capsys, str(hand_round.root), "--json")
    assert code == 0
    assert json.loads(out)["boards"][0]["rows"][0]["system_id"] == "cpu-beta"


def test_out_writes_a_file_once(
    hand_round: HandRound, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "board.md"
    assert run_cli(capsys, str(hand_round.root), "--format", "md", "--out", str(target))[0] == 0
    assert target.read_text(encoding="utf-8").startswith("# KernelPerf leaderboard, round 2026.1")
    code, _, err = run_cli(capsys, str(hand_round.root), "--format", "csv", "--out", str(target))
    assert code == 2 and "already exists" in err and "--force" in err
    code, _, _ = run_cli(
        capsys, str(hand_round.root), "--format", "csv", "--out", str(target), "--force"
    )
    assert code == 0 and target.read_text(encoding="utf-8").startswith("division,suite")


def test_html_site_and_compare(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    earlier = write_hand_round(tmp_path / "a", "2025.4")
    later = write_hand_round(tmp_path / "b", "2026.1")
    site = tmp_path / "site"
    args = [str(later.root), "--format", "html", "--out", str(site), "--compare", str(earlier.root)]
    code, _, err = run_cli(capsys, *args)
    assert code == 0 and "index.html" in err
    index = (site / "index.html").read_text(encoding="utf-8")
    assert "change since round 2025.4" in index and ">+0%<" in index


def test_html_needs_an_output_folder(
    hand_round: HandRound, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run_cli(capsys, str(hand_round.root), "--format", "html")
    assert code == 2 and "--out DIR" in err


def test_unknown_reference_names_the_known_systems(
    hand_round: HandRound, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run_cli(capsys, str(hand_round.root), "--reference", "cpu-omega")
    assert code == 2
    assert "cpu-omega" in err and "cpu-alpha" in err


def test_an_empty_folder_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli(capsys, str(tmp_path))
    assert code == 1 and out == ""
    assert "no result bundle found" in err and "fix:" in err


def test_views_filter_problems_and_systems(
    hand_round: HandRound, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_cli(
        capsys, str(hand_round.root), "--view", "problems", "--select", "rnn/inference_device/002"
    )
    assert code == 0 and "rnn/inference_device/002" in out and "rnn/inference_device/000" not in out
    code, _, err = run_cli(capsys, str(hand_round.root), "--select", "cpu-*")
    assert code == 2 and "--view" in err
