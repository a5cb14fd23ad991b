"""Every text format is rendered from the JSON model, and the same round gives the same bytes."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from rich.console import Console

from tests.validator.leaderboard.conftest import board_of
from tests.validator.leaderboard.rounds import write_hand_round
from validator.leaderboard import (
    Leaderboard,
    render_csv,
    render_json,
    render_markdown,
    render_rich,
    site_files,
)
from validator.leaderboard._units import change_text, significant, spread_text, time_text


def every_output(board: Leaderboard) -> dict[str, str]:
    """All formats and views of one leaderboard, by name."""
    outputs = {"json": render_json(board), **site_files(board)}
    for view in ("scores", "problems", "systems"):
        outputs[f"{view}.md"] = render_markdown(board, view)
        outputs[f"{view}.csv"] = render_csv(board, view)
    return outputs


def test_json_is_the_model_and_round_trips(hand_board: Leaderboard) -> None:
    text = render_json(hand_board)
    assert Leaderboard.model_validate_json(text) == hand_board
    document = json.loads(text)
    assert document["boards"][0]["rows"][0]["system_id"] == "cpu-beta"
    assert "samples_ns" not in text  # scores and statistics, not raw samples


def test_markdown_shows_every_row_and_the_method(hand_board: Leaderboard) -> None:
    text = render_markdown(hand_board)
    assert "## open · rnn · inference_device · fp32" in text
    lines = [line for line in text.splitlines() if line.startswith("| ")]
    assert len(lines) == 1 + 4  # header and four systems
    # The audit column beside the score is blank: nobody in the hand round was audited.
    assert "| 1 | cpu-beta | beta | 0.161 |  | 1.00\N{MULTIPLICATION SIGN} | 3/3 |" in text
    assert "| partial | cpu-gamma |" in text and "| 2/3, 1 missing |" in text
    assert "geometric mean" in text


def test_csv_carries_raw_numbers(hand_board: Leaderboard) -> None:
    rows = list(csv.DictReader(io.StringIO(render_csv(hand_board))))
    assert [r["system_id"] for r in rows] == ["cpu-beta", "cpu-alpha", "cpu-gamma", "cpu-delta"]
    beta = rows[0]
    assert float(beta["score"]) == hand_board.boards[0].rows[0].score
    assert (beta["rank"], beta["state"], beta["covered"], beta["problems"]) == (
        "1",
        "ranked",
        "3",
        "3",
    )
    assert (rows[2]["state"], rows[2]["missing"], rows[2]["custom"]) == ("partial", "1", "false")
    assert rows[3]["score"] == "" and "KP-INTEGRITY-HASH" in rows[3]["flags"]
    results = list(csv.DictReader(io.StringIO(render_csv(hand_board, "problems"))))
    assert len(results) == hand_board.counts.results
    assert {r["state"] for r in results} == {"scored", "flagged", "rejected"}


def test_rich_views_name_every_system(hand_board: Leaderboard) -> None:
    console = Console(file=io.StringIO(), width=200, color_system=None, record=True)
    console.print(render_rich(hand_board, "scores"))
    text = console.export_text()
    for name in ("cpu-alpha", "cpu-beta", "cpu-gamma", "cpu-delta", "partial", "rejected"):
        assert name in text
    console.print(render_rich(hand_board, "systems", "cpu-alpha"))
    assert "Results of cpu-alpha" in console.export_text()


def test_same_round_elsewhere_gives_byte_identical_output(tmp_path: Path) -> None:
    first = every_output(board_of(write_hand_round(tmp_path / "one").root, "cpu-beta"))
    second = every_output(board_of(write_hand_round(tmp_path / "two").root, "cpu-beta"))
    assert first.keys() == second.keys()
    assert [name for name in first if first[name] != second[name]] == []


def test_numbers_read_well() -> None:
    assert [significant(v) for v in (0.2, 0.2519842, 1234.6, 0.000349, 3.2e-7)] == [
        "0.200",
        "0.252",
        "1235",
        "0.000349",
        "3.20e-07",
    ]
    assert [time_text(t) for t in (812.0, 3860.0, 24_000_000.0, 1.2e9)] == [
        "812 ns",
        "3.86 µs",
        "24.0 ms",
        "1.20 s",
    ]
    assert change_text(0.1234) == "+12.3%" and change_text(-0.04) == "\N{MINUS SIGN}4.00%"
    assert spread_text(90.0, 110.0, 100.0) == "±10.0%"
