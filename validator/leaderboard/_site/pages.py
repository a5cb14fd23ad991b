"""The pages of the static site: the index, one page per board, one page per system.

index.html             every board (sortable score tables and bars, each linking to its page)
                       and every system
board-<board>.html     one board: its scores, throughput and spread plots, then one table per
                       problem (anchor `p-...`) with every system's time, throughput and spread,
                       in pages of about ROWS_PER_PAGE rows
system-<key>.html      the system description, its container image, its bundles and findings, a
                       roofline and spread plot, and every result (anchor `r-...`: the permalink)

Large sections (problem pages, plots, a system's results) live in data files beside the pages
(`lazy`); `site_pages` returns those files with the pages.
"""

from __future__ import annotations

from collections.abc import Sequence

from schemas import Division
from validator.leaderboard._model import Board, Flag, Leaderboard, ResultEntry, SystemView
from validator.leaderboard._naming import board_page, system_page
from validator.leaderboard._scoring import counts
from validator.leaderboard._site.html import esc, page, table
from validator.leaderboard._site.lazy import LazySections
from validator.leaderboard._site.plots import (
    PLOTTED_SYSTEMS,
    counted_by_board,
    roofline,
    score_bars,
    spread_plot,
    system_colours,
    throughput_plot,
)
from validator.leaderboard._system_views import (
    bundles_table,
    system_facts,
    system_results_table,
    systems_table,
)
from validator.leaderboard._views import board_label, board_title, problem_table, score_table

TITLE = "KernelPerf leaderboard"
# About this many result rows per page of problem tables: a page a browser lays out at once.
ROWS_PER_PAGE = 2_000


def _nav(leaderboard: Leaderboard) -> list[tuple[str, str]]:
    divisions = [
        (d.value, f"index.html#{d.value}")
        for d in Division
        if any(b.division is d for b in leaderboard.boards)
    ]
    return [("overview", "index.html"), *divisions, ("systems", "index.html#systems")]


def _subtitle(leaderboard: Leaderboard) -> str:
    parts = [f"round {leaderboard.round}"]
    if leaderboard.reference:
        parts.append(f"relative to {leaderboard.reference}")
    if leaderboard.compared_with:
        parts.append(f"change since round {leaderboard.compared_with}")
    return " · ".join(parts)


def _stats(leaderboard: Leaderboard) -> str:
    c = leaderboard.counts
    items = (
        (str(c.systems), "systems"),
        (str(len(leaderboard.boards)), "boards"),
        (f"{c.valid_bundles}/{c.bundles}", "bundles valid"),
        (f"{c.counted_results}/{c.results}", "results counted"),
    )
    cells = "".join(
        f'<div class="stat"><b>{esc(v)}</b><span>{esc(k)}</span></div>' for v, k in items
    )
    return f'<div class="summary">{cells}</div>'


def _flags_list(flags: Sequence[Flag]) -> str:
    if not flags:
        return ""
    items = "".join(
        f'<li class="{"fail" if f.severity == "error" else "warn"}"><code>{esc(f.code)}</code> '
        f"{esc(f.message)}</li>"
        for f in flags
    )
    return f'<ul class="findings">{items}</ul>'


HISTORICAL_NOTE = (
    '<p class="meta historical">Published results of other benchmarks (DeepBench\'s result '
    "workbooks, Apache-2.0), imported as published: no raw samples, no correctness check, "
    "declared systems. Each result's permalink names its workbook, sheet, cell and sha256; "
    "figures above a device's peak carry a note rather than a rejection.</p>"
)


def _badge(division: Division) -> str:
    return f'<span class="badge {division.value}">{division.value}</span>'


def _board_meta(board: Board) -> str:
    """What the board scores over, and in what unit."""
    if board.custom:
        return f"custom problem (not an official set) · {esc(board.unit)}"
    partial = sum(r.missing > 0 for r in board.rows)
    missing = f" · {partial} system(s) partial, not ranked" if partial else ""
    return f"{board.problems} official problem(s){missing} · {esc(board.unit)}"


def _board_card(board: Board, body: str, link: bool) -> str:
    more = f' · <a href="{board_page(board.anchor)}">problems and plots →</a>' if link else ""
    heading = board_label(board)
    return (
        f'<section class="card {board.division.value}" id="{esc(board.anchor)}">'
        f"<h3>{esc(heading)}{_badge(board.division)}"
        f'</h3><div class="meta">{_board_meta(board)}{more}</div>'
        f"{body}</section>"
    )


def index_page(leaderboard: Leaderboard) -> str:
    """Every board with its score bars, the systems, and what the round left out."""
    parts = [
        _stats(leaderboard),
        '<details class="method"><summary>How scores are computed</summary>'
        f"<p>{esc(leaderboard.method)}</p></details>",
    ]
    for division in Division:
        boards = [b for b in leaderboard.boards if b.division is division]
        if boards:
            parts.append(f'<h2 id="{division.value}">{division.value.capitalize()} division</h2>')
        if boards and division is Division.HISTORICAL:
            parts.append(HISTORICAL_NOTE)
        for board in boards:
            scores = table(score_table(board, leaderboard))
            bars = score_bars(board, leaderboard)
            layout = f'<div class="split"><div>{scores}</div><div>{bars}</div></div>'
            parts.append(_board_card(board, layout, link=True))
    parts.append('<h2 id="systems">Systems</h2>')
    parts.append(f'<section class="card">{table(systems_table(leaderboard))}</section>')
    if leaderboard.findings or leaderboard.unread:
        unread = [
            Flag(code="unreadable", severity="error", message=u.path) for u in leaderboard.unread
        ]
        parts.append('<h2 id="findings">Not ranked</h2>')
        parts.append(
            '<section class="card"><div class="meta">Round-level findings, and bundles whose '
            f"documents could not be read.</div>{_flags_list([*leaderboard.findings, *unread])}"
            "</section>"
        )
    return page(TITLE, _subtitle(leaderboard), _nav(leaderboard), "".join(parts))


def _problem_pages(bodies: list[tuple[int, str]]) -> list[str]:
    """Problem sections (rows, html) joined into pages of about ROWS_PER_PAGE rows."""
    pages: list[str] = []
    rows = 0
    for count, body in bodies:
        if not pages or rows + count > ROWS_PER_PAGE:
            pages.append("")
            rows = 0
        pages[-1] += body
        rows += count
    return pages


def board_page_html(
    board: Board, counted: list[ResultEntry], leaderboard: Leaderboard, lazy: LazySections
) -> str:
    """A board's scores and plots, then every problem's table; `counted` are the board's
    counted results."""
    colours = system_colours(leaderboard)
    groups = [
        (row.system_id, colours[row.system], [e for e in counted if e.system == row.system])
        for row in board.rows[:PLOTTED_SYSTEMS]
    ]
    spread_title = "run-to-run spread" + (
        f" (the first {PLOTTED_SYSTEMS} of {len(board.rows)} systems)"
        if len(board.rows) > PLOTTED_SYSTEMS
        else ""
    )
    plots = throughput_plot(board, counted, leaderboard) + spread_plot(spread_title, groups)
    parts = [
        _board_card(
            board, table(score_table(board, leaderboard)) + lazy.group("plots", [plots]), False
        )
    ]
    views = [v for v in leaderboard.problems if v.board == board.anchor]
    parts.append(f"<h2>Problems ({len(views)})</h2>")
    sections = [
        (
            len(view.results),
            f'<section class="card" id="{esc(view.anchor)}">'
            f"{table(problem_table(view, leaderboard), title=True)}</section>",
        )
        for view in views
    ]
    parts.append(lazy.group("problems", _problem_pages(sections)))
    parts.append(lazy.anchor_index())
    title = f"{TITLE}: {board_title(board)}"
    return page(title, _subtitle(leaderboard), _nav(leaderboard), "".join(parts))


def system_page_html(system: SystemView, leaderboard: Leaderboard, lazy: LazySections) -> str:
    """A system's description, bundles, plots and every result with its permalink."""
    parts = [f'<section class="card">{table(system_facts(system), sortable=False)}</section>']
    findings = "".join(
        f"<h3>{esc(b.path)}</h3>{_flags_list(b.findings)}"
        + (
            f'<ul class="findings">{"".join(f"<li>{esc(k)}</li>" for k in b.kernel_errors)}</ul>'
            if b.kernel_errors
            else ""
        )
        for b in system.bundles
        if b.findings or b.kernel_errors
    )
    parts.append(
        f'<section class="card">{table(bundles_table(system), sortable=False, title=True)}'
        f"{findings}</section>"
    )
    mine = [e for e in leaderboard.results_by_system[system.key] if counts(e)]
    fill = system_colours(leaderboard)[system.key]
    rows = [
        (board_title(b), fill, [e for e in mine if e.board == b.anchor]) for b in leaderboard.boards
    ]
    plots = roofline(system, leaderboard) + spread_plot("run-to-run spread per board", rows)
    if plots:
        shown = lazy.group("plots", [plots])
        parts.append(f'<section class="card"><h3>Plots</h3>{shown}</section>')
    results = table(system_results_table(system, leaderboard), title=True)
    parts.append(f'<section class="card">{lazy.group("results", [results])}</section>')
    ranked = sum(
        r.system == system.key and r.rank is not None for b in leaderboard.boards for r in b.rows
    )
    subtitle = f"{system.submitter} · {len(mine)} results counted · ranked on {ranked} board(s)"
    title = f"{TITLE}: {system.system_id}"
    return page(title, subtitle, _nav(leaderboard), "".join(parts))


def site_pages(leaderboard: Leaderboard) -> dict[str, str]:
    """Every page of the site by file name, and the data files of their large sections."""
    files = {"index.html": index_page(leaderboard)}
    counted = counted_by_board(leaderboard)
    for board in leaderboard.boards:
        name = board_page(board.anchor)
        lazy = LazySections(name.removesuffix(".html"))
        files[name] = board_page_html(board, counted[board.anchor], leaderboard, lazy)
        files.update(lazy.files)
    for system in leaderboard.systems:
        name = system_page(system.key)
        lazy = LazySections(name.removesuffix(".html"))
        files[name] = system_page_html(system, leaderboard, lazy)
        files.update(lazy.files)
    return files
