"""HTML markup: the page shell and tables from TableViews.

Every page links the same two files, `assets/style.css` and `assets/site.js`, by relative path:
written once, not per page (a large round has hundreds of pages), and still read from the site's
own folder, so the site works offline from file:// and nothing is fetched from a CDN. All text
passes through `esc`.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from functools import cache
from importlib.resources import files

from validator.leaderboard._output import SITE_MARKER
from validator.leaderboard._views import Cell, Column, TableView, narrow

NUMERIC = ' class="num"'
_SPECIAL = re.compile("[&<>\"']")
ASSETS = ("style.css", "site.js")
ASSET_FOLDER = "assets"


def esc(text: str) -> str:
    """Text made safe for HTML content and attribute values."""
    # Most cells are plain numbers and names: a search is cheaper than five replacements, and
    # a large round escapes about a million cells.
    return html.escape(text, quote=True) if _SPECIAL.search(text) else text


@cache
def asset(name: str) -> str:
    """A file shipped beside this module (style.css, site.js)."""
    return files(__package__).joinpath(name).read_text(encoding="utf-8")


def _cell(cell: Cell, column: Column, permalink: str | None) -> str:
    layout = "num" if column.numeric else "wrap-text" if column.wrap else ""
    classes = [c for c in (layout, cell.style) if c]
    attributes = f' class="{" ".join(classes)}"' if classes else ""
    if cell.sort is not None:
        attributes += f' data-sort="{cell.sort!r}"'
    text = esc(cell.text)
    content = f'<a href="{esc(cell.href)}">{text}</a>' if cell.href else text
    if permalink:
        link = f'<a class="permalink" href="#{esc(permalink)}" title="permalink">¶</a>'
        content = link + content
    return f"<td{attributes}>{content}</td>"


def table(view: TableView, *, sortable: bool = True, title: bool = False) -> str:
    """A table without its droppable columns (a large round has a million cells); rows with an
    anchor get that id and a ¶ permalink in their first cell."""
    view = narrow(view)
    heads = "".join(
        f'<th{NUMERIC if c.numeric else ""} scope="col">{esc(c.name)}</th>' for c in view.columns
    )
    body = []
    for row in view.rows:
        cells = "".join(
            _cell(cell, column, row.anchor if index == 0 else None)
            for index, (cell, column) in enumerate(zip(row.cells, view.columns, strict=True))
        )
        row_id = f' id="{esc(row.anchor)}"' if row.anchor else ""
        body.append(f"<tr{row_id}>{cells}</tr>")
    caption = f"<caption>{esc(view.caption)}</caption>" if view.caption else ""
    heading = f"<h3>{esc(view.title)}</h3>" if title else ""
    kind = ' class="sortable"' if sortable else ""
    return (
        f'{heading}<div class="scroll"><table{kind} id="t-{esc(view.anchor)}">{caption}'
        f"<thead><tr>{heads}</tr></thead><tbody>{''.join(body)}</tbody></table></div>"
    )


def page(title: str, subtitle: str, nav: Sequence[tuple[str, str]], body: str) -> str:
    """A whole HTML document with the shared header, navigation and footer."""
    links = "".join(f'<a href="{esc(href)}">{esc(label)}</a>' for label, href in nav)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<title>{esc(title)}</title><link rel="stylesheet" href="{ASSET_FOLDER}/style.css">'
        "</head>\n"
        f'<body><header class="top"><div class="wrap"><h1>{esc(title)}</h1>'
        f'<div class="sub">{esc(subtitle)}</div><nav class="links">{links}</nav></div></header>\n'
        f'<main class="wrap">{body}</main>\n'
        '<footer class="wrap">Made by <code>kernelperf leaderboard</code> from validated result '
        f'bundles. Data: <a href="{SITE_MARKER}">{SITE_MARKER}</a>.</footer>\n'
        f'<script src="{ASSET_FOLDER}/site.js"></script></body></html>\n'
    )
