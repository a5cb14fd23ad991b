"""The static site: every page, link and permalink resolves, plots are valid SVG, nothing is
fetched from the network, and existing output is never replaced unless asked to."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from schemas import UsageError
from validator.leaderboard import Leaderboard, site_files, write_file, write_site

HREF = re.compile(r'href="([^"]*)"')
IDS = re.compile(r'id="([^"]*)"')
SVG = re.compile(r"<svg .*?</svg>", re.DOTALL)


def test_pages_exist_for_the_index_each_suite_and_each_system(hand_board: Leaderboard) -> None:
    files = site_files(hand_board)
    assert sorted(files) == [
        "index.html",
        "leaderboard.json",
        "suite-rnn.html",
        "system-cpu-alpha.html",
        "system-cpu-beta.html",
        "system-cpu-delta.html",
        "system-cpu-gamma.html",
    ]
    index = files["index.html"]
    for system in hand_board.systems:
        assert f'href="system-{system.key}.html">{system.system_id}</a>' in index


def test_every_internal_link_and_permalink_resolves(hand_board: Leaderboard) -> None:
    files = site_files(hand_board)
    ids = {name: set(IDS.findall(text)) for name, text in files.items()}
    checked = 0
    for name, text in files.items():
        for href in HREF.findall(text):
            page, _, anchor = href.partition("#")
            target = page or name
            assert target in files, f"{name} links to missing {href}"
            assert not anchor or anchor in ids[target], f"{name} links to missing {href}"
            checked += 1
    assert checked > 50
    for result in hand_board.results:
        assert result.anchor in ids[f"system-{result.system}.html"]
        assert result.problem_view in ids["suite-rnn.html"]


def test_plots_are_valid_svg_with_marks(hand_board: Leaderboard) -> None:
    files = site_files(hand_board)
    plots = {name: SVG.findall(text) for name, text in files.items() if name.endswith(".html")}
    assert len(plots["index.html"]) == 1  # score bars of the one board
    assert len(plots["suite-rnn.html"]) == 2  # throughput per problem, spread
    assert len(plots["system-cpu-alpha.html"]) == 2  # roofline, spread
    for svgs in plots.values():
        for svg in svgs:
            root = ET.fromstring(svg)
            marks = [e for e in root.iter() if e.get("class", "").startswith("mark")]
            assert marks and root.find("{http://www.w3.org/2000/svg}title") is not None


def test_nothing_is_fetched_from_elsewhere(hand_board: Leaderboard) -> None:
    for name, text in site_files(hand_board).items():
        without_namespace = text.replace('xmlns="http://www.w3.org/2000/svg"', "")
        assert "http://" not in without_namespace and "https://" not in without_namespace, name
        assert " src=" not in text and "<link" not in text, name


def test_the_site_is_written_whole_and_not_over_existing_output(
    hand_board: Leaderboard, tmp_path: Path
) -> None:
    site = tmp_path / "out" / "site"
    written = write_site(hand_board, site)
    assert sorted(p.name for p in site.iterdir()) == sorted(written)
    assert (site / "index.html").read_text(encoding="utf-8") == written["index.html"]
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
