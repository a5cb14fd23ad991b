"""Runs the all-reduce suite on every rank of a launched job, under a watchdog.

Every rank walks the same cases in the same order and makes the same collective calls; any
decision that could differ between ranks (an allocation that failed on one of them) is agreed
on first. Failures of one kernel become `errors[]` entries, as in the compute runner; a broken
communicator ends the run with an error, and a rank that stops answering ends it through the
watchdog.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from harness.allreduce import _suite
from harness.allreduce._launch import Launch, detect_launch, placement_entry, placements
from harness.allreduce._measure import (
    CollectiveBackend,
    CollectiveBuffers,
    CollectiveFacts,
    PythonBatches,
    SampleLoop,
    measure_collective,
)
from harness.allreduce._suite import CollectiveCase, collective_case
from harness.allreduce._watchdog import Watchdog
from harness.records import kernel_error
from schemas import (
    CollectiveOptions,
    KernelError,
    KernelPerfError,
    KernelResult,
    MeasurementError,
    RankPlacement,
    RunRequest,
    TimingLoop,
    UsageError,
)
from schemas.suites.allreduce import AllreduceParams


@dataclass(frozen=True)
class AllreduceRun:
    """What all ranks measured together; every rank holds the same, rank 0 writes it."""

    launch: Launch
    device: str
    facts: CollectiveFacts
    placement: tuple[RankPlacement, ...]
    results: tuple[KernelResult, ...]
    errors: tuple[KernelError, ...]


def collective_options(request: RunRequest) -> CollectiveOptions:
    """The request's collective options; a request without them is a bug of its caller."""
    if request.collective is None:
        raise ValueError("an all-reduce run needs a request with collective options")
    return request.collective


def open_backend(request: RunRequest, launch: Launch) -> CollectiveBackend:
    """The communicator the request names; torch is imported only when asked for."""
    options = collective_options(request)
    if options.backend == "mpi":
        if request.device != "cpu":
            raise UsageError(
                f"the mpi backend reduces numpy arrays in host memory, not on {request.device}",
                where="--backend mpi --device",
                fix="use --backend torch for --device cuda (NCCL)",
            )
        from harness.allreduce._mpi import MpiBackend

        return MpiBackend()
    from harness.allreduce._torch import TorchBackend

    return TorchBackend(launch, request.device, options.timeout_s)


def plan(request: RunRequest, backend: CollectiveBackend) -> tuple[CollectiveCase, ...]:
    """Every case, in the order all ranks run them: dtype, then size, then out/in place."""
    modes = (False, True) if backend.out_of_place else (True,)
    sweep = collective_options(request).sweep
    return tuple(
        collective_case(problem, dtype, in_place=in_place)
        for dtype in request.dtypes
        for problem in _suite.select_problems(
            request.profile,
            dtype,
            sweep=sweep,
            problem_set=request.problem_set,
            id_glob=request.id_glob,
        )
        # An unsupported dtype gives one error per problem, not one per mode.
        for in_place in (modes if dtype in backend.dtypes else modes[:1])
    )


Opener = Callable[[RunRequest, Launch], CollectiveBackend]
# Told (cases done, cases in all, the case starting now) before each case and once at the end.
OnCase = Callable[[int, int, str], None]


def run_allreduce(
    request: RunRequest,
    on_case: OnCase = lambda done, total, label: None,
    *,
    opener: Opener = open_backend,
) -> AllreduceRun:
    """Runs every case on this rank, in step with the others, telling `on_case` as it goes.

    `opener` makes the communicator; tests pass one that wraps it to inject faults.
    """
    launch = detect_launch()
    with Watchdog(collective_options(request).timeout_s, launch.rank) as watchdog:
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
                results.append(_run_case(request, backend, case, watchdog))
            except MeasurementError as exc:  # the same on every rank: the run goes on
                errors.append(kernel_error(case.problem.id, case.direction, case.precision, exc))
            except backend.errors as exc:
                raise KernelPerfError(
                    f"the all-reduce failed on rank {backend.rank}: {exc}",
                    where=case.label,
                    fix="look for a failed rank or node in the launcher's output",
                ) from exc
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


def agreed_loop(
    backend: CollectiveBackend, buffers: CollectiveBuffers, options: CollectiveOptions
) -> SampleLoop:
    """The loop every rank times with: native only where every rank has it.

    Ranks that timed with different loops would still make the same calls, but the result
    would record one method for two. `--loop native` where some rank has none is a usage error,
    raised on every rank alike.
    """
    wanted = TimingLoop.PYTHON if options.loop == "python" else TimingLoop.NATIVE
    loop = backend.sample_loop(buffers, wanted)
    (python_somewhere,) = backend.max_across_ranks([float(loop.loop is TimingLoop.PYTHON)])
    if python_somewhere and loop.loop is TimingLoop.NATIVE:
        loop = PythonBatches(buffers.kernel(), fallback="another rank has no native loop")
    if python_somewhere and options.loop == "native":
        raise UsageError(
            "the native timing loop is not available on every rank",
            where=f"--loop native (rank {backend.rank}: {loop.fallback or 'python'})",
            fix="install the MPI's mpicc and a C compiler on every node, or use --loop auto",
        )
    return loop


def _run_case(
    request: RunRequest, backend: CollectiveBackend, case: CollectiveCase, watchdog: Watchdog
) -> KernelResult:
    """Checks, then times one case; MeasurementError when it cannot run on every rank."""
    dtype = case.precision.input
    if dtype not in backend.dtypes:
        raise MeasurementError(
            f"{backend.facts().name} on this system has no {dtype.value} reduction",
            where=case.label,
            fix="leave this precision out (--dtype) or use the other --backend",
        )
    params = case.problem.params
    assert isinstance(params, AllreduceParams)
    try:
        buffers = backend.buffers(params.count, dtype, case.in_place)
        allocated = 1.0
    except MemoryError:
        allocated = 0.0
    # Every rank must skip together: a rank that alone went on would wait forever.
    (failed_somewhere,) = backend.max_across_ranks([1.0 - allocated])
    if failed_somewhere:
        raise MeasurementError(
            f"{params.count} elements did not fit in memory on every rank",
            where=case.label,
            fix="leave the largest sizes out (--filter or --max-bytes)",
        )
    correctness = _suite.check_exact_sum(backend, buffers, params.count, dtype, request.seed)
    options = collective_options(request)
    timing = measure_collective(
        backend,
        agreed_loop(backend, buffers, options),
        _suite.POLICIES[request.profile],
        min_sample_ns=options.min_sample_us * 1e3,
        progress=lambda phase: watchdog.kick(f"{case.label}: {phase}"),
    )
    return _suite.kernel_result(
        case, ranks=backend.size, timing=timing, correctness=correctness, seed=request.seed
    )
