"""Times a collective the way nccl-tests and OSU do, over any backend that can run one.

Every rank must make the same calls in the same order, or the job deadlocks. So nothing here
is decided by one rank's own clock: warm-up length and sample count follow from the slowest
rank's warm-up, and rank 0's decision is broadcast so that not even a rounding difference can
split the ranks; the timed loop starts after an untimed barrier, and the per-call samples are
reduced with MAX only after the loop, never inside it.
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
from schemas import DType, Timer
from schemas.result import TimingMode, TimingRegime

Progress = Callable[[str], None]


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
    `calls_per_sample` is how many back-to-back calls each sample of `time_calls` averages
    (nccl-tests style batching of small messages; 1 where every call is timed alone).
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

    def time_calls(self, kernel: Kernel, count: int) -> list[int]:
        """Takes `count` samples of `calls_per_sample` back-to-back calls; ns per call of each."""
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


def measure_collective(
    backend: CollectiveBackend,
    kernel: Kernel,
    policy: TimingPolicy,
    progress: Progress = lambda phase: None,
) -> Timing:
    """Warms up, then times every call on every rank and keeps the slowest rank per call.

    The slowest rank is the sample because a collective ends when its last rank does. The
    cost per call that sizes the run is the slowest rank's median warm-up call, the first left
    out: first calls pay for page faults and connection set-up and would shrink the count.
    """
    progress("warm-up")
    # Wall time: a batched sample costs its calls_per_sample calls, in warm-up and budget alike.
    batch = backend.calls_per_sample
    first_ns = backend.time_calls(kernel, policy.min_warmup_calls)
    spent_ns, last_ns = backend.max_across_ranks([sum(first_ns) * batch, first_ns[-1] * batch])
    (extra_warmup,) = backend.broadcast([_extra_warmup(policy, spent_ns, last_ns)])
    warmup_ns = first_ns + backend.time_calls(kernel, int(extra_warmup))
    (per_call_ns,) = backend.max_across_ranks([statistics.median(warmup_ns[1:] or warmup_ns)])
    (samples,) = backend.broadcast([policy.sample_count(per_call_ns * batch)])
    progress("timed calls")
    backend.barrier()
    faults_before = minor_faults()
    local_ns = backend.time_calls(kernel, int(samples))
    faults = minor_faults() - faults_before
    *slowest_ns, most_faults = backend.max_across_ranks([*local_ns, faults])
    return Timing(
        # A call shorter than a clock tick reads 0; statistics need positive samples.
        samples_ns=tuple(max(1, int(ns)) for ns in slowest_ns),
        warmup_count=len(warmup_ns) * batch,
        timer=backend.timer,
        page_faults=int(most_faults) if backend.timer is Timer.HOST_CLOCK else None,
        regime=(
            TimingRegime(mode=TimingMode.DIRECT, calls_per_sample=batch, l2_flushed=False)
            if backend.timer is Timer.DEVICE_EVENTS
            else None
        ),
    )


def _extra_warmup(policy: TimingPolicy, spent_ns: float, per_call_ns: float) -> int:
    """Further warm-up calls that fill the warm-up time at the pace of the latest call."""
    missing_ns = policy.warmup_s * 1e9 - spent_ns
    return min(max(0, math.ceil(missing_ns / max(per_call_ns, 1.0))), policy.max_samples)
