"""Publishes a validated round: scores, rankings, tables and a static HTML site.

Public API (the CLI uses only these names):

    build(report, reference=None, previous=None) -> Leaderboard   the canonical data (JSON)
    render_rich / render_markdown / render_csv / render_json        text formats, from the model
    write_site(leaderboard, folder, force=False)                    the static HTML site
    write_file(path, text, force=False)                             atomic, no silent overwrite

How scores are computed is stated once, in `validator.leaderboard.scoring`.
"""

from validator.leaderboard.build import build
from validator.leaderboard.model import Leaderboard, ResultState, RowState
from validator.leaderboard.output import write_file
from validator.leaderboard.site import site_files, write_site
from validator.leaderboard.text import (
    VIEWS,
    render_csv,
    render_json,
    render_markdown,
    render_rich,
)

FORMATS = ("table", "md", "csv", "json", "html")

__all__ = [
    "FORMATS",
    "VIEWS",
    "Leaderboard",
    "ResultState",
    "RowState",
    "build",
    "render_csv",
    "render_json",
    "render_markdown",
    "render_rich",
    "site_files",
    "write_file",
    "write_site",
]
