"""Turns an all-reduce run into its bundle: rank 0 alone writes it, once every rank is done.

The records are the compute runner's (harness/records.py, the request event of harness/bundle.py,
the division rule of `schemas.RunRequest`). The system description is the probe's, plus what
only a multi-rank run knows: nodes (distinct hostnames), ranks per node, the rank to host to
device placement, the MPI library, version and thread level, and the interconnect.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from harness import records
from harness.allreduce._launch import recorded_environment, topology
from harness.allreduce._run import AllreduceRun, OnCase, Opener, open_backend, run_allreduce
from harness.allreduce._suite import ALLREDUCE
from harness.bundle import request_event, write_bundle
from harness.probe import describe_system
from schemas import Backend, RunRequest, RunResult, SystemDescription


def run_allreduce_suite(
    request: RunRequest,
    out: Path,
    *,
    command_line: Sequence[str],
    system_id: str | None = None,
    submitter: str = "unsubmitted",
    on_case: OnCase = lambda done, total, label: None,
    opener: Opener = open_backend,
) -> RunResult | None:
    """Runs the suite on this rank; rank 0 writes `out/allreduce` and returns what it wrote."""
    started = datetime.now(UTC)
    run = run_allreduce(request, on_case, opener=opener)
    if run.launch.rank != 0:
        return None
    system = with_run_facts(describe_system(system_id=system_id, submitter=submitter), run)
    result = RunResult(
        run_id=f"{started:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}",
        harness_version=records.harness_version(),
        suite=ALLREDUCE,
        profile=request.profile,
        division=request.division(),
        rules_version=records.RULES_VERSION,
        started_utc=started,
        finished_utc=datetime.now(UTC),
        command_line=tuple(command_line),
        seed=request.seed,
        complete=True,
        backend=backend_record(run),
        results=run.results,
        errors=run.errors,
    )
    events: list[dict[str, object]] = [request_event(request)]
    events += [
        {"event": "case", "case": r.problem.id, "median_ns": r.stats.median_ns} for r in run.results
    ]
    write_bundle(out / ALLREDUCE, result, system, events)
    return result


def with_run_facts(system: SystemDescription, run: AllreduceRun) -> SystemDescription:
    """The probed description with the run's nodes, placement, MPI and interconnect."""
    shape = topology(run.placement, run.facts.transport)
    software = system.software.model_copy(
        update={
            "mpi_library": run.facts.mpi_library or system.software.mpi_library,
            "mpi_thread_level": run.facts.mpi_thread_level or system.software.mpi_thread_level,
        }
    )
    return SystemDescription.model_validate(
        system.model_dump()
        | {
            "nodes": shape.nodes,
            "ranks_per_node": shape.ranks_per_node,
            "placement": [p.model_dump() for p in run.placement],
            "interconnect": shape.interconnect,
            "software": software.model_dump(),
        }
    )


def backend_record(run: AllreduceRun) -> Backend:
    """The communication library as it ran, with the launcher, the rank count and its settings."""
    return records.backend(
        run.facts.name,
        run.device,
        threads=run.facts.threads,
        library_versions=run.facts.library_versions,
        environment=recorded_environment()
        | {"launcher": run.launch.launcher, "ranks": str(run.launch.size)},
    )
