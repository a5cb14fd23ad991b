"""Runs the all-reduce suite on every rank of a launched job, under a watchdog.

Every rank walks the same cases in the same order and makes the same collective calls; any
decision that could differ between ranks (an allocation that failed on one of them) is agreed
on first. Failures of one kernel become `errors[]` entries; a broken communicator ends the run
with an error, and a rank that stops answering ends it through the watchdog.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from harness.collective import CollectiveBackend, CollectiveFacts, measure_collective
from harness.launch import Launch, detect, placement_entry, placements
from harness.launch_watchdog import Watchdog
from harness.suites import allreduce
from schemas import (
    Direction,
    DType,
    KernelError,
    KernelPerfError,
    KernelResult,
    Precision,
    Problem,
    ProblemSet,
    Profile,
    RankPlacement,
    UsageError,
)
from schemas.suites.allreduce import AllreduceParams

BackendName = Literal["mpi", "torch"]


@dataclass(frozen=True)
class AllreduceRequest:
    """What the user asked for."""

    backend: BackendName
    device: str
    profile: Profile
    dtypes: tuple[DType, ...]
    seed: int
    timeout_s: float
    sweep: allreduce.Sweep | None = None
    problem_set: ProblemSet | None = None
    id_glob: str | None = None


@dataclass(frozen=True)
class Case:
    """One all-reduce to time."""

    problem: Problem
    dtype: DType
    in_place: bool

    @property
    def label(self) -> str:
        """Short human name, e.g. 'allreduce/train/002 fp32 out-of-place'."""
        mode = "in-place" if self.in_place else "out-of-place"
        return f"{self.problem.id} {self.dtype.value} {mode}"


@dataclass(frozen=True)
class AllreduceRun:
    """What all ranks measured together; every rank holds the same, rank 0 writes it."""

    launch: Launch
    device: str
    facts: CollectiveFacts
    placement: tuple[RankPlacement, ...]
    results: tuple[KernelResult, ...]
    errors: tuple[KernelError, ...]


def open_backend(request: AllreduceRequest, launch: Launch) -> CollectiveBackend:
    """The communicator the request names; torch is imported only when asked for."""
    if request.backend == "mpi":
        if request.device != "cpu":
            raise UsageError(
                f"the mpi backend reduces numpy arrays in host memory, not on {request.device}",
                where="--backend mpi --device",
                fix="use --backend torch for --device cuda (NCCL)",
            )
        from harness.collective_mpi import MpiBackend

        return MpiBackend()
    from harness.collective_torch import TorchBackend

    return TorchBackend(launch, request.device, request.timeout_s)


def plan(request: AllreduceRequest, backend: CollectiveBackend) -> tuple[Case, ...]:
    """Every case, in the order all ranks run them: dtype, then size, then out/in place."""
    modes = (False, True) if backend.out_of_place else (True,)
    return tuple(
        Case(problem, dtype, in_place)
        for dtype in request.dtypes
        for problem in allreduce.select_problems(
            request.profile,
            dtype,
            sweep=request.sweep,
            problem_set=request.problem_set,
            id_glob=request.id_glob,
        )
        # An unsupported dtype gives one error per problem, not one per mode.
        for in_place in (modes if dtype in backend.dtypes else modes[:1])
    )


Opener = Callable[[AllreduceRequest, Launch], CollectiveBackend]
# Told (cases done, cases in all, the case starting now) before each case and once at the end.
OnCase = Callable[[int, int, str], None]


def run_allreduce(
    request: AllreduceRequest,
    on_case: OnCase = lambda done, total, label: None,
    *,
    opener: Opener = open_backend,
) -> AllreduceRun:
    """Runs every case on this rank, in step with the others, telling `on_case` as it goes.

    `opener` makes the communicator; tests pass one that wraps it to inject faults.
    """
    launch = detect()
    with Watchdog(request.timeout_s, launch.rank) as watchdog:
        backend = opener(request, launch)
        watchdog.outlive_errors()
        cases = plan(request, backend)
        if not cases:
            raise UsageError(
                "no all-reduce problem matches the selection",
                where="--set, --filter, --min-bytes/--max-bytes",
                fix="run `kernelperf problems --suite allreduce` to see the ids",
            )
        results: list[KernelResult] = []
        errors: list[KernelError] = []
        for done, case in enumerate(cases):
            watchdog.kick(case.label)
            on_case(done, len(cases), case.label)
            try:
                outcome = _run_case(request, backend, case, watchdog)
            except backend.errors as exc:
                raise KernelPerfError(
                    f"the all-reduce failed on rank {backend.rank}: {exc}",
                    where=case.label,
                    fix="look for a failed rank or node in the launcher's output",
                ) from exc
            if isinstance(outcome, KernelResult):
                results.append(outcome)
            else:
                errors.append(outcome)
        on_case(len(cases), len(cases), "")
        watchdog.kick("gathering the placement")
        placement = placements(backend.gather_text(placement_entry(backend.rank, backend.device)))
        facts = backend.facts()
        backend.close()
    return AllreduceRun(
        launch=launch,
        device=backend.device,
        facts=facts,
        placement=placement,
        results=tuple(results),
        errors=tuple(errors),
    )


def _run_case(
    request: AllreduceRequest, backend: CollectiveBackend, case: Case, watchdog: Watchdog
) -> KernelResult | KernelError:
    """Checks, then times one case; an error entry when it cannot run on every rank."""
    precision = Precision(input=case.dtype, compute=case.dtype, output=case.dtype)

    def error(message: str) -> KernelError:
        return KernelError(
            problem_id=case.problem.id,
            direction=Direction.FWD,
            precision=precision,
            message=message,
        )

    if case.dtype not in backend.dtypes:
        return error(f"{backend.facts().name} on this system has no {case.dtype.value} reduction")
    assert isinstance(case.problem.params, AllreduceParams)
    count = case.problem.params.count
    try:
        buffers = backend.buffers(count, case.dtype, case.in_place)
        allocated = 1.0
    except MemoryError:
        allocated = 0.0
    # Every rank must skip together: a rank that alone went on would wait forever.
    (failed_somewhere,) = backend.max_across_ranks([1.0 - allocated])
    if failed_somewhere:
        return error(f"{count} elements did not fit in memory on every rank")
    correctness = allreduce.check_exact_sum(backend, buffers, count, case.dtype, request.seed)
    timing = measure_collective(
        backend,
        buffers.kernel(),
        allreduce.POLICIES[request.profile],
        progress=lambda phase: watchdog.kick(f"{case.label}: {phase}"),
    )
    return allreduce.kernel_result(
        case.problem,
        case.dtype,
        ranks=backend.size,
        in_place=case.in_place,
        timing=timing,
        correctness=correctness,
        seed=request.seed,
    )
