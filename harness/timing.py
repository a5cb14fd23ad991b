"""The one timing engine every suite uses: warm up, adapt the sample count, keep every sample.

Modelled on `torch.utils.benchmark` and `triton.testing.do_bench`: warm-up calls are never
timed, the number of samples adapts to a time budget, and the clock is a strategy so that CPU
runs read `perf_counter_ns` while CUDA runs read events after synchronising.
"""

from __future__ import annotations

import math
import resource
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from schemas import Timer, TimingLoop, TimingMethod
from schemas.result import TimingRegime

Kernel = Callable[[], object]


class MultiLaunchKernel:
    """A kernel whose one call launches many device kernels (an RNN's Python step loop).

    Timed call by call on a GPU, such a call measures the host dispatching its launches; the
    CUDA clock captures the whole call as one graph (or queues it behind a blocking kernel)
    instead. On the CPU it is just the call.
    """

    def __init__(self, call: Kernel) -> None:
        self.call = call
        """The call itself, for tools that time it without a graph (tests/tools/gpu_check.py)."""

    def __call__(self) -> object:
        return self.call()


@dataclass(frozen=True)
class TimingPolicy:
    """How long to warm up and how many samples to take."""

    min_warmup_calls: int = 2
    warmup_s: float = 0.05
    min_samples: int = 5
    max_samples: int = 10_000
    budget_s: float = 0.5

    def sample_count(self, estimate_ns: float) -> int:
        """Samples that fit the budget at the estimated cost per call, within the bounds."""
        fitting = int(self.budget_s * 1e9 / max(estimate_ns, 1.0))
        return max(self.min_samples, min(self.max_samples, fitting))

    def top_up(self, samples: int, measured_ns: float) -> int:
        """Further samples that fill the budget at the pace the samples themselves showed.

        The count is planned from warm-up calls, and a cold or descheduled warm-up call (a
        loaded machine, the first call of a smoke run) plans too few: without this, a result
        could fall short of the rules' minimum measured time.
        """
        missing_ns = self.budget_s * 1e9 - measured_ns
        if missing_ns <= 0 or samples >= self.max_samples:
            return 0
        pace_ns = max(measured_ns / max(samples, 1), 1.0)
        return min(self.max_samples - samples, math.ceil(missing_ns / pace_ns))

    def planned_s(self, call_s: float) -> float:
        """Seconds `measure` spends on a kernel whose calls take `call_s`: warm-up, then samples.

        The time policy per result: at least `min_samples` and about `budget_s` of samples (the
        rules' minimum measured time), so at most max(warmup_s + budget_s, (min_warmup_calls +
        min_samples) x call): a slow official problem is timed fewer times, never dropped.
        """
        warmup_calls = max(self.min_warmup_calls, math.ceil(self.warmup_s / max(call_s, 1e-9)))
        return (warmup_calls + self.sample_count(call_s * 1e9)) * call_s


@dataclass(frozen=True)
class Timing:
    """Raw result of timing one kernel."""

    samples_ns: tuple[int, ...]
    warmup_count: int
    timer: Timer
    page_faults: int | None = None
    """Minor page faults of this process during the timed calls (not the warm-up)."""
    regime: TimingRegime | None = None
    """How a device clock ran the samples (mode, calls per sample, L2 flushed); None on the host."""
    method: TimingMethod | None = None
    """How the samples were taken; None where nothing says (older callers)."""


class Clock(Protocol):
    """Times one call of a kernel, in nanoseconds, as the device saw it."""

    timer: Timer

    @property
    def calls_per_sample(self) -> int:
        """Kernel calls behind each sample: 1, or several when a CUDA graph replays them.

        A sample's wall time is this many times the per-call time `time_call` returns.
        """
        ...

    @property
    def regime(self) -> TimingRegime | None:
        """How the current kernel's samples are taken on a device; None for the host clock."""
        ...

    def time_call(self, kernel: Kernel) -> int:
        """Runs `kernel` once and returns its duration in ns."""
        ...

    def sync(self) -> None:
        """Waits until all queued work has finished."""
        ...


class HostClock:
    """`perf_counter_ns` around each call: right for synchronous CPU kernels."""

    timer = Timer.HOST_CLOCK
    calls_per_sample = 1
    regime = None

    def time_call(self, kernel: Kernel) -> int:
        """Runs `kernel` once between two reads of the monotonic clock.

        A call shorter than one tick of a coarse clock reads 0; samples must be positive (the
        statistics divide by them), so 1 ns is the floor.
        """
        start = time.perf_counter_ns()
        kernel()
        return max(1, time.perf_counter_ns() - start)

    def sync(self) -> None:
        """CPU kernels are synchronous: nothing to wait for."""


def measure(kernel: Kernel, policy: TimingPolicy, clock: Clock) -> Timing:
    """Warms `kernel` up, then times an adaptive number of calls and keeps every sample.

    Warm-up and budget are wall time: a sample that replays several calls costs that many
    calls, so both count a sample as `calls_per_sample` calls (known once the clock has seen
    the kernel, i.e. after the first sample).
    """
    warmup_samples = 0
    warmup_calls = 0
    warmup_ns = 0
    while warmup_samples < policy.min_warmup_calls or warmup_ns < policy.warmup_s * 1e9:
        per_call_ns = clock.time_call(kernel)
        warmup_samples += 1
        warmup_calls += clock.calls_per_sample
        warmup_ns += per_call_ns * clock.calls_per_sample
    clock.sync()
    count = policy.sample_count(warmup_ns / warmup_samples)
    faults_before = minor_faults()
    samples = [clock.time_call(kernel) for _ in range(count)]
    more = policy.top_up(len(samples), sum(samples) * clock.calls_per_sample)
    samples += [clock.time_call(kernel) for _ in range(more)]
    clock.sync()
    return Timing(
        samples_ns=tuple(samples),
        warmup_count=warmup_calls,
        timer=clock.timer,
        page_faults=minor_faults() - faults_before,
        regime=clock.regime,
        method=TimingMethod(loop=TimingLoop.PYTHON, calls_per_sample=clock.calls_per_sample),
    )


def minor_faults() -> int:
    """Minor page faults of this process so far.

    Thousands per call mean the allocator hands memory back to the OS between calls (glibc's
    trim and mmap thresholds; a conv ran 2× slower so here), so the count is kept with the samples.
    """
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt
