"""The tables about systems: the round's systems, one system's description, bundles and results.

Built from the Leaderboard like the score and problem tables in `views`, and laid out by the
same renderers; each result row carries its permalink anchor.
"""

from __future__ import annotations

from validator._audits import AuditStatus
from validator.leaderboard._audit import system_audit_text
from validator.leaderboard._model import Leaderboard, ResultEntry, ResultState, SystemView
from validator.leaderboard._naming import board_page, system_page
from validator.leaderboard._units import RANGE, TIMES, bytes_text, significant
from validator.leaderboard._views import (
    MISSING,
    Cell,
    Column,
    Row,
    TableView,
    audit_column,
    flags_cell,
    result_audit_cell,
    result_flags_cell,
    result_rank_cell,
    timing_cells,
    timing_column,
)

NOT_STATED = "not stated"


def system_results_table(system: SystemView, leaderboard: Leaderboard) -> TableView:
    """All results of one system, each row a permalink, with its timing where a board of them
    needs it."""
    entries = leaderboard.results_by_system[system.key]
    published = any(e.source for e in entries)
    # Timing shows where any of its boards needs it: a permalink reached from a board that
    # mixes methods says how this result was timed, the default included.
    boards = leaderboard.board_index
    methods = {m for e in entries for m in boards[e.board].timing_methods}
    rows = tuple(
        Row(
            (
                Cell(e.problem_id, href=f"{board_page(e.board)}#{e.problem_view}"),
                Cell(e.direction.value),
                Cell(e.variant),
                Cell(e.division.value),
                Cell(e.params),
                *timing_cells(e),
                Cell(e.unit),
                Cell(e.timing),
                result_rank_cell(e),
                result_audit_cell(e),
                result_flags_cell(e),
                *((Cell(e.source or ""),) if published else ()),
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
            timing_column(methods),
            Column("rank", True),
            audit_column([e.audit for e in entries]),
            Column("flags", wrap=True),
            *((Column("source (published)", wrap=True),) if published else ()),
        ),
        rows=rows,
        caption=f"{len(rows)} results; rank is within each problem",
    )


def _stated(count: int | None) -> str:
    """A declared count, or what a published system's source leaves out."""
    return NOT_STATED if count is None else str(count)


def _memory(size_bytes: int | None) -> str:
    return f"memory {NOT_STATED}" if size_bytes is None else bytes_text(size_bytes)


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
            f"{host.cpu_model}: {_stated(host.sockets)} socket(s), {_stated(host.cores)} cores, "
            f"{_stated(host.logical_cpus)} logical CPUs, {_memory(host.memory_bytes)}",
        ),
        ("instruction sets", " ".join(host.isa_flags) or MISSING),
        ("audit", system_audit_text(system.audit)),
    ]
    for acc in d.accelerators:
        peaks = ", ".join(f"{t.value} {significant(v)}" for t, v in sorted(acc.peak_tflops.items()))
        bandwidth = acc.memory_bandwidth_gbps
        facts.append(
            (
                "accelerator",
                f"{acc.count}{TIMES} {acc.model}, {_memory(acc.memory_bytes)}"
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
                flags_cell(sorted({f.code for f in b.findings}), not b.valid),
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
                    Cell(
                        system_audit_text(system.audit),
                        style="fail" if AuditStatus.FAILED in system.audit.values() else "",
                    ),
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
            Column("audit"),
        ),
        rows=tuple(rows),
    )
