"""Runs compute suites: each case prepared, checked, timed and recorded; one bundle per suite.

Per case: `prepare` (inputs, first call), the correctness check (outside timing), then the timing
engine; on a GPU the check runs again after the timed calls (a graph that captured nothing, or a
kernel on the wrong stream, shows there), and NVML reads the GPU's state before and after. Any
exception a kernel raises becomes an error entry, classified (harness/failures.py), and the run
goes on, except after a sticky device error: the CUDA context is then unusable, so the bundle is
written incomplete and the run ends. The bundle is rewritten atomically every few cases with
complete=false, so that Ctrl-C, a crash or the time budget leave what was measured so far;
`--resume` continues from there (harness/checkpoint.py).

Recording order: the precision settings the suites run under (`strict_precision`) are applied
before the backend record reads them, so `result.json` states what the kernels ran with.
"""

from __future__ import annotations

import dataclasses
import gc
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

import torch

from harness import nvml
from harness.bundle import request_event, write_bundle
from harness.checkpoint import PriorRun, case_key
from harness.plan import POLICIES, SuitePlan, run_options
from harness.probe import device_properties, nvidia_topology
from harness.records import (
    RULES_VERSION,
    harness_version,
    kernel_error,
    kernel_result,
    torch_backend,
)
from harness.suites.base import Case, ComputeSuite, RunOptions
from harness.suites.contracts import strict_precision
from harness.timing import Clock, HostClock, TimingPolicy, measure
from schemas import (
    Correctness,
    KernelError,
    KernelPerfError,
    KernelResult,
    RunRequest,
    RunResult,
    Suite,
    SystemDescription,
    UsageError,
)
from schemas.result import ErrorKind, GpuState, GpuStates

Outcome = KernelResult | KernelError
# A checkpoint after this many cases or seconds, whichever comes first.
CHECKPOINT_CASES = 5
CHECKPOINT_S = 30.0


class RunObserver(Protocol):
    """Sees the run's progress (the CLI draws a progress bar from it)."""

    def suite_started(self, plan: SuitePlan, done: int) -> None:
        """A suite begins; `done` of its cases were recorded by an earlier run."""

    def case_started(self, case: Case) -> None:
        """One case is about to be prepared, checked and timed."""

    def case_finished(self, case: Case, outcome: Outcome) -> None:
        """One case ended, as a result or as an error entry."""

    def suite_finished(self, plan: SuitePlan) -> None:
        """The suite's bundle is written."""


class SilentObserver:
    """An observer that shows nothing (tests, and output that is not a terminal)."""

    def suite_started(self, plan: SuitePlan, done: int) -> None:
        """Nothing to show."""

    def case_started(self, case: Case) -> None:
        """Nothing to show."""

    def case_finished(self, case: Case, outcome: Outcome) -> None:
        """Nothing to show."""

    def suite_finished(self, plan: SuitePlan) -> None:
        """Nothing to show."""


@dataclass(frozen=True)
class SuiteRun:
    """A suite's bundle as written: where, and what it holds."""

    path: Path
    run: RunResult


@dataclass
class _Bundle:
    """The growing record of one suite's run; `write` checkpoints it atomically."""

    target: Path
    run: RunResult
    system: SystemDescription
    events: list[dict[str, object]]
    outcomes: list[Outcome] = field(default_factory=list)

    def write(self, *, complete: bool) -> RunResult:
        results = tuple(o for o in self.outcomes if isinstance(o, KernelResult))
        errors = tuple(o for o in self.outcomes if isinstance(o, KernelError))
        self.run = self.run.model_copy(
            update={
                "finished_utc": datetime.now(UTC),
                "complete": complete,
                "results": results,
                "errors": errors,
            }
        )
        write_bundle(self.target, self.run, self.system, self.events)
        return self.run


def resolve_device(device: str) -> str:
    """'cpu', or a CUDA device made concrete ('cuda:0') and made current; UsageError when torch
    has no CUDA here or no such device."""
    if device == "cpu":
        return device
    if device.startswith("cuda"):
        if not torch.cuda.is_available():
            raise UsageError(
                "CUDA is not available to torch on this machine",
                where=f"--device {device}",
                fix="run with --device cpu, or on a machine with a CUDA build of torch and a GPU",
            )
        concrete = device if ":" in device else f"cuda:{torch.cuda.current_device()}"
        bind_device(concrete)
        return concrete
    raise UsageError(f"unknown device {device!r}", where="--device", fix="use cpu or cuda")


def bind_device(device: str) -> None:
    """Makes `device` ('cuda:N') torch's current device.

    Graph capture, events and `current_stream` all follow the current device: left at cuda:0
    while the tensors live on cuda:1, a captured graph is empty and its replay times nothing.
    """
    _, _, number = device.partition(":")
    count = torch.cuda.device_count()
    if not number.isdigit() or int(number) >= count:
        raise UsageError(
            f"no device {device!r}: torch sees {count} CUDA device(s)",
            where=f"--device {device}",
            fix=f"choose one of cuda:0..cuda:{count - 1}" if count else "run with --device cpu",
        )
    torch.cuda.set_device(torch.device(device))


def clock_for(device: str) -> Clock:
    """Host clock on CPU; device events (L2 flush, graphs for tiny kernels) on CUDA."""
    if device.startswith("cuda"):
        from harness.cuda_clock import CudaEventClock

        return CudaEventClock.on(device)
    return HostClock()


def gpu_state(device: str) -> GpuState | None:
    """NVML's reading of the GPU behind `device` now; None on CPU or without NVML."""
    if not device.startswith("cuda") or not nvml.available():
        return None
    uuid = str(getattr(torch.cuda.get_device_properties(torch.device(device)), "uuid", ""))
    return nvml.state(uuid)


def _states(before: GpuState | None, after: GpuState | None) -> GpuStates | None:
    if before is None or after is None:
        return None
    throttled = bool(before.throttle_reasons or after.throttle_reasons)
    return GpuStates(before=before, after=after, throttled=throttled)


def _worse(first: Correctness, again: Correctness) -> Correctness:
    """The check to record of two: a failing one, else the larger error."""
    if first.passed != again.passed:
        return first if not first.passed else again
    return first if first.error >= again.error else again


def run_case(
    suite: ComputeSuite, case: Case, options: RunOptions, policy: TimingPolicy, clock: Clock
) -> Outcome:
    """Prepare, check, time and record one case; whatever it raises becomes an error entry."""
    before = gpu_state(options.device)
    try:
        prepared = suite.prepare(case, options)
        correctness = prepared.check()
        timing = measure(prepared.kernel, policy, clock)
        if options.device != "cpu":
            timing = dataclasses.replace(timing, page_faults=None)
            correctness = _worse(correctness, prepared.check())
        outcome: Outcome = kernel_result(
            case.problem,
            case.direction,
            case.precision,
            timing,
            correctness,
            bytes_moved=prepared.bytes_moved,
            seed=options.seed,
            gpu_state=_states(before, gpu_state(options.device)),
        )
    except Exception as exc:  # any failure of one kernel is recorded; the run goes on
        error = kernel_error(case.problem.id, case.direction, case.precision, exc)
        if error.kind is ErrorKind.DEVICE_FAILURE:
            return error  # the context is broken: releasing memory would raise again
        outcome = error
    _release(options.device)
    return outcome


def _release(device: str) -> None:
    """Hands a finished case's GPU buffers back, so the next case starts with the memory free.

    On the CPU reference counting has freed them already; a full collection (tens of ms with
    torch loaded) would only slow a run of hundreds of cases down.
    """
    if device.startswith("cuda"):
        gc.collect()
        torch.cuda.empty_cache()


def _event(case: Case, outcome: Outcome, started: datetime) -> dict[str, object]:
    """One log line per case, with when it began and ended: the validator checks that the
    samples and warm-ups fit in that window."""
    entry: dict[str, object] = {
        "event": "case",
        "case": case.label,
        "started_utc": started,
        "t_utc": datetime.now(UTC),
    }
    if isinstance(outcome, KernelResult):
        entry |= {
            "median_ns": outcome.stats.median_ns,
            "passed": bool(outcome.correctness and outcome.correctness.passed),
        }
    else:
        entry["error"] = outcome.message
    return entry


class DeviceFailureError(KernelPerfError):
    """A sticky device error ended the run; its bundle holds what was measured before it."""

    def __init__(self, case: Case, error: KernelError) -> None:
        super().__init__(
            f"the device failed and cannot run further kernels: {error.message}",
            where=case.label,
            fix=(
                "the bundle is incomplete; check the GPU (nvidia-smi -q, dmesg for Xid errors), "
                "then continue with `kernelperf run --resume`"
            ),
        )


class Runner:
    """Runs the plans of one request against one system, writing bundles under `out`."""

    def __init__(
        self,
        request: RunRequest,
        system: SystemDescription,
        out: Path,
        *,
        command_line: Sequence[str],
        observer: RunObserver | None = None,
        deadline: float | None = None,
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        self.request = request
        self.system = system
        self.out = out
        self.command_line = tuple(command_line)
        self.observer = observer or SilentObserver()
        self.deadline = deadline
        self.now = now
        self.stopped_early = False
        self.threads = request.threads or torch.get_num_threads()

    def run(
        self, plans: Sequence[SuitePlan], priors: Mapping[Suite, PriorRun] | None = None
    ) -> list[SuiteRun]:
        """Runs each plan in turn, continuing a prior bundle where one is given.

        A suite not begun when the time budget ran out gets no bundle; `--resume` runs it.
        """
        torch.set_num_threads(self.threads)
        # Before any backend is recorded: the record must state the settings the kernels run with.
        strict_precision(self.request.device)
        runs = []
        for plan in plans:
            prior = (priors or {}).get(plan.suite.suite)
            if prior is not None and prior.run.complete:
                runs.append(SuiteRun(self.out / plan.suite.suite, prior.run))
            elif self._out_of_time():
                self.stopped_early = True
            else:
                runs.append(self._run_suite(plan, prior))
        return runs

    def _out_of_time(self) -> bool:
        return self.deadline is not None and self.now() >= self.deadline

    def _start(self, plan: SuitePlan, prior: PriorRun | None) -> _Bundle:
        """A new bundle record, or the prior one with a note that the run resumed."""
        target = self.out / plan.suite.suite
        if prior is not None:
            resumed: dict[str, object] = {"event": "resumed", "command_line": self.command_line}
            events = [*prior.events, resumed]
            bundle = _Bundle(target, prior.run, self.system, events)
            bundle.outcomes.extend([*prior.run.results, *prior.run.errors])
            return bundle
        started = datetime.now(UTC)
        run = RunResult(
            run_id=f"{started:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}",
            harness_version=harness_version(),
            suite=plan.suite.suite,
            profile=self.request.profile,
            division=self.request.division(),
            rules_version=RULES_VERSION,
            started_utc=started,
            finished_utc=started,
            command_line=self.command_line,
            seed=self.request.seed,
            complete=False,
            backend=torch_backend(self.request.device, self.threads),
            results=(),
            errors=(),
        )
        events = [request_event(self.request)]
        if self.request.device.startswith("cuda"):
            # Clocks, SM count and L2 size: what a reader needs to judge a GPU's figures.
            events.append({"event": "cuda_devices", "properties": device_properties()})
            events.append({"event": "cuda_topology", "nvidia_smi_topo": nvidia_topology()})
        return _Bundle(target, run, self.system, events)

    def _run_suite(self, plan: SuitePlan, prior: PriorRun | None) -> SuiteRun:
        """The suite's missing cases, checkpointed; complete only when none was left out."""
        bundle = self._start(plan, prior)
        done = prior.done() if prior else frozenset()
        todo = [case for case in plan.cases if case_key(case) not in done]
        self.observer.suite_started(plan, len(plan.cases) - len(todo))
        options = run_options(self.request)
        policy = POLICIES[self.request.profile]
        clock = clock_for(self.request.device)
        since_checkpoint, checkpoint_at = 0, self.now()
        complete = False
        try:
            for case in todo:
                if self._out_of_time():
                    self.stopped_early = True
                    break
                self.observer.case_started(case)
                started = datetime.now(UTC)
                outcome = run_case(plan.suite, case, options, policy, clock)
                bundle.outcomes.append(outcome)
                bundle.events.append(_event(case, outcome, started))
                self.observer.case_finished(case, outcome)
                if isinstance(outcome, KernelError) and outcome.kind is ErrorKind.DEVICE_FAILURE:
                    raise DeviceFailureError(case, outcome)
                since_checkpoint += 1
                overdue = self.now() - checkpoint_at > CHECKPOINT_S
                if since_checkpoint >= CHECKPOINT_CASES or overdue:
                    bundle.write(complete=False)
                    since_checkpoint, checkpoint_at = 0, self.now()
            else:
                complete = True
        finally:
            # Interrupted or not, the bundle on disk holds every case measured so far.
            run = bundle.write(complete=complete)
        self.observer.suite_finished(plan)
        return SuiteRun(bundle.target, run)
