"""The checked-in historical round: it validates clean, ranks in its own section and style, each
result's permalink names its source, and `--reference` normalises across divisions."""

from __future__ import annotations

import html
from pathlib import Path

import pytest

from tests.validator.leaderboard.sites import expanded_pages
from validator import validate
from validator.leaderboard import build, site_files

REPO = Path(__file__).resolve().parents[3]
HISTORICAL = REPO / "submissions" / "deepbench-2019"


def test_checked_in_round_validates_with_notes_only() -> None:
    report = validate(HISTORICAL, jobs=1, cache_dir=None)
    assert report.bundles and all(b.valid for b in report.bundles)
    assert {f.severity.value for b in report.bundles for f in b.findings} <= {"note"}


def test_historical_boards_their_style_and_provenance() -> None:
    leaderboard = build(validate(HISTORICAL, jobs=1, cache_dir=None))
    assert {b.division.value for b in leaderboard.boards} == {"historical"}
    assert all(e.source and "sha256" in e.source for e in leaderboard.results)
    files = expanded_pages(site_files(leaderboard))
    assert 'class="card historical"' in files["index.html"]
    entry = leaderboard.results[0]
    page = next(text for name, text in files.items() if f'id="{entry.anchor}"' in text)
    assert entry.source is not None and html.escape(entry.source.split(":")[0]) in page


def test_reference_normalises_to_a_processor_of_another_division() -> None:
    from schemas import Division
    from validator.leaderboard._collect import collect
    from validator.leaderboard._scoring import score_boards

    collected = collect(validate(HISTORICAL, jobs=1, cache_dir=None))
    (pi,) = [s for s in collected.systems if s.system_id == "raspberry-pi-3-device"]
    theirs = [e for e in collected.results if e.system == pi.key and e.suite.value == "conv"]
    # A new system in the open division, half as fast on the same problems and precision.
    mine = [
        e.model_copy(
            update={
                "division": Division.OPEN,
                "system": "new-cpu",
                "board": e.board.replace("historical", "open"),
                "anchor": e.anchor.replace(pi.key, "new-cpu"),
                "throughput": e.throughput / 2,
            }
        )
        for e in theirs
    ]
    systems = (pi, pi.model_copy(update={"key": "new-cpu", "system_id": "new-cpu"}))
    boards = score_boards([*theirs, *mine], systems, pi.key)
    (open_board,) = [b for b in boards if b.division is Division.OPEN]
    (row,) = open_board.rows
    assert row.relative == pytest.approx(0.5)
