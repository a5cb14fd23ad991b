"""Times a collective the way nccl-tests and OSU do, over any backend that can run one.

Every rank must make the same calls in the same order, or the job deadlocks. So nothing here
is decided by one rank's own clock: warm-up length and sample count are planned by rank 0 from
the slowest rank's warm-up and broadcast, the timed loop starts after an untimed barrier, and
the per-call samples are reduced with MAX only after the loop, never inside it.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

from harness.timing import Kernel, Timing, TimingPolicy
from schemas import DType, Timer

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
    library_versions: dict[str, str]
    mpi_library: str | None
    mpi_thread_level: str | None
    transport: str


class CollectiveBackend(Protocol):
    """A communicator over all ranks, with the few control operations the harness needs.

    `errors` are the exceptions its library raises when the communicator breaks.
    """

    rank: int
    size: int
    device: str
    timer: Timer
    dtypes: tuple[DType, ...]
    out_of_place: bool
    errors: tuple[type[BaseException], ...]

    def buffers(self, count: int, dtype: DType, in_place: bool) -> CollectiveBuffers:
        """Allocates the buffers of one all-reduce; raises MemoryError when they do not fit."""
        ...

    def time_calls(self, kernel: Kernel, count: int) -> list[int]:
        """Runs `kernel` `count` times back to back; returns this rank's time of each call, ns."""
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


def bus_factor(ranks: int) -> float:
    """2(n-1)/n: the share of the data each rank's link carries in a ring all-reduce.

    nccl-tests defines busbw = algbw · 2(n-1)/n so that numbers compare across rank counts
    against the hardware's link bandwidth; with one rank nothing crosses a link.
    """
    return 2 * (ranks - 1) / ranks


def bandwidths_gbps(size_bytes: int, ranks: int, time_ns: float) -> tuple[float, float]:
    """(algbw, busbw) in GB/s (10^9 bytes) of moving `size_bytes` per rank in `time_ns`."""
    algbw = size_bytes / time_ns
    return algbw, algbw * bus_factor(ranks)


def measure_collective(
    backend: CollectiveBackend,
    kernel: Kernel,
    policy: TimingPolicy,
    progress: Progress = lambda phase: None,
) -> Timing:
    """Warms up, then times every call on every rank and keeps the slowest rank per call.

    The slowest rank is the sample because a collective ends when its last rank does.
    """
    progress("warm-up")
    first_ns = sum(backend.time_calls(kernel, policy.min_warmup_calls))
    (slowest_ns,) = backend.max_across_ranks([first_ns])
    extra_warmup, samples = _plan(policy, slowest_ns, backend.rank == 0)
    extra_warmup, samples = (int(v) for v in backend.broadcast([extra_warmup, samples]))
    backend.time_calls(kernel, extra_warmup)
    progress("timed calls")
    backend.barrier()
    local_ns = backend.time_calls(kernel, samples)
    slowest = backend.max_across_ranks(local_ns)
    return Timing(
        samples_ns=tuple(int(ns) for ns in slowest),
        warmup_count=policy.min_warmup_calls + extra_warmup,
        timer=backend.timer,
    )


def _plan(policy: TimingPolicy, warmup_ns: float, decides: bool) -> tuple[int, int]:
    """Extra warm-up calls and timed calls for a call that costs warmup_ns / min calls."""
    if not decides:
        return 0, 0
    per_call_ns = max(warmup_ns / policy.min_warmup_calls, 1.0)
    missing_ns = policy.warmup_s * 1e9 - warmup_ns
    extra = max(0, math.ceil(missing_ns / per_call_ns))
    return min(extra, policy.max_samples), policy.sample_count(per_call_ns)
