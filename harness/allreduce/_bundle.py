"""Turns an all-reduce run into its bundle: rank 0 alone writes it, once every rank is done.

The system description is the probe's, plus what only a multi-rank run knows: nodes (distinct
hostnames), ranks per node, the rank to host to device placement, the MPI library, version and
thread level, and the interconnect.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from harness.bundle import write_bundle
from harness.collective_run import (
    AllreduceRequest,
    AllreduceRun,
    OnCase,
    Opener,
    open_backend,
    run_allreduce,
)
from harness.launch import recorded_environment, topology
from harness.probe import describe_system
from harness.records import RULES_VERSION, device_name, harness_version, timing_environment
from harness.suites.allreduce import ALLREDUCE
from schemas import Backend, Division, Profile, RunResult, SystemDescription


def run_allreduce_suite(
    request: AllreduceRequest,
    out: Path,
    *,
    command_line: Sequence[str],
    system_id: str | None = None,
    submitter: str = "unsubmitted",
    on_case: OnCase = lambda done, total, label: None,
    opener: Opener = open_backend,
) -> Path | None:
    """Runs the suite on this rank; rank 0 writes `out/allreduce` and returns its path."""
    started = datetime.now(UTC)
    run = run_allreduce(request, on_case, opener=opener)
    if run.launch.rank != 0:
        return None
    system = with_run_facts(describe_system(system_id=system_id, submitter=submitter), run)
    result = RunResult(
        run_id=f"{started:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}",
        harness_version=harness_version(),
        suite=ALLREDUCE,
        profile=request.profile,
        division=division(request),
        rules_version=RULES_VERSION,
        started_utc=started,
        finished_utc=datetime.now(UTC),
        command_line=tuple(command_line),
        seed=request.seed,
        complete=True,
        backend=backend_record(run),
        results=run.results,
        errors=run.errors,
    )
    events: list[dict[str, object]] = [request_event(request, run)]
    events += [
        {"event": "case", "case": r.problem.id, "median_ns": r.stats.median_ns} for r in run.results
    ]
    return write_bundle(out / ALLREDUCE, result, system, events)


def division(request: AllreduceRequest) -> Division:
    """Closed needs DeepBench's sizes unfiltered at full size; a sweep is always open."""
    official = request.sweep is None and request.id_glob is None
    return Division.CLOSED if official and request.profile is Profile.FULL else Division.OPEN


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
    """The communication library as it ran, with the launcher and its settings."""
    environment = timing_environment() | recorded_environment()
    environment["launcher"] = run.launch.launcher
    environment["ranks"] = str(run.launch.size)
    return Backend(
        name=run.facts.name,
        device=run.device,
        device_name=device_name(run.device),
        threads=run.facts.threads,
        library_versions={"kernelperf": harness_version()} | run.facts.library_versions,
        environment=environment,
    )


def request_event(request: AllreduceRequest, run: AllreduceRun) -> dict[str, object]:
    """The request as the bundle's first log line."""
    return {
        "event": "allreduce_request",
        "backend": request.backend,
        "profile": request.profile.value,
        "device": request.device,
        "dtypes": [d.value for d in request.dtypes],
        "seed": request.seed,
        "timeout_s": request.timeout_s,
        "sweep": None if request.sweep is None else vars(request.sweep),
        "set": request.problem_set.value if request.problem_set else None,
        "filter": request.id_glob,
        "launcher": run.launch.launcher,
        "ranks": run.launch.size,
    }
