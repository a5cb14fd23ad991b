"""The static site: every page, link and permalink resolves (in sections kept in the page and in
those loaded from data files), plots are valid SVG, nothing is fetched from elsewhere, the
canonical data is beside the pages, and existing output is never replaced unless asked to."""

from __future__ import annotations

import gzip
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from schemas import UsageError
from tests.validator.leaderboard.sites import expanded_pages
from validator.leaderboard import Leaderboard, render_json, site_files, write_file, write_site
from validator.leaderboard._site import lazy

HREF = re.compile(r'href="([^"]*)"')
SRC = re.compile(r' src="([^"]*)"')
IDS = re.compile(r'id="([^"]*)"')
SVG = re.compile(r"<svg .*?</svg>", re.DOTALL)
ANCHOR_INDEX = re.compile(r'<script type="application/json" id="kp-anchors">(.*?)</script>')
BOARD_PAGE = "board-open-rnn-inference-device-fp32.html"


@pytest.fixture(params=["inline", "lazy"])
def pages(
    request: pytest.FixtureRequest, hand_board: Leaderboard, monkeypatch: pytest.MonkeyPatch
) -> dict[str, str]:
    """The hand round's pages, whole: small enough to stay inline, or with every section moved
    to data files and one problem per page (as a large round's site is made)."""
    if request.param == "lazy":
        monkeypatch.setattr(lazy, "INLINE_LIMIT_BYTES", 0)
        monkeypatch.setattr("validator.leaderboard._site.pages.ROWS_PER_PAGE", 1)
    return expanded_pages(site_files(hand_board))


def test_pages_exist_for_the_index_each_board_and_each_system(hand_board: Leaderboard) -> None:
    files = site_files(hand_board)
    assert sorted(files) == [
        "assets/site.js",
        "assets/style.css",
        BOARD_PAGE,
        "index.html",
        "leaderboard.json.gz",
        "system-cpu-alpha.html",
        "system-cpu-beta.html",
        "system-cpu-delta.html",
        "system-cpu-gamma.html",
    ]
    index = files["index.html"]
    assert isinstance(index, str)
    for system in hand_board.systems:
        assert f'href="system-{system.key}.html">{system.system_id}</a>' in index
    assert f'href="{BOARD_PAGE}"' in index


def test_the_canonical_data_is_beside_the_pages(hand_board: Leaderboard) -> None:
    packed = site_files(hand_board)["leaderboard.json.gz"]
    assert isinstance(packed, bytes)
    assert json.loads(gzip.decompress(packed)) == json.loads(render_json(hand_board))


def test_every_internal_link_and_permalink_resolves(
    hand_board: Leaderboard, pages: dict[str, str]
) -> None:
    files = site_files(hand_board)
    ids = {name: set(IDS.findall(text)) for name, text in pages.items()}
    checked = 0
    for name, text in pages.items():
        for href in HREF.findall(text):
            page, _, anchor = href.partition("#")
            target = page or name
            assert target in files, f"{name} links to missing {href}"
            assert not anchor or anchor in ids[target], f"{name} links to missing {href}"
            checked += 1
    assert checked > 50
    for result in hand_board.results:
        assert result.anchor in ids[f"system-{result.system}.html"]
        assert result.problem_view in ids[BOARD_PAGE]


def test_sections_in_data_files_are_found_from_their_permalinks(
    hand_board: Leaderboard, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(lazy, "INLINE_LIMIT_BYTES", 0)
    monkeypatch.setattr("validator.leaderboard._site.pages.ROWS_PER_PAGE", 1)
    files = site_files(hand_board)
    board = files[BOARD_PAGE]
    assert isinstance(board, str)
    assert "<table" in board  # the score table stays in the page; problems are in data files
    assert not any(f'id="{view.anchor}"' in board for view in hand_board.problems)
    (index_text,) = ANCHOR_INDEX.findall(board)
    later = json.loads(index_text)
    pages = expanded_pages(files)
    views = [v.anchor for v in hand_board.problems]
    # The first page of problems is loaded with the page; every later one is indexed.
    assert sorted(later) == sorted(a for v in views[1:] for a in (v, f"t-{v}"))
    for anchor, section in later.items():
        assert f'<a href="#{section}"' in board  # the pager links each page of problems
        assert anchor in IDS.findall(pages[BOARD_PAGE])


def test_plots_are_valid_svg_with_marks(pages: dict[str, str]) -> None:
    plots = {name: SVG.findall(text) for name, text in pages.items()}
    assert len(plots["index.html"]) == 1  # score bars of the one board
    assert len(plots[BOARD_PAGE]) == 2  # throughput per problem, spread
    assert len(plots["system-cpu-alpha.html"]) == 2  # roofline, spread
    for svgs in plots.values():
        for svg in svgs:
            root = ET.fromstring(svg)
            marks = [e for e in root.iter() if e.get("class", "").startswith("mark")]
            assert marks and root.find("{http://www.w3.org/2000/svg}title") is not None


def test_nothing_is_fetched_from_elsewhere(hand_board: Leaderboard, pages: dict[str, str]) -> None:
    files = site_files(hand_board)
    for name, text in pages.items():
        without_namespace = text.replace('xmlns="http://www.w3.org/2000/svg"', "")
        assert "http://" not in without_namespace and "https://" not in without_namespace, name
        # Scripts, stylesheets and data are the site's own files, by relative path.
        for link in (*SRC.findall(text), *re.findall(r'<link [^>]*href="([^"]*)"', text)):
            assert link in files, f"{name} loads {link}, which the site does not hold"
        for section in re.findall(r'data-src="([^"]*)"', files[name]):  # type: ignore[arg-type]
            assert section in files, f"{name} loads {section}, which the site does not hold"


def test_the_site_is_written_whole_and_not_over_existing_output(
    hand_board: Leaderboard, tmp_path: Path
) -> None:
    site = tmp_path / "out" / "site"
    written = write_site(hand_board, site)
    on_disk = {p.relative_to(site).as_posix(): p for p in site.rglob("*") if p.is_file()}
    assert sorted(on_disk) == sorted(written)
    assert all(on_disk[name].read_bytes() == content for name, content in written.items())
    with pytest.raises(UsageError, match="already exists") as caught:
        write_site(hand_board, site)
    assert "--force" in caught.value.fix
    (site / "stale.html").write_text("old", encoding="utf-8")
    write_site(hand_board, site, force=True)
    assert not (site / "stale.html").exists()
    assert [p.name for p in site.parent.iterdir()] == ["site"]  # no staging folder left behind


def test_force_never_replaces_a_folder_that_is_not_a_site(
    hand_board: Leaderboard, tmp_path: Path
) -> None:
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "thesis.tex").write_text("years of work", encoding="utf-8")
    with pytest.raises(UsageError, match="does not hold a leaderboard site"):
        write_site(hand_board, precious, force=True)
    assert (precious / "thesis.tex").read_text(encoding="utf-8") == "years of work"


def test_a_file_is_not_overwritten_without_force(tmp_path: Path) -> None:
    target = tmp_path / "board.md"
    write_file(target, "one")
    with pytest.raises(UsageError, match="already exists"):
        write_file(target, "two")
    write_file(target, "two", force=True)
    assert target.read_text(encoding="utf-8") == "two"


def test_force_replaces_a_site_written_before_the_data_was_compressed(
    hand_board: Leaderboard, tmp_path: Path
) -> None:
    earlier = tmp_path / "site"
    earlier.mkdir()
    (earlier / "leaderboard.json").write_text("{}", encoding="utf-8")
    (earlier / "suite-rnn.html").write_text("old", encoding="utf-8")
    write_site(hand_board, earlier, force=True)
    assert (earlier / "leaderboard.json.gz").is_file()
    assert not (earlier / "suite-rnn.html").exists()
