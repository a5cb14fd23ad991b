"""The CUDA clock on a real GPU: events, the L2 flush and graph replay. Skipped without CUDA."""

from __future__ import annotations

import pytest
import torch

from harness.timing import TimingPolicy, measure

pytestmark = [
    pytest.mark.gpu,
    pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA: torch sees no GPU"),
]


def test_events_time_a_matmul() -> None:
    from harness.cuda_clock import CudaEventClock, TorchCudaDevice

    a = torch.randn(2048, 2048, device="cuda")
    clock = CudaEventClock(TorchCudaDevice("cuda:0"), graph_below_ns=0)
    timing = measure(lambda: a @ a, TimingPolicy(budget_s=0.05), clock)
    assert all(sample > 0 for sample in timing.samples_ns)
    assert clock.calls_per_sample == 1
    assert timing.timer.value == "device_events"


def test_tiny_kernels_are_replayed_from_a_graph() -> None:
    from harness.cuda_clock import GRAPH_CALLS, CudaEventClock

    x = torch.ones(256, device="cuda")
    out = torch.empty_like(x)
    clock = CudaEventClock.on("cuda:0")
    timing = measure(lambda: torch.add(x, 1, out=out), TimingPolicy(budget_s=0.02), clock)
    assert clock.calls_per_sample == GRAPH_CALLS
    assert all(sample > 0 for sample in timing.samples_ns)
    assert torch.equal(out, torch.full_like(x, 2))


def test_flush_buffer_is_larger_than_l2() -> None:
    from harness.cuda_clock import l2_flush_buffer

    device = torch.device("cuda")
    l2_bytes = torch.cuda.get_device_properties(device).L2_cache_size
    assert l2_flush_buffer(device).numel() >= 2 * l2_bytes
