"""Turns an all-reduce run into its bundle: rank 0 alone writes it, once every rank is done.

The records are the compute runner's (harness/records.py, the request event of harness/bundle.py,
the division rule of `schemas.RunRequest`). The system description is the probe's, plus what
only a multi-rank run knows: nodes (distinct hostnames), ranks per node, the rank to host to
device placement, the launcher and its job (Slurm's job id, step, partition, node list, tasks
per node, MPI plugin), the MPI library, version and thread level, and the interconnect.

A run that a watchdog ends (a node died, or `scancel`) still leaves a bundle on rank 0: marked
incomplete, with the job's facts and an error naming the case and the reason.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from harness import records
from harness.allreduce._launch import (
    Launch,
    detect_launch,
    job_launch,
    recorded_environment,
    topology,
)
from harness.allreduce._measure import CollectiveBackend
from harness.allreduce._run import (
    AllreduceRun,
    OnCase,
    Opener,
    collective_options,
    open_backend,
    run_allreduce,
)
from harness.allreduce._suite import ALLREDUCE
from harness.allreduce._watchdog import last_words
from harness.bundle import request_event, write_bundle
from harness.probe import describe_system
from schemas import (
    Backend,
    Direction,
    DType,
    KernelError,
    KernelResult,
    Precision,
    RunRequest,
    RunResult,
    SystemDescription,
)

# The backends' library names, for a run that stopped before its communicator opened.
_BACKEND_NAMES = {"mpi": "mpi4py", "torch": "torch.distributed"}


@dataclass
class _Progress:
    """What rank 0 knows of a run in flight: enough for the bundle of a run that never ends."""

    started: datetime
    backend: CollectiveBackend | None = None
    case: str = ""
    done: int = 0
    total: int = 0
    events: list[dict[str, object]] = field(default_factory=list)


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
    progress = _Progress(started=datetime.now(UTC))
    launch = detect_launch()

    def opening(request: RunRequest, launch: Launch) -> CollectiveBackend:
        progress.backend = opener(request, launch)
        return progress.backend

    def following(done: int, total: int, label: str) -> None:
        progress.done, progress.total, progress.case = done, total, label
        on_case(done, total, label)

    def write(
        run: AllreduceRun | None,
        backend: Backend,
        results: Sequence[KernelResult],
        errors: Sequence[KernelError],
    ) -> RunResult:
        system = describe_system(system_id=system_id, submitter=submitter)
        result = RunResult(
            run_id=f"{progress.started:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}",
            harness_version=records.harness_version(),
            suite=ALLREDUCE,
            profile=request.profile,
            division=request.division(),
            rules_version=records.RULES_VERSION,
            started_utc=progress.started,
            finished_utc=datetime.now(UTC),
            command_line=tuple(command_line),
            seed=request.seed,
            complete=run is not None,
            backend=backend,
            results=tuple(results),
            errors=tuple(errors),
        )
        events: list[dict[str, object]] = [request_event(request)]
        events += [
            {"event": "case", "case": r.problem.id, "median_ns": r.stats.median_ns} for r in results
        ]
        facts = with_run_facts(system, run) if run is not None else with_job(system, launch)
        write_bundle(out / ALLREDUCE, result, facts, events)
        return result

    def write_incomplete(why: str, step: str) -> None:
        backend = progress.backend
        facts = backend.facts() if backend is not None else None  # local: no message to peers
        record = records.backend(
            facts.name if facts else _BACKEND_NAMES[collective_options(request).backend],
            backend.device if backend is not None else request.device,
            threads=facts.threads if facts else 1,
            library_versions=facts.library_versions if facts else {},
            environment=_launch_environment(launch),
        )
        write(None, record, (), (_stopped_error(progress.case or step, why),))

    if launch.rank != 0:
        run_allreduce(request, following, opener=opening)
        return None
    with last_words(write_incomplete):
        run = run_allreduce(request, following, opener=opening)
    return write(run, backend_record(run), run.results, run.errors)


def _stopped_error(case: str, why: str) -> KernelError:
    """The error entry of the case a run stopped in ('allreduce/x/1 fp32 in-place', as labelled)."""
    problem_id, _, rest = case.partition(" ")
    dtype = next((d for d in DType if rest.startswith(f"{d.value} ")), None)
    precision = Precision(input=dtype, compute=dtype, output=dtype) if dtype else None
    return KernelError(
        problem_id=problem_id or "allreduce",
        direction=Direction.FWD,
        precision=precision,
        message=f"the run stopped at {case or 'its start'}: {why}",
    )


def with_job(system: SystemDescription, launch: Launch) -> SystemDescription:
    """The probed description with the launcher's job and the nodes it planned."""
    job = job_launch(launch)
    update: dict[str, object] = {"job": job.model_dump() if job is not None else None}
    if job is not None and job.node_list:
        update |= {
            "nodes": len(job.node_list),
            "ranks_per_node": max(job.tasks_per_node, default=1),
        }
    return SystemDescription.model_validate(system.model_dump() | update)


def with_run_facts(system: SystemDescription, run: AllreduceRun) -> SystemDescription:
    """The probed description with the run's nodes, placement, job, MPI and interconnect."""
    shape = topology(run.placement, run.facts.transport)
    software = system.software.model_copy(
        update={
            "mpi_library": run.facts.mpi_library or system.software.mpi_library,
            "mpi_thread_level": run.facts.mpi_thread_level or system.software.mpi_thread_level,
        }
    )
    return SystemDescription.model_validate(
        with_job(system, run.launch).model_dump()
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
        environment=_launch_environment(run.launch),
    )


def _launch_environment(launch: Launch) -> dict[str, str]:
    """The settings recorded with the backend: MPI's and the launcher's."""
    return recorded_environment() | {"launcher": launch.launcher, "ranks": str(launch.size)}
