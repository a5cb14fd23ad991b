"""Table cells, and the score and problem tables, built once from the Leaderboard; the rich,
Markdown and HTML renderers only lay them out (CSV and JSON carry raw numbers instead).

Each cell has display text plus, for HTML, a numeric sort key, a link and a style name; links
point at pages of the static site, which the text formats ignore.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace

from schemas import AuditVerdict
from validator._audits import AuditStatus
from validator.leaderboard._audit import row_words
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
from validator.leaderboard._timing import mixed_note, shows_timing
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
UNSCORED_SORT = 1_500_000
REJECTED_SORT = 2_000_000
_STATUS_STYLES: dict[AuditStatus | None, str] = {
    None: "",
    AuditStatus.PASSED: "ok",
    AuditStatus.FAILED: "fail",
}
_VERDICT_STYLES: dict[AuditVerdict | None, str] = {
    None: "",
    AuditVerdict.CONSISTENT: "ok",
    AuditVerdict.FASTER: "note",
    AuditVerdict.SLOWER: "fail",
    AuditVerdict.NOT_REPRODUCED: "fail",
}


@dataclass(frozen=True)
class Cell:
    """One table cell: text, and for HTML a sort key, a link and a style (ok|warn|fail|note)."""

    text: str
    sort: float | None = None
    href: str | None = None
    style: str = ""


@dataclass(frozen=True)
class Column:
    """A column heading; numeric columns are right-aligned, long-text columns may wrap.

    A droppable column tells nothing this table needs (every row the default): the layouts
    where width and bytes count (rich, HTML) leave it out, Markdown keeps every column.
    """

    name: str
    numeric: bool = False
    wrap: bool = False
    droppable: bool = False


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


def narrow(view: TableView) -> TableView:
    """The table without its droppable columns."""
    kept = [i for i, column in enumerate(view.columns) if not column.droppable]
    if len(kept) == len(view.columns):
        return view
    return replace(
        view,
        columns=tuple(view.columns[i] for i in kept),
        rows=tuple(replace(r, cells=tuple(r.cells[i] for i in kept)) for r in view.rows),
    )


def timing_column(methods: Collection[str]) -> Column:
    """The column of timing labels: droppable when `methods` (the table's) are all the default."""
    return Column("timing", wrap=True, droppable=not shows_timing(methods))


def audit_column(shown: Collection[object], *, words: bool = True) -> Column:
    """The column of audit words (results; they may wrap) or marks (scores): droppable when
    none of `shown` (the table's) says anything, so an unaudited table stays narrow."""
    return Column("audit", wrap=words, droppable=not any(shown))


def audit_row_cell(row: ScoreRow) -> Cell:
    """'✓ audited' or '✗ failed audit' beside a score; blank: not audited."""
    return Cell(row_words(row.audit), style=_STATUS_STYLES[row.audit])


def result_audit_cell(entry: ResultEntry) -> Cell:
    """The audit's words for a result it drew, styled by its verdict; blank: not drawn."""
    return Cell(entry.audit, style=_VERDICT_STYLES[entry.audit_verdict])


def board_label(board: Board) -> str:
    """`gemm · train · fp32`, or `gemm · custom m=4096 n=4096 k=4096 NN fwd · fp32`."""
    where = f"custom {board.params}" if board.set is None else board.set.value
    return f"{board.suite.value} · {where} · {board.variant}"


def board_title(board: Board) -> str:
    """`closed · gemm · train · fp32`."""
    return f"{board.division.value} · {board_label(board)}"


def coverage_text(row: ScoreRow, problems: int) -> str:
    """`13/13`, or `10/13, 3 missing (1 failed)`: what a partial row lacks, in every format."""
    text = f"{row.covered}/{problems}"
    if row.missing:
        text += f", {row.missing} missing"
    if row.failed:
        text += f" ({row.failed} failed)"
    return text


def flags_cell(codes: tuple[str, ...] | list[str], rejected: bool) -> Cell:
    style = "fail" if rejected else "warn"
    return Cell(", ".join(codes), style=style if codes else "")


def _rank_cell(row: ScoreRow) -> Cell:
    if row.state is RowState.RANKED:
        return Cell(str(row.rank), sort=row.rank)
    if row.state is RowState.PARTIAL:
        return Cell("partial", sort=PARTIAL_SORT, style="warn")
    if row.state is RowState.UNSCORED:
        return Cell("unscored", sort=UNSCORED_SORT, style="warn")
    return Cell("rejected", sort=REJECTED_SORT, style="fail")


def _number(value: float | None, text: str = "") -> Cell:
    if value is None:
        return Cell(MISSING)
    return Cell(text or significant(value), sort=value)


def score_table(board: Board, leaderboard: Leaderboard) -> TableView:
    """One board: rank, system, score and its audit, vs reference, coverage, change, flags."""
    columns = [Column("#", True), Column("system"), Column("submitter")]
    columns.append(Column(f"score ({board.unit})", True))
    columns.append(audit_column([row.audit for row in board.rows], words=False))
    if leaderboard.reference:
        columns.append(Column(f"vs {leaderboard.reference}", True))
    columns.append(Column("problems", True))
    if leaderboard.compared_with:
        columns.append(Column(f"vs {leaderboard.compared_with}", True))
    columns += [timing_column(board.timing_methods), Column("flags", wrap=True)]
    rows = []
    for row in board.rows:
        cells = [
            _rank_cell(row),
            Cell(row.system_id, href=system_page(row.system)),
            Cell(row.submitter),
            _number(row.score),
            audit_row_cell(row),
        ]
        if leaderboard.reference:
            relative = row.relative
            cells.append(_number(relative, ratio_text(relative) if relative else ""))
        partial = row.missing > 0
        cells.append(
            Cell(coverage_text(row, board.problems), sort=row.covered, style="warn" * partial)
        )
        if leaderboard.compared_with:
            change = row.change
            cells.append(_number(change, change_text(change) if change is not None else ""))
        cells.append(Cell(row.timing))
        cells.append(flags_cell(row.flags, row.state is RowState.REJECTED))
        rows.append(Row(tuple(cells)))
    caption = (
        f"custom problem, not an official set: ranked only against the same parameters; "
        f"{board.unit}"
        if board.custom
        else f"geometric mean over the set's {board.problems} official problem(s); "
        f"partial rows lack some and are not ranked; {board.unit}"
    )
    mixed = mixed_note(board.timing_methods)
    return TableView(
        title=board_title(board),
        anchor=board.anchor,
        columns=tuple(columns),
        rows=tuple(rows),
        caption=f"{caption}; {mixed}" if mixed else caption,
    )


def result_rank_cell(entry: ResultEntry) -> Cell:
    """The result's rank in its problem, else why it has none (failed, unranked, rejected)."""
    if entry.problem_rank is not None:
        return Cell(str(entry.problem_rank), sort=entry.problem_rank)
    if entry.state in (ResultState.FAILED, ResultState.UNRANKED):
        return Cell(entry.state.value, sort=UNSCORED_SORT, style="warn")
    return Cell(entry.state.value, sort=REJECTED_SORT, style="fail")


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
                Cell(e.timing),
                result_audit_cell(e),
                result_flags_cell(e),
            )
        )
        for e in entries
    )
    name = f"custom {first.params}" if view.custom else view.problem_id
    return TableView(
        title=f"{name} {view.direction.value} · {view.variant} · {view.division.value}",
        anchor=view.anchor,
        columns=(
            Column("#", True),
            Column("system"),
            Column("submitter"),
            Column("median", True),
            Column(first.unit, True),
            Column(f"spread p10{RANGE}p90", True),
            Column("samples", True),
            timing_column(leaderboard.board_index[view.board].timing_methods),
            audit_column([e.audit for e in entries]),
            Column("flags", wrap=True),
        ),
        rows=rows,
        caption=f"{first.application}: {first.params}"
        + (" (custom: not an official problem)" if view.custom else ""),
    )
