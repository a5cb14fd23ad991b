"""Timing a collective in batches, on one rank with a fake backend: counts, not durations."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from hypothesis import given
from hypothesis import strategies as st

from harness.allreduce._measure import (
    MAX_CALLS_PER_SAMPLE,
    PerCallLoop,
    PythonBatches,
    calls_per_sample,
    measure_collective,
)
from harness.timing import TimingPolicy
from schemas import Timer, TimingLoop


class OneRank:
    """The control operations of a one-rank communicator."""

    timer = Timer.HOST_CLOCK

    def max_across_ranks(self, values: Sequence[float]) -> tuple[float, ...]:
        return tuple(float(v) for v in values)

    def broadcast(self, values: Sequence[float]) -> tuple[float, ...]:
        return tuple(float(v) for v in values)

    def barrier(self) -> None:
        pass


class CountingLoop:
    """A sample loop that records the batches asked of it; every call 'takes' `call_ns`."""

    loop = TimingLoop.NATIVE
    batches = True
    fallback = None

    def __init__(self, call_ns: int) -> None:
        self.call_ns = call_ns
        self.asked: list[tuple[int, int]] = []

    def run(self, samples: int, calls_per_sample: int) -> list[int]:
        self.asked.append((samples, calls_per_sample))
        return [self.call_ns * calls_per_sample] * samples


# A clock reads whole nanoseconds: no measured call lasts under 1 ns.
@given(st.floats(1.0, 1e9), st.floats(0, 1e6))
def test_a_batch_lasts_the_minimum_sample_time_within_the_cap(
    per_call_ns: float, min_sample_ns: float
) -> None:
    calls = calls_per_sample(per_call_ns, min_sample_ns, CountingLoop(1))
    assert 1 <= calls <= MAX_CALLS_PER_SAMPLE
    assert calls * per_call_ns >= min_sample_ns or calls == MAX_CALLS_PER_SAMPLE
    assert calls == 1 or (calls - 1) * per_call_ns < min_sample_ns


def test_a_per_call_clock_never_batches() -> None:
    loop = PerCallLoop(lambda kernel, count: [1] * count, lambda: None)
    assert calls_per_sample(1.0, 1e6, loop) == 1
    assert loop.run(3, 50) == [1, 1, 1]


@pytest.mark.parametrize("calls", [1, 7])
def test_python_batches_call_the_kernel_k_times_per_sample(calls: int) -> None:
    count = [0]

    def kernel() -> None:
        count[0] += 1

    samples = PythonBatches(kernel).run(4, calls)
    assert len(samples) == 4 and all(ns >= 0 for ns in samples)
    assert count[0] == 4 * calls


def test_batched_samples_are_per_call_and_the_method_is_recorded() -> None:
    loop = CountingLoop(call_ns=200)
    policy = TimingPolicy(warmup_s=0.0, min_samples=5, max_samples=50, budget_s=0.001)
    timing = measure_collective(OneRank(), loop, policy, min_sample_ns=2_000)  # type: ignore[arg-type]
    assert timing.method is not None
    assert timing.method.loop is TimingLoop.NATIVE
    assert timing.method.calls_per_sample == 10
    assert set(timing.samples_ns) == {200}
    warmups = [asked for asked in loop.asked if asked[1] == 1]
    assert timing.warmup_count == sum(samples for samples, _ in warmups)
    assert loop.asked[-1] == (len(timing.samples_ns), 10)
