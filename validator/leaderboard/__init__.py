"""Publishes a validated round: scores, rankings, tables and a static HTML site.

The public names are listed once, in `__all__` (the CLI uses only these; the modules behind
them are private):

    build(report, reference=None, previous=None) -> Leaderboard   the canonical data (JSON)
    render_rich / render_markdown / render_csv / render_json        text formats, from the model
    write_site(leaderboard, folder, force=False)                    the static HTML site
    write_file(path, text, force=False)                             atomic, no silent overwrite
    bytes_text(count)                                               a byte count as people read it

How scores are computed is stated once, in `validator.leaderboard._scoring`; how a result was
timed is put in words once, in `validator.leaderboard._timing`; what a reproduction audit found,
once, in `validator.leaderboard._audit`.
"""

from validator.leaderboard._build import build
from validator.leaderboard._model import Leaderboard, ResultState, RowState
from validator.leaderboard._output import write_file
from validator.leaderboard._site import site_files, write_site
from validator.leaderboard._text import (
    VIEWS,
    render_csv,
    render_json,
    render_markdown,
    render_rich,
)
from validator.leaderboard._units import bytes_text

FORMATS = ("table", "md", "csv", "json", "html")

__all__ = [
    "FORMATS",
    "VIEWS",
    "Leaderboard",
    "ResultState",
    "RowState",
    "build",
    "bytes_text",
    "render_csv",
    "render_json",
    "render_markdown",
    "render_rich",
    "site_files",
    "write_file",
    "write_site",
]
