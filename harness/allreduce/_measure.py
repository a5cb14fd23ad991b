"""Times a collective the way nccl-tests and OSU do, over any backend that can run one.

Every rank must make the same calls in the same order, or the job deadlocks. So nothing here
is decided by one rank's own clock: warm-up length, calls per sample and sample count follow
from the slowest rank's warm-up, and rank 0's decision is broadcast so that not even a rounding
difference can split the ranks; the timed loop starts after an untimed barrier, and the samples
are reduced with MAX only after the loop, never inside it.

A sample is a batch of k back-to-back calls, k chosen so that it lasts at least the request's
`min_sample_us` (k = 1 keeps the per-call distribution); what runs the batch is a `SampleLoop`:
the native C loop (harness/allreduce/_native.py), Python, or a backend's own per-call clock.
"""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

from harness.timing import Kernel, Timing, TimingPolicy, minor_faults
from schemas import DType, Timer, TimingLoop, TimingMethod
from schemas.result import TimingMode, TimingRegime

Progress = Callable[[str], None]
# A batch needs no more calls than this: at 0.1 us a call it still lasts 100 us.
MAX_CALLS_PER_SAMPLE = 1_000


class SampleLoop(Protocol):
    """Runs timed batches of one all-reduce on this rank."""

    loop: TimingLoop
    batches: bool
    """False: it times one call per sample only (a device clock around each call)."""
    fallback: str | None
    """Why this is not the loop that was asked for, if it is not."""

    def run(self, samples: int, calls_per_sample: int) -> list[int]:
        """This rank's time of each of `samples` batches of `calls_per_sample` calls, in ns."""
        ...


class CollectiveBuffers(Protocol):
    """The send and receive buffers of one all-reduce, on the backend's device."""

    in_place: bool

    def load(self, values: npt.NDArray[np.uint8]) -> None:
        """Writes small exact integers into the input and poisons the output with zeros."""
        ...

    def kernel(self) -> Kernel:
        """One all-reduce (sum) of the input into the output, ready to call in a loop."""
        ...

    def output_chunks(self, chunk: int) -> Iterator[npt.NDArray[np.floating]]:
        """The output read back to host memory as float arrays of at most `chunk` elements."""
        ...


@dataclass(frozen=True)
class CollectiveFacts:
    """What a backend knows about the software it runs on, for the bundle."""

    name: str
    threads: int
    library_versions: dict[str, str]
    mpi_library: str | None
    mpi_thread_level: str | None
    transport: str


class CollectiveBackend(Protocol):
    """A communicator over all ranks, with the few control operations the harness needs.

    `errors` are the exceptions its library raises when the communicator breaks.
    `calls_per_sample` is how many back-to-back calls each sample of its own per-call clock
    averages inside the loop it hands out (NCCL batches small messages, nccl-tests style; 1
    where every call is timed alone).
    """

    rank: int
    size: int
    device: str
    timer: Timer
    dtypes: tuple[DType, ...]
    out_of_place: bool
    errors: tuple[type[BaseException], ...]
    calls_per_sample: int

    def buffers(self, count: int, dtype: DType, in_place: bool) -> CollectiveBuffers:
        """Allocates the buffers of one all-reduce; raises MemoryError when they do not fit."""
        ...

    def sample_loop(self, buffers: CollectiveBuffers, wanted: TimingLoop) -> SampleLoop:
        """The loop that times `buffers`' all-reduce: `wanted` where this backend has it."""
        ...

    def barrier(self) -> None:
        """Returns once every rank has entered it."""
        ...

    def max_across_ranks(self, values: Sequence[float]) -> tuple[float, ...]:
        """Element-wise maximum of `values` over all ranks, as float64."""
        ...

    def broadcast(self, values: Sequence[float]) -> tuple[float, ...]:
        """Rank 0's `values` on every rank (the others pass the same length)."""
        ...

    def gather_text(self, text: str) -> tuple[str, ...]:
        """Every rank's `text`, in rank order, on every rank."""
        ...

    def facts(self) -> CollectiveFacts:
        """Names and versions of the libraries in use."""
        ...

    def close(self) -> None:
        """Releases the communicator; the backend cannot be used afterwards."""
        ...


def host_clock_calls(kernel: Kernel, count: int) -> list[int]:
    """perf_counter_ns around each call, into a list allocated before the loop."""
    clock = time.perf_counter_ns
    samples = [0] * count
    for index in range(count):
        start = clock()
        kernel()
        samples[index] = clock() - start
    return samples


class PythonBatches:
    """perf_counter_ns around each batch of calls of a Python kernel."""

    loop = TimingLoop.PYTHON
    batches = True

    def __init__(self, kernel: Kernel, fallback: str | None = None) -> None:
        self._kernel = kernel
        self.fallback = fallback

    def run(self, samples: int, calls_per_sample: int) -> list[int]:
        """The batches, into a list allocated before the loop."""
        if calls_per_sample == 1:
            return host_clock_calls(self._kernel, samples)
        clock, kernel, calls = time.perf_counter_ns, self._kernel, range(calls_per_sample)
        batch_ns = [0] * samples
        for index in range(samples):
            start = clock()
            for _ in calls:
                kernel()
            batch_ns[index] = clock() - start
        return batch_ns


class PerCallLoop:
    """A backend's own clock around each call (CUDA events around each NCCL call)."""

    loop = TimingLoop.PYTHON
    batches = False

    def __init__(
        self,
        time_calls: Callable[[Kernel, int], list[int]],
        kernel: Kernel,
        fallback: str | None = None,
    ) -> None:
        self._time_calls = time_calls
        self._kernel = kernel
        self.fallback = fallback

    def run(self, samples: int, calls_per_sample: int) -> list[int]:
        """One call per sample whatever is asked: this clock cannot batch."""
        return self._time_calls(self._kernel, samples)


def calls_per_sample(per_call_ns: float, min_sample_ns: float, loop: SampleLoop) -> int:
    """Calls that make a sample last at least `min_sample_ns`, at most MAX_CALLS_PER_SAMPLE."""
    if not loop.batches:
        return 1
    return min(MAX_CALLS_PER_SAMPLE, max(1, math.ceil(min_sample_ns / max(per_call_ns, 1.0))))


def measure_collective(
    backend: CollectiveBackend,
    loop: SampleLoop,
    policy: TimingPolicy,
    *,
    min_sample_ns: float = 0.0,
    progress: Progress = lambda phase: None,
) -> Timing:
    """Warms up one call at a time, then times batches on every rank; the slowest rank's each.

    The slowest rank is the sample because a collective ends when its last rank does. The
    cost per call that sizes the run is the slowest rank's median warm-up call, the first left
    out (first calls pay for page faults and connection set-up); the batch follows from its
    fastest warm-up call.
    """
    progress("warm-up")
    first_ns = loop.run(policy.min_warmup_calls, 1)
    spent_ns, last_ns = backend.max_across_ranks([sum(first_ns), first_ns[-1]])
    (extra_warmup,) = backend.broadcast([_extra_warmup(policy, spent_ns, last_ns)])
    warmup_ns = first_ns + loop.run(int(extra_warmup), 1)
    steady_ns = warmup_ns[1:] or warmup_ns
    per_call_ns, fastest_ns = backend.max_across_ranks(
        [statistics.median(steady_ns), min(steady_ns)]
    )
    # The batch from the fastest call: a warm-up slowed by a busy machine (a rank descheduled
    # while the other spins) would otherwise leave tiny calls unbatched.
    batch = calls_per_sample(fastest_ns, min_sample_ns, loop)
    calls, samples = (
        int(n) for n in backend.broadcast([batch, policy.sample_count(per_call_ns * batch)])
    )
    progress("timed calls")
    backend.barrier()
    faults_before = minor_faults()
    slowest_ns = list(backend.max_across_ranks(loop.run(samples, calls)))
    # Every rank holds the same slowest samples, so every rank tops up by the same count.
    more = policy.top_up(len(slowest_ns), sum(slowest_ns))
    if more:
        slowest_ns += backend.max_across_ranks(loop.run(more, calls))
    (most_faults,) = backend.max_across_ranks([minor_faults() - faults_before])
    return Timing(
        # A call shorter than a clock tick reads 0; statistics need positive samples.
        samples_ns=tuple(max(1, round(ns / calls)) for ns in slowest_ns),
        warmup_count=len(warmup_ns),
        timer=backend.timer,
        page_faults=int(most_faults) if backend.timer is Timer.HOST_CLOCK else None,
        method=TimingMethod(loop=loop.loop, calls_per_sample=calls, fallback=loop.fallback),
        regime=(
            TimingRegime(
                mode=TimingMode.DIRECT,
                calls_per_sample=calls * backend.calls_per_sample,
                l2_flushed=False,
            )
            if backend.timer is Timer.DEVICE_EVENTS
            else None
        ),
    )


def _extra_warmup(policy: TimingPolicy, spent_ns: float, per_call_ns: float) -> int:
    """Further warm-up calls that fill the warm-up time at the pace of the latest call."""
    missing_ns = policy.warmup_s * 1e9 - spent_ns
    return min(max(0, math.ceil(missing_ns / max(per_call_ns, 1.0))), policy.max_samples)
