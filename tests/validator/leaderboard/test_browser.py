"""The site in a real browser (headless Chromium): the index lists every system, clicking a
column heading reorders rows, and the plots are drawn; on a large round's site, sections come
from data files, problem tables come in pages, and permalinks into them open where they point,
all from file:// with no server. A screenshot goes to the test's tmp dir."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.tools.chromium import INSTALL_HINT, find_chromium, screenshot, self_test
from tests.validator.leaderboard.conftest import board_of
from tests.validator.leaderboard.real_round import make_real_round
from tests.validator.leaderboard.rounds import write_hand_round
from validator.leaderboard import Leaderboard, write_site

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(find_chromium() is None, reason=INSTALL_HINT),
]
SELF_TEST = (Path(__file__).parents[2] / "tools" / "selftest.js").read_text(encoding="utf-8")
REFERENCE_ROUND = Path(__file__).resolve().parents[3] / "submissions" / "2026.1"
ANCHOR_INDEX = re.compile(r'<script type="application/json" id="kp-anchors">(.*?)</script>')


def check_index(board: Leaderboard, site: Path) -> dict[str, Any]:
    """Opens the index, checks what the issue asks for, and returns what the page reported."""
    seen = self_test(site / "index.html", SELF_TEST)
    assert sorted(seen["systems"]) == sorted(s.system_id for s in board.systems)
    check_sorting(seen)
    assert seen["plots"], "no plot on the index"
    check_plots(seen)
    return seen


def check_sorting(seen: dict[str, Any]) -> None:
    """A click on a numeric heading ordered the largest visible table by that column."""
    sort = seen["sort"]
    assert sort is not None, "no column heading reordered any rows"
    assert sort["same_rows"] and sort["aria"] == "ascending"
    keys = [float(k) for k in sort["keys"] if k is not None]
    assert keys == sorted(keys) and keys, f"column {sort['column']!r} is not in ascending order"


def check_plots(seen: dict[str, Any]) -> None:
    for plot in seen["plots"]:
        assert plot["width"] > 200 and plot["height"] > 40 and plot["marks"] > 0
        assert plot["mark_width"] > 0


def test_hand_round_site_in_chromium(tmp_path: Path) -> None:
    board = board_of(write_hand_round(tmp_path).root, reference="cpu-beta")
    site = tmp_path / "site"
    write_site(board, site)
    seen = check_index(board, site)
    assert seen["sort"]["rows"] == 4
    (page,) = site.glob("board-*.html")
    on_board = self_test(page, SELF_TEST)
    assert len(on_board["plots"]) == 2 and all(p["marks"] > 0 for p in on_board["plots"])
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


@pytest.fixture(scope="module")
def real_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Leaderboard, Path]:
    """The site of a round shaped like a real one (tens of submitters, every suite, set and
    precision, and DeepBench's round beside it): built once for this module's tests."""
    folder = tmp_path_factory.mktemp("real")
    leaderboard = board_of(make_real_round(folder / "round"))
    write_site(leaderboard, folder / "site")
    return leaderboard, folder / "site"


def largest_board(leaderboard: Leaderboard) -> str:
    """The page of the board with the most results: the one paged the most."""
    rows = {b.anchor: 0 for b in leaderboard.boards}
    for view in leaderboard.problems:
        rows[view.board] += len(view.results)
    return f"board-{max(rows, key=lambda anchor: rows[anchor])}.html"


def test_real_round_index_in_chromium(real_site: tuple[Leaderboard, Path]) -> None:
    leaderboard, site = real_site
    seen = check_index(leaderboard, site)
    assert seen["first_table_ms"] is not None


def test_real_round_board_pages_its_problems(real_site: tuple[Leaderboard, Path]) -> None:
    _, site = real_site
    page = site / largest_board(real_site[0])
    seen = self_test(page, SELF_TEST)
    assert seen["pager"] and seen["pager"]["pages"] > 1 and seen["pager"]["current"] == "1"
    assert seen["tables"] > 2, "the first page of problem tables was not shown"
    check_sorting(seen)
    assert len(seen["plots"]) == 2
    check_plots(seen)


def test_real_round_permalinks_into_data_files(real_site: tuple[Leaderboard, Path]) -> None:
    leaderboard, site = real_site
    page = site / largest_board(leaderboard)
    (index_text,) = ANCHOR_INDEX.findall(page.read_text(encoding="utf-8"))
    later = json.loads(index_text)
    problem = next(a for a in reversed(later) if a.startswith("p-"))  # on the last page
    seen = self_test(page, SELF_TEST, fragment=problem)
    assert seen["target"] == {"id": problem, "visible": True, "tag": "section"}
    assert seen["pager"]["current"] == later[problem].rsplit("-", 1)[1]
    result = leaderboard.results[-1]
    seen = self_test(site / f"system-{result.system}.html", SELF_TEST, fragment=result.anchor)
    assert seen["target"] == {"id": result.anchor, "visible": True, "tag": "tr"}
