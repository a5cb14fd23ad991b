"""The CUDA clock's choice of mode and cache regime, against a fake device: no GPU needed."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from harness.cuda_clock import DECIDE_CALLS, CudaEventClock
from harness.timing import Kernel, MultiLaunchKernel, TimingPolicy, measure
from schemas.result import TimingMode


class FakeDevice:
    """A device whose direct calls last `durations_ns` in turn (then the last one, forever).

    A graph replay lasts `replay_ns_per_call` per captured call; `capturable` says whether
    capture succeeds. It logs what the clock asked, so the tests can read the order.
    """

    def __init__(
        self,
        durations_ns: list[float],
        *,
        replay_ns_per_call: float = 1_000.0,
        capturable: bool = True,
    ) -> None:
        self.durations_ns = durations_ns
        self.replay_ns_per_call = replay_ns_per_call
        self.capturable = capturable
        self.log: list[str] = []
        self._direct = 0

    def elapsed_ns(self, run: Kernel, *, block_ns: float = 0.0) -> float:
        result = run()
        if isinstance(result, float):  # a replay returns its duration
            self.log.append("replay")
            return result
        self.log.append(f"blocked {block_ns:.0f}" if block_ns else "direct")
        index = min(self._direct, len(self.durations_ns) - 1)
        self._direct += 1
        return self.durations_ns[index]

    def flush_l2(self) -> None:
        self.log.append("flush")

    def capture(self, kernel: Kernel, calls: int) -> Kernel | None:
        self.log.append(f"capture {calls}")
        if not self.capturable:
            return None
        return lambda: self.replay_ns_per_call * calls

    def synchronize(self) -> None:
        """Nothing queued."""


def _kernel() -> Callable[[], None]:
    return lambda: None


def test_a_cold_first_call_does_not_decide_the_mode() -> None:
    # The first launch pays module loading (500 µs); the warm calls take 3 µs: graph mode.
    device = FakeDevice([500_000.0, 3_000.0])
    clock = CudaEventClock(device)
    clock.time_call(_kernel())
    regime = clock.regime
    assert regime is not None
    assert regime.mode is TimingMode.GRAPH
    assert regime.calls_per_sample == clock.graph_calls
    assert regime.decided_on_ns == 3_000


def test_the_mode_is_decided_on_a_median_of_flushed_direct_calls() -> None:
    device = FakeDevice([50_000.0])
    clock = CudaEventClock(device)
    clock.time_call(_kernel())
    decision = device.log[: 2 * (DECIDE_CALLS + 1)]
    assert decision == ["flush", "direct"] * (DECIDE_CALLS + 1)
    regime = clock.regime
    assert regime is not None
    assert (regime.mode, regime.calls_per_sample, regime.l2_flushed) == (
        TimingMode.DIRECT,
        1,
        True,
    )


def test_graph_samples_are_all_warm_and_never_flushed() -> None:
    device = FakeDevice([3_000.0])
    clock = CudaEventClock(device)
    kernel = _kernel()
    clock.time_call(kernel)
    device.log.clear()
    for _ in range(3):
        clock.time_call(kernel)
    assert device.log == ["replay"] * 3
    regime = clock.regime
    assert regime is not None and not regime.l2_flushed


def test_direct_samples_are_each_flushed() -> None:
    device = FakeDevice([50_000.0])
    clock = CudaEventClock(device)
    kernel = _kernel()
    clock.time_call(kernel)
    device.log.clear()
    clock.time_call(kernel)
    clock.time_call(kernel)
    assert device.log == ["flush", "direct", "flush", "direct"]


def test_without_flush_direct_samples_are_recorded_warm() -> None:
    clock = CudaEventClock(FakeDevice([50_000.0]), flush_l2=False)
    clock.time_call(_kernel())
    assert clock.regime is not None and not clock.regime.l2_flushed


def test_a_graph_sample_is_divided_by_its_calls() -> None:
    device = FakeDevice([3_000.0], replay_ns_per_call=2_000.0)
    clock = CudaEventClock(device)
    assert clock.time_call(_kernel()) == 2_000


def test_an_uncapturable_tiny_kernel_falls_back_to_direct() -> None:
    clock = CudaEventClock(FakeDevice([3_000.0], capturable=False))
    clock.time_call(_kernel())
    assert clock.regime is not None and clock.regime.mode is TimingMode.DIRECT


def test_a_long_multi_launch_call_is_one_captured_graph() -> None:
    device = FakeDevice([2_000_000.0])
    clock = CudaEventClock(device)
    clock.time_call(MultiLaunchKernel(lambda: None))
    assert "capture 1" in device.log
    regime = clock.regime
    assert regime is not None
    assert (regime.mode, regime.calls_per_sample, regime.l2_flushed) == (
        TimingMode.GRAPH,
        1,
        True,
    )


def test_an_uncapturable_multi_launch_call_is_queued_behind_a_blocking_kernel() -> None:
    device = FakeDevice([2_000_000.0], capturable=False)
    clock = CudaEventClock(device)
    kernel = MultiLaunchKernel(lambda: None)
    clock.time_call(kernel)
    regime = clock.regime
    assert regime is not None and regime.mode is TimingMode.BLOCKED
    device.log.clear()
    clock.time_call(kernel)
    assert device.log[0] == "flush"
    assert device.log[1].startswith("blocked ") and device.log[1] != "blocked 0"


def test_a_new_kernel_is_decided_afresh() -> None:
    device = FakeDevice([3_000.0])
    clock = CudaEventClock(device)
    clock.time_call(_kernel())
    device.durations_ns = [50_000.0]
    device._direct = 0
    clock.time_call(_kernel())
    assert clock.regime is not None and clock.regime.mode is TimingMode.DIRECT


@pytest.mark.parametrize("warmup_s", [0.001, 0.01])
def test_graph_warmup_lasts_what_was_asked_in_wall_time(warmup_s: float) -> None:
    # A replay of 32 calls at 1 µs each lasts 32 µs: the warm-up counts that, not 1 µs.
    device = FakeDevice([3_000.0], replay_ns_per_call=1_000.0)
    clock = CudaEventClock(device)
    policy = TimingPolicy(min_warmup_calls=1, warmup_s=warmup_s, budget_s=0.001)
    timing = measure(_kernel(), policy, clock)
    replays = warmup_s * 1e9 / (1_000.0 * clock.graph_calls)
    assert timing.warmup_count <= (replays + 2) * clock.graph_calls
    assert timing.regime is not None and timing.regime.mode is TimingMode.GRAPH
    # The budget is wall time too: samples x calls x per-call time stays near it.
    assert len(timing.samples_ns) * clock.graph_calls * 1_000.0 <= policy.budget_s * 1e9 * 2
