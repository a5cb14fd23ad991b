"""The tables people read, built once from the Leaderboard; the rich, Markdown and HTML renderers
only lay them out. (CSV and JSON carry raw numbers instead of these formatted cells.)

Each cell has display text plus, for HTML, a numeric sort key, a link and a style name; links
point at pages of the static site, which the text formats ignore.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass

from validator.leaderboard.model import (
    Board,
    Leaderboard,
    ProblemView,
    ResultEntry,
    ResultState,
    RowState,
    ScoreRow,
    SystemView,
)
from validator.leaderboard.naming import suite_page, system_page
from validator.leaderboard.units import (
    RANGE,
    TIMES,
    bytes_text,
    change_text,
    ratio_text,
    significant,
    spread,
    spread_text,
    time_text,
)

VIEWS = ("scores", "problems", "systems")
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


def _flags_cell(codes: tuple[str, ...] | list[str], rejected: bool) -> Cell:
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
        cells.append(_flags_cell(row.flags, row.state is RowState.REJECTED))
        rows.append(Row(tuple(cells)))
    return TableView(
        title=board_title(board),
        anchor=board.anchor,
        columns=tuple(columns),
        rows=tuple(rows),
        caption=f"geometric mean over {board.problems} problem(s); {board.unit}",
    )


def _result_rank(entry: ResultEntry) -> Cell:
    if entry.problem_rank is not None:
        return Cell(str(entry.problem_rank), sort=entry.problem_rank)
    return Cell("rejected", sort=REJECTED_SORT, style="fail")


def _timing_cells(entry: ResultEntry) -> list[Cell]:
    """Median time, throughput and spread of one result."""
    return [
        Cell(time_text(entry.median_ns), sort=entry.median_ns),
        Cell(significant(entry.throughput), sort=entry.throughput),
        Cell(
            spread_text(entry.p10_ns, entry.p90_ns, entry.median_ns),
            sort=spread(entry.p10_ns, entry.p90_ns, entry.median_ns),
        ),
    ]


def _result_flags(entry: ResultEntry) -> Cell:
    return _flags_cell([f.code for f in entry.flags], entry.state is ResultState.REJECTED)


def problem_table(view: ProblemView, leaderboard: Leaderboard) -> TableView:
    """Every system's time, throughput and spread for one problem."""
    results = leaderboard.result_index()
    entries = [results[a] for a in view.results]
    systems = leaderboard.system_index()
    first = entries[0]
    rows = tuple(
        Row(
            (
                _result_rank(e),
                Cell(systems[e.system].system_id, href=f"{system_page(e.system)}#{e.anchor}"),
                Cell(systems[e.system].submitter),
                *_timing_cells(e),
                Cell(str(e.samples), sort=e.samples),
                _result_flags(e),
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


def system_results_table(system: SystemView, leaderboard: Leaderboard) -> TableView:
    """All results of one system, each row a permalink."""
    entries = [r for r in leaderboard.results if r.system == system.key]
    rows = tuple(
        Row(
            (
                Cell(e.problem_id, href=f"{suite_page(e.suite.value)}#{e.problem_view}"),
                Cell(e.direction.value),
                Cell(e.variant),
                Cell(e.division.value),
                Cell(e.params),
                *_timing_cells(e),
                Cell(e.unit),
                _result_rank(e),
                _result_flags(e),
            ),
            anchor=e.anchor,
        )
        for e in entries
    )
    return TableView(
        title=f"Results of {system.system_id}",
        anchor=f"results-{system.key}",
        columns=(
            *(Column(label) for label in ("problem", "dir", "precision", "division")),
            Column("parameters", wrap=True),
            Column("median", True),
            Column("throughput", True),
            Column(f"spread p10{RANGE}p90", True),
            Column("unit"),
            Column("rank", True),
            Column("flags", wrap=True),
        ),
        rows=rows,
        caption=f"{len(rows)} results; rank is within each problem",
    )


def _facts(system: SystemView) -> list[tuple[str, str]]:
    """The system description as (label, value) lines."""
    d = system.description
    host, soft = d.host, d.software
    facts = [
        ("submitter", system.submitter),
        ("status", d.status.value),
        ("nodes", f"{d.nodes} node(s), {d.ranks_per_node} rank(s) per node"),
        (
            "host",
            f"{host.cpu_model}: {host.sockets} socket(s), {host.cores} cores, "
            f"{host.logical_cpus} logical CPUs, {bytes_text(host.memory_bytes)}",
        ),
        ("instruction sets", " ".join(host.isa_flags) or MISSING),
    ]
    for acc in d.accelerators:
        peaks = ", ".join(f"{t.value} {significant(v)}" for t, v in sorted(acc.peak_tflops.items()))
        bandwidth = acc.memory_bandwidth_gbps
        facts.append(
            (
                "accelerator",
                f"{acc.count}{TIMES} {acc.model}, {bytes_text(acc.memory_bytes)}"
                + (f"; peak TFLOP/s {peaks}" if peaks else "")
                + (f"; {significant(bandwidth)} GB/s" if bandwidth else ""),
            )
        )
    facts.append(("interconnect", d.interconnect or MISSING))
    software = [soft.os, f"kernel {soft.kernel}", f"Python {soft.python}", soft.framework]
    optional = (("BLAS", soft.blas), ("driver", soft.driver), ("CUDA", soft.cuda))
    software += [f"{name} {value}" for name, value in optional if value]
    software += [f"ROCm {soft.rocm}"] if soft.rocm else []
    if soft.mpi_library:
        software.append(f"{soft.mpi_library} ({soft.mpi_thread_level or 'thread level ?'})")
    facts.append(("software", ", ".join(software)))
    image = d.container
    if image is None:
        facts.append(("container", "none (ran natively)"))
    else:
        facts.append(("container", f"{image.image} via {image.runtime}"))
        facts.append(("image id", image.image_id))
        facts.append(("digest", image.repo_digest or "unpushed"))
        labels = ", ".join(f"{k}={v}" for k, v in sorted(image.labels.items()))
        facts.append(("labels", labels or MISSING))
    return facts


def system_facts(system: SystemView) -> TableView:
    """The system description, one fact per row."""
    return TableView(
        title=f"System {system.system_id}",
        anchor=f"facts-{system.key}",
        columns=(Column("fact"), Column("value", wrap=True)),
        rows=tuple(Row((Cell(label), Cell(value))) for label, value in _facts(system)),
    )


def bundles_table(system: SystemView) -> TableView:
    """The bundles a system submitted: what ran them and what the validator found."""
    rows = tuple(
        Row(
            (
                Cell(b.path),
                Cell(b.division.value),
                Cell(b.suite.value),
                Cell(b.profile),
                Cell(f"{b.backend}; harness {b.harness_version}"),
                Cell(b.container or "native"),
                Cell("valid", style="ok") if b.valid else Cell("invalid", style="fail"),
                _flags_cell(sorted({f.code for f in b.findings}), not b.valid),
            )
        )
        for b in system.bundles
    )
    names = ("bundle", "division", "suite", "profile", "ran with", "container", "status", "flags")
    wrapped = {"bundle", "ran with", "container", "flags"}
    return TableView(
        title=f"Bundles of {system.system_id}",
        anchor=f"bundles-{system.key}",
        columns=tuple(Column(n, wrap=n in wrapped) for n in names),
        rows=rows,
    )


def tables_for(
    leaderboard: Leaderboard, view: str = "scores", select: str | None = None
) -> list[TableView]:
    """The tables of one view; `select` is a glob on problem ids or system keys."""
    if view == "scores":
        return [score_table(b, leaderboard) for b in leaderboard.boards]
    if view == "problems":
        return [
            problem_table(p, leaderboard)
            for p in leaderboard.problems
            if select is None or fnmatch.fnmatchcase(p.problem_id, select)
        ]
    tables: list[TableView] = []
    for system in leaderboard.systems:
        if select is None or fnmatch.fnmatchcase(system.key, select):
            tables += [
                system_facts(system),
                bundles_table(system),
                system_results_table(system, leaderboard),
            ]
    return tables


def systems_table(leaderboard: Leaderboard) -> TableView:
    """Every system in the round: what it is, where it ran, and how many of its results count."""
    per_system: dict[str, list[ResultEntry]] = {s.key: [] for s in leaderboard.systems}
    for entry in leaderboard.results:
        per_system[entry.system].append(entry)
    rows = []
    for system in leaderboard.systems:
        d = system.description
        accelerators = ", ".join(f"{a.count}{TIMES} {a.model}" for a in d.accelerators)
        valid = sum(b.valid for b in system.bundles)
        counted = sum(e.state is not ResultState.REJECTED for e in per_system[system.key])
        image = d.container.image if d.container else "native"
        rows.append(
            Row(
                (
                    Cell(system.system_id, href=system_page(system.key)),
                    Cell(system.submitter),
                    Cell(d.status.value),
                    Cell(accelerators or f"{d.host.cpu_model} ({d.host.cores} cores)"),
                    Cell(image),
                    Cell(
                        f"{valid}/{len(system.bundles)}",
                        sort=valid,
                        style="" if valid == len(system.bundles) else "fail",
                    ),
                    Cell(str(counted), sort=counted),
                )
            )
        )
    names = ("system", "submitter", "status", "processors", "container")
    return TableView(
        title="Systems",
        anchor="systems",
        columns=(
            *(Column(n) for n in names),
            Column("valid bundles", True),
            Column("results counted", True),
        ),
        rows=tuple(rows),
    )
