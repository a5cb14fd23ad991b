"""The timing engine: sample counts within the policy, positive samples, warm-up never timed."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from harness.timing import HostClock, Kernel, TimingPolicy, measure
from schemas import Timer


class ScriptedClock:
    """A clock whose calls last the scripted durations (cycled): the engine's logic, no waiting."""

    timer = Timer.HOST_CLOCK
    calls_per_sample = 1
    regime = None

    def __init__(self, durations_ns: list[int]) -> None:
        self.durations_ns = durations_ns
        self.calls = 0

    def time_call(self, kernel: Kernel) -> int:
        kernel()
        duration = self.durations_ns[self.calls % len(self.durations_ns)]
        self.calls += 1
        return duration

    def sync(self) -> None:
        """Nothing queued."""


policies = st.builds(
    TimingPolicy,
    min_warmup_calls=st.integers(1, 5),
    warmup_s=st.floats(0, 0.01),
    min_samples=st.integers(1, 20),
    max_samples=st.integers(20, 500),
    budget_s=st.floats(1e-6, 0.05),
)


@settings(max_examples=200, deadline=None)
@given(policy=policies, durations_ns=st.lists(st.integers(10**4, 10**7), min_size=1, max_size=8))
def test_samples_within_policy_bounds_and_warmup_excluded(
    policy: TimingPolicy, durations_ns: list[int]
) -> None:
    calls: list[int] = []
    clock = ScriptedClock(durations_ns)
    timing = measure(lambda: calls.append(1), policy, clock)
    assert policy.min_samples <= len(timing.samples_ns) <= policy.max_samples
    assert timing.warmup_count >= policy.min_warmup_calls
    # Every call was either warm-up or a sample, never both.
    assert len(calls) == timing.warmup_count + len(timing.samples_ns)
    # The samples are exactly the durations after the warm-up calls.
    expected = [
        durations_ns[i % len(durations_ns)]
        for i in range(timing.warmup_count, timing.warmup_count + len(timing.samples_ns))
    ]
    assert list(timing.samples_ns) == expected


@settings(max_examples=200, deadline=None)
@given(policy=policies, estimate_ns=st.floats(0, 1e12))
def test_sample_count_respects_bounds(policy: TimingPolicy, estimate_ns: float) -> None:
    count = policy.sample_count(estimate_ns)
    assert policy.min_samples <= count <= policy.max_samples


@settings(max_examples=20, deadline=None)
@given(policy=policies)
def test_host_clock_samples_are_positive(policy: TimingPolicy) -> None:
    timing = measure(lambda: None, policy, HostClock())
    assert all(sample >= 1 for sample in timing.samples_ns)
    assert timing.timer is Timer.HOST_CLOCK
    assert timing.page_faults is not None and timing.page_faults >= 0


def test_warmup_runs_until_its_time_budget() -> None:
    clock = ScriptedClock([1_000_000])  # 1 ms per call
    timing = measure(lambda: None, TimingPolicy(min_warmup_calls=1, warmup_s=0.01), clock)
    assert timing.warmup_count == 10


@settings(max_examples=200, deadline=None)
@given(policy=policies, cold_ns=st.integers(10**5, 10**9), warm_ns=st.integers(10**3, 10**5))
def test_a_cold_warm_up_call_does_not_cut_the_measured_time_short(
    policy: TimingPolicy, cold_ns: int, warm_ns: int
) -> None:
    # The warm-up's calls are cold and slow, the timed ones fast: the plan from the warm-up is too
    # small, and the engine tops the samples up to the budget (the rules' minimum measured time).
    policy = replace(policy, warmup_s=0.0)  # the warm-up is exactly its cold calls
    script = [cold_ns] * policy.min_warmup_calls + [warm_ns] * 100_000
    clock = ScriptedClock(script)
    timing = measure(lambda: None, policy, clock)
    assert timing.warmup_count > 0
    measured_ns = sum(timing.samples_ns)
    assert measured_ns >= policy.budget_s * 1e9 or len(timing.samples_ns) == policy.max_samples
