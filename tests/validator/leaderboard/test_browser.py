"""The site in a real browser (headless Chromium): the index lists every system, clicking a
column heading reorders rows, and the plots are drawn; a screenshot goes to the test's tmp dir."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.tools.chromium import INSTALL_HINT, find_chromium, screenshot, self_test
from tests.validator.leaderboard.conftest import board_of
from tests.validator.leaderboard.rounds import write_hand_round
from validator.leaderboard import Leaderboard, write_site

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(find_chromium() is None, reason=INSTALL_HINT),
]
SELF_TEST = (Path(__file__).parents[2] / "tools" / "selftest.js").read_text(encoding="utf-8")
REFERENCE_ROUND = Path(__file__).resolve().parents[3] / "submissions" / "2026.1"


def check_index(board: Leaderboard, site: Path) -> dict[str, Any]:
    """Opens the index, checks what the issue asks for, and returns what the page reported."""
    seen = self_test(site / "index.html", SELF_TEST)
    assert sorted(seen["systems"]) == sorted(s.system_id for s in board.systems)
    sort = seen["sort"]
    assert sort is not None, "no column heading reordered any rows"
    assert sort["same_rows"] and sort["aria"] == "ascending"
    keys = [float(k) for k in sort["keys"] if k is not None]
    assert keys == sorted(keys) and keys, f"column {sort['column']!r} is not in ascending order"
    assert seen["plots"], "no plot on the index"
    for plot in seen["plots"]:
        assert plot["width"] > 200 and plot["height"] > 40 and plot["marks"] > 0
        assert plot["mark_width"] > 0
    return seen


def test_hand_round_site_in_chromium(tmp_path: Path) -> None:
    board = board_of(write_hand_round(tmp_path).root, reference="cpu-beta")
    site = tmp_path / "site"
    write_site(board, site)
    seen = check_index(board, site)
    assert seen["sort"]["rows"] == 4
    suite = self_test(site / "suite-rnn.html", SELF_TEST)
    assert len(suite["plots"]) == 2 and all(p["marks"] > 0 for p in suite["plots"])
    png = screenshot(site / "index.html", tmp_path / "index.png")
    assert png.stat().st_size > 10_000


@pytest.mark.skipif(not REFERENCE_ROUND.is_dir(), reason="no reference round checked in yet")
def test_reference_round_site_in_chromium(tmp_path: Path) -> None:
    board = board_of(REFERENCE_ROUND)
    site = tmp_path / "site"
    write_site(board, site)
    check_index(board, site)
    png = screenshot(site / "index.html", tmp_path / "index.png")
    assert png.stat().st_size > 10_000
