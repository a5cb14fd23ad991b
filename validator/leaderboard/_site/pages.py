"""The pages of the static site: the index, one page per suite, one page per system.

index.html             every board (sortable tables and score bars) and every system
suite-<suite>.html     the suite's boards with throughput and spread plots, then one table per
                       problem (anchor `p-...`) with every system's time, throughput and spread
system-<key>.html      the system description, its container image, its bundles and findings, a
                       roofline and spread plot, and every result (anchor `r-...`: the permalink)
"""

from __future__ import annotations

from collections.abc import Sequence

from schemas import Division, Suite
from validator.leaderboard._model import Board, Flag, Leaderboard, SystemView
from validator.leaderboard._naming import suite_page, system_page
from validator.leaderboard._scoring import counts
from validator.leaderboard._site.html import esc, page, table
from validator.leaderboard._site.plots import (
    board_entries,
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


def _suites(leaderboard: Leaderboard) -> list[Suite]:
    return [s for s in Suite.all() if any(b.suite is s for b in leaderboard.boards)]


def _nav(leaderboard: Leaderboard) -> list[tuple[str, str]]:
    suites = [(s.value, suite_page(s.value)) for s in _suites(leaderboard)]
    return [("overview", "index.html"), *suites, ("systems", "index.html#systems")]


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
    more = (
        f' · <a href="{suite_page(board.suite.value)}#{board.anchor}">problems and plots →</a>'
        if link
        else ""
    )
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


def suite_page_html(suite: Suite, leaderboard: Leaderboard) -> str:
    """A suite's boards with plots, then every problem's table."""
    colours = system_colours(leaderboard)
    names = {s.key: s.system_id for s in leaderboard.systems}
    parts = [f"<h2>{esc(suite.value)}: boards</h2>"]
    boards = [b for b in leaderboard.boards if b.suite is suite]
    for board in boards:
        entries = board_entries(board, leaderboard)
        groups = [
            (names[row.system], colours[row.system], [e for e in entries if e.system == row.system])
            for row in board.rows
        ]
        plots = throughput_plot(board, leaderboard) + spread_plot("run-to-run spread", groups)
        parts.append(_board_card(board, table(score_table(board, leaderboard)) + plots, False))
    parts.append(f"<h2>{esc(suite.value)}: problems</h2>")
    anchors = {b.anchor for b in boards}
    for view in leaderboard.problems:
        if view.board in anchors:
            parts.append(
                f'<section class="card" id="{esc(view.anchor)}">'
                f"{table(problem_table(view, leaderboard), title=True)}</section>"
            )
    title = f"{TITLE}: {suite.value}"
    return page(title, _subtitle(leaderboard), _nav(leaderboard), "".join(parts))


def system_page_html(system: SystemView, leaderboard: Leaderboard) -> str:
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
        parts.append(f'<section class="card"><h3>Plots</h3>{plots}</section>')
    parts.append(
        f'<section class="card">{table(system_results_table(system, leaderboard), title=True)}'
        "</section>"
    )
    ranked = sum(
        r.system == system.key and r.rank is not None for b in leaderboard.boards for r in b.rows
    )
    subtitle = f"{system.submitter} · {len(mine)} results counted · ranked on {ranked} board(s)"
    title = f"{TITLE}: {system.system_id}"
    return page(title, subtitle, _nav(leaderboard), "".join(parts))


def site_pages(leaderboard: Leaderboard) -> dict[str, str]:
    """Every page of the site by file name."""
    pages = {"index.html": index_page(leaderboard)}
    for suite in _suites(leaderboard):
        pages[suite_page(suite.value)] = suite_page_html(suite, leaderboard)
    for system in leaderboard.systems:
        pages[system_page(system.key)] = system_page_html(system, leaderboard)
    return pages
