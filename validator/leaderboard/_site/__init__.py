"""The static HTML site of a leaderboard: pages, shared assets, data files, and the JSON data.

    index.html, board-*.html, system-*.html   the pages (`pages`)
    assets/style.css, assets/site.js          written once, linked by every page (`html`)
    data/*.js                                 large sections of pages, compressed (`lazy`)
    leaderboard.json.gz                       the canonical data, gzip-compressed: the same
                                              document as `kernelperf leaderboard --format json`

`site_files(leaderboard)` is pure (same leaderboard, same bytes); `write_site` swaps the folder in
atomically and replaces an earlier site only when asked to.
"""

from __future__ import annotations

from pathlib import Path

from validator._collector import collector_paused
from validator.leaderboard._model import Leaderboard
from validator.leaderboard._output import SITE_MARKER, write_tree
from validator.leaderboard._site.html import ASSET_FOLDER, ASSETS, asset
from validator.leaderboard._site.lazy import gzipped
from validator.leaderboard._site.pages import site_pages


def site_files(leaderboard: Leaderboard) -> dict[str, str | bytes]:
    """Every file of the site by name: text, except the compressed data (bytes)."""
    data = gzipped(leaderboard.model_dump_json())
    assets = {f"{ASSET_FOLDER}/{name}": asset(name) for name in ASSETS}
    return {**site_pages(leaderboard), **assets, SITE_MARKER: data}


def write_site(leaderboard: Leaderboard, target: Path, *, force: bool = False) -> dict[str, bytes]:
    """Writes the site into the folder `target`; returns what it wrote, byte for byte."""
    with collector_paused():
        files = {
            name: content if isinstance(content, bytes) else content.encode("utf-8")
            for name, content in site_files(leaderboard).items()
        }
    write_tree(target, files, force=force)
    return files


__all__ = ["site_files", "write_site"]
