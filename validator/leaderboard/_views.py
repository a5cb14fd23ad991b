"""Table cells, and the score and problem tables, built once from the Leaderboard; the rich,
Markdown and HTML renderers only lay them out (CSV and JSON carry raw numbers instead).

Each cell has display text plus, for HTML, a numeric sort key, a link and a style name; links
point at pages of the static site, which the text formats ignore.
"""

from __future__ import annotations

from dataclasses import dataclass

from validator.leaderboard._model import (
    Board,
    Leaderboard,
    ProblemView,
    ResultEntry,
    ResultState,
    RowState,
    ScoreRow,
)
from validator.leaderboard._naming import system_page
from validator.leaderboard._units import (
    RANGE,
    change_text,
    ratio_text,
    significant,
    spread,
    spread_text,
    time_text,
)

MISSING = "—"
# Sort keys that put unranked rows after every ranked one, whichever way a column is sorted first.
PARTIAL_SORT = 1_000_000
REJECTED_SORT = 2_000_000


@dataclass(frozen=True)
class Cell:
    """One table cell: text, and for HTML a sort key, a link and a style (ok|warn|fail|note)."""

    text: str
    sort: float | None = None
    href: str | None = None
    style: str = ""


@dataclass(frozen=True)
class Column:
    """A column heading; numeric columns are right-aligned, long-text columns may wrap."""

    name: str
    numeric: bool = False
    wrap: bool = False


@dataclass(frozen=True)
class Row:
    """A row, with the permalink anchor of the result it shows, if any."""

    cells: tuple[Cell, ...]
    anchor: str | None = None


@dataclass(frozen=True)
class TableView:
    """A titled table with an anchor id and a caption."""

    title: str
    anchor: str
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    caption: str = ""


def board_title(board: Board) -> str:
    """`closed · gemm · train · fp32`."""
    return f"{board.division.value} · {board.suite.value} · {board.set.value} · {board.variant}"


def flags_cell(codes: tuple[str, ...] | list[str], rejected: bool) -> Cell:
    style = "fail" if rejected else "warn"
    return Cell(", ".join(codes), style=style if codes else "")


def _rank_cell(row: ScoreRow) -> Cell:
    if row.state is RowState.RANKED:
        return Cell(str(row.rank), sort=row.rank)
    if row.state is RowState.PARTIAL:
        return Cell("partial", sort=PARTIAL_SORT, style="warn")
    return Cell("rejected", sort=REJECTED_SORT, style="fail")


def _number(value: float | None, text: str = "") -> Cell:
    if value is None:
        return Cell(MISSING)
    return Cell(text or significant(value), sort=value)


def score_table(board: Board, leaderboard: Leaderboard) -> TableView:
    """One board: rank, system, score, vs reference, coverage, change, flags."""
    columns = [Column("#", True), Column("system"), Column("submitter")]
    columns.append(Column(f"score ({board.unit})", True))
    if leaderboard.reference:
        columns.append(Column(f"vs {leaderboard.reference}", True))
    columns.append(Column("problems", True))
    if leaderboard.compared_with:
        columns.append(Column(f"vs {leaderboard.compared_with}", True))
    columns.append(Column("flags", wrap=True))
    rows = []
    for row in board.rows:
        cells = [
            _rank_cell(row),
            Cell(row.system_id, href=system_page(row.system)),
            Cell(row.submitter),
            _number(row.score),
        ]
        if leaderboard.reference:
            relative = row.relative
            cells.append(_number(relative, ratio_text(relative) if relative else ""))
        cells.append(Cell(f"{row.covered}/{board.problems}", sort=row.covered))
        if leaderboard.compared_with:
            change = row.change
            cells.append(_number(change, change_text(change) if change is not None else ""))
        cells.append(flags_cell(row.flags, row.state is RowState.REJECTED))
        rows.append(Row(tuple(cells)))
    return TableView(
        title=board_title(board),
        anchor=board.anchor,
        columns=tuple(columns),
        rows=tuple(rows),
        caption=f"geometric mean over {board.problems} problem(s); {board.unit}",
    )


def result_rank_cell(entry: ResultEntry) -> Cell:
    if entry.problem_rank is not None:
        return Cell(str(entry.problem_rank), sort=entry.problem_rank)
    return Cell("rejected", sort=REJECTED_SORT, style="fail")


def timing_cells(entry: ResultEntry) -> list[Cell]:
    """Median time, throughput and spread of one result."""
    return [
        Cell(time_text(entry.median_ns), sort=entry.median_ns),
        Cell(significant(entry.throughput), sort=entry.throughput),
        Cell(
            spread_text(entry.p10_ns, entry.p90_ns, entry.median_ns),
            sort=spread(entry.p10_ns, entry.p90_ns, entry.median_ns),
        ),
    ]


def result_flags_cell(entry: ResultEntry) -> Cell:
    return flags_cell([f.code for f in entry.flags], entry.state is ResultState.REJECTED)


def problem_table(view: ProblemView, leaderboard: Leaderboard) -> TableView:
    """Every system's time, throughput and spread for one problem."""
    results = leaderboard.result_index
    entries = [results[a] for a in view.results]
    systems = leaderboard.system_index
    first = entries[0]
    rows = tuple(
        Row(
            (
                result_rank_cell(e),
                Cell(systems[e.system].system_id, href=f"{system_page(e.system)}#{e.anchor}"),
                Cell(systems[e.system].submitter),
                *timing_cells(e),
                Cell(str(e.samples), sort=e.samples),
                result_flags_cell(e),
            )
        )
        for e in entries
    )
    return TableView(
        title=f"{view.problem_id} {view.direction.value} · {view.variant} · {view.division.value}",
        anchor=view.anchor,
        columns=(
            Column("#", True),
            Column("system"),
            Column("submitter"),
            Column("median", True),
            Column(first.unit, True),
            Column(f"spread p10{RANGE}p90", True),
            Column("samples", True),
            Column("flags", wrap=True),
        ),
        rows=rows,
        caption=f"{first.application}: {first.params}",
    )
