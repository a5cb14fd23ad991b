"""The static HTML site of a leaderboard: pages, inline SVG plots, and the JSON data beside them.

`site_files(leaderboard)` is pure (same leaderboard, same bytes); `write_site` swaps the folder in
atomically and replaces an earlier site only when asked to.
"""

from __future__ import annotations

from pathlib import Path

from validator.leaderboard._model import Leaderboard
from validator.leaderboard._output import SITE_MARKER, write_tree
from validator.leaderboard._site.pages import site_pages


def site_files(leaderboard: Leaderboard) -> dict[str, str]:
    """Every file of the site by name: the pages and `leaderboard.json`."""
    return {**site_pages(leaderboard), SITE_MARKER: leaderboard.model_dump_json(indent=2) + "\n"}


def write_site(leaderboard: Leaderboard, target: Path, *, force: bool = False) -> dict[str, str]:
    """Writes the site into the folder `target`; returns what it wrote."""
    files = site_files(leaderboard)
    write_tree(target, files, force=force)
    return files


__all__ = ["site_files", "write_site"]
