"""A Clock for CUDA kernels: device events, read after synchronising, as the device saw the call.

Habits of device timing (those of `triton.testing.do_bench` and nvbench) keep it honest:

- Events, not the host clock: a launch returns long before the kernel ends.
- One cache regime per result. A direct call follows an L2 flush (writing a buffer twice the
  size of L2 evicts the operands a previous call left there; the flush is outside the events).
  A graph of several calls cannot flush between them, so there every call runs warm, the first
  included: the sample before it (or the warm-up) left the operands in L2. `TimingRegime` says
  which regime a result was measured in.
- The mode is chosen on a warm median of DECIDE_CALLS direct calls in the direct regime, never
  on one cold call: a first launch pays module loading and would send a 3 µs kernel to direct
  timing, launch gap included.
- CUDA-graph replay below GRAPH_BELOW_NS: there the launch overhead and the events' resolution
  (about 0.5 µs) dominate, so GRAPH_CALLS calls are captured in one graph and the replay is
  divided by their number.
- A `MultiLaunchKernel` (a Python step loop launching many kernels per call) is always captured
  as one graph of the whole call; where capture fails, it is queued behind a blocking kernel
  long enough for the host to enqueue the whole call, so host dispatch is never what is timed.

The device is a small protocol, so that the choice of mode is tested with a fake clock on a
machine without a GPU; `TorchCudaDevice` is the real one, on torch's public CUDA API.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import Protocol

import torch

from harness.timing import Kernel, MultiLaunchKernel
from schemas import Timer
from schemas.result import TimingMode, TimingRegime

# Below this warm median, a direct call measures the launch more than the kernel.
GRAPH_BELOW_NS = 20_000
GRAPH_CALLS = 32
# Direct calls whose median decides the mode (after one untimed call).
DECIDE_CALLS = 5
# Used when the device does not report its L2 size.
FALLBACK_L2_BYTES = 128 << 20
# The blocking kernel spins this many times the direct call's duration: the host needs at most
# the direct call's wall time to enqueue it (a launch-bound call is exactly that long).
BLOCK_FACTOR = 2.0


class Device(Protocol):
    """What the clock needs of a CUDA device."""

    def elapsed_ns(self, run: Kernel, *, block_ns: float = 0.0) -> float:
        """Device time of `run` between two events, optionally queued behind a blocking kernel."""
        ...

    def flush_l2(self) -> None:
        """Evicts the L2 cache (outside any events)."""
        ...

    def capture(self, kernel: Kernel, calls: int) -> Kernel | None:
        """A replay of `calls` calls of `kernel` as one CUDA graph, or None if it cannot be."""
        ...

    def synchronize(self) -> None:
        """Waits until the device has finished all queued work."""
        ...


@dataclass(frozen=True)
class _Replay:
    """How one sample runs a kernel: `run` makes `regime.calls_per_sample` calls of it."""

    kernel: Kernel
    run: Kernel
    regime: TimingRegime
    block_ns: float = 0.0


class CudaEventClock:
    """Times kernels on one CUDA device, each result in one mode and one cache regime."""

    timer = Timer.DEVICE_EVENTS

    def __init__(
        self,
        device: Device,
        *,
        flush_l2: bool = True,
        graph_below_ns: int = GRAPH_BELOW_NS,
        graph_calls: int = GRAPH_CALLS,
    ) -> None:
        self.device = device
        self.flush = flush_l2
        self.graph_below_ns = graph_below_ns
        self.graph_calls = graph_calls
        # Only the kernel being measured is kept: an older one would pin its tensors and graph.
        self._replay: _Replay | None = None

    @classmethod
    def on(cls, device: str, *, flush_l2: bool = True) -> CudaEventClock:
        """The clock of a real CUDA device such as 'cuda:1' (made current first)."""
        return cls(TorchCudaDevice(device, flush_l2=flush_l2), flush_l2=flush_l2)

    def time_call(self, kernel: Kernel) -> int:
        """One sample of `kernel` in its regime; ns per call."""
        replay = self._replay_of(kernel)
        if replay.regime.l2_flushed:
            self.device.flush_l2()
        elapsed_ns = self.device.elapsed_ns(replay.run, block_ns=replay.block_ns)
        return max(1, round(elapsed_ns / replay.regime.calls_per_sample))

    def sync(self) -> None:
        """Waits until the device has finished all queued work."""
        self.device.synchronize()

    @property
    def calls_per_sample(self) -> int:
        """How many kernel calls the current kernel's samples each average over."""
        return self._replay.regime.calls_per_sample if self._replay is not None else 1

    @property
    def regime(self) -> TimingRegime | None:
        """The mode and cache regime of the current kernel's samples."""
        return self._replay.regime if self._replay is not None else None

    def _replay_of(self, kernel: Kernel) -> _Replay:
        """The way to run `kernel`, decided once per kernel (module docs)."""
        if self._replay is None or self._replay.kernel is not kernel:
            self._replay = None
            self._replay = self._decide(kernel)
        return self._replay

    def _direct_ns(self, kernel: Kernel) -> float:
        if self.flush:
            self.device.flush_l2()
        return self.device.elapsed_ns(kernel)

    def _decide(self, kernel: Kernel) -> _Replay:
        """Graph below the threshold or for a multi-launch call; else direct (or blocked)."""
        self._direct_ns(kernel)  # untimed: module loading, workspaces, first-touch
        median_ns = statistics.median(self._direct_ns(kernel) for _ in range(DECIDE_CALLS))
        decided_on = max(1, round(median_ns))
        many = isinstance(kernel, MultiLaunchKernel)
        if median_ns < self.graph_below_ns:
            run = self.device.capture(kernel, self.graph_calls)
            if run is not None:
                regime = TimingRegime(
                    mode=TimingMode.GRAPH,
                    calls_per_sample=self.graph_calls,
                    l2_flushed=False,
                    decided_on_ns=decided_on,
                )
                return _Replay(kernel, run, regime)
        elif many:
            run = self.device.capture(kernel, 1)
            if run is not None:
                regime = TimingRegime(
                    mode=TimingMode.GRAPH,
                    calls_per_sample=1,
                    l2_flushed=self.flush,
                    decided_on_ns=decided_on,
                )
                return _Replay(kernel, run, regime)
        mode = TimingMode.BLOCKED if many else TimingMode.DIRECT
        regime = TimingRegime(
            mode=mode, calls_per_sample=1, l2_flushed=self.flush, decided_on_ns=decided_on
        )
        block_ns = BLOCK_FACTOR * median_ns if many else 0.0
        return _Replay(kernel, kernel, regime, block_ns)


class TorchCudaDevice:
    """A CUDA device through torch: made current, so that events, streams and graphs are its."""

    def __init__(self, device: str, *, flush_l2: bool = True) -> None:
        self.device = torch.device(device)
        # Capture and events use the *current* device's stream: bind it, or a graph captured
        # for cuda:1 while cuda:0 is current is empty and its replay times nothing.
        torch.cuda.set_device(self.device)
        self._flush_buffer = l2_flush_buffer(self.device) if flush_l2 else None
        # torch's CUDA Event and Stream constructors carry no type hints.
        self._start = torch.cuda.Event(enable_timing=True)  # type: ignore[no-untyped-call]
        self._end = torch.cuda.Event(enable_timing=True)  # type: ignore[no-untyped-call]
        self._cycles_per_ns = sm_cycles_per_ns(self.device)

    def elapsed_ns(self, run: Kernel, *, block_ns: float = 0.0) -> float:
        """Nanoseconds between two events around `run`, read once the end event completed."""
        stream = torch.cuda.current_stream(self.device)
        if block_ns > 0:
            # The device spins while the host enqueues the events and the whole call.
            torch.cuda._sleep(round(block_ns * self._cycles_per_ns))  # type: ignore[no-untyped-call]
        self._start.record(stream)
        run()
        self._end.record(stream)
        self._end.synchronize()
        return float(self._start.elapsed_time(self._end)) * 1e6

    def flush_l2(self) -> None:
        """Writes the flush buffer, evicting what earlier calls left in L2."""
        if self._flush_buffer is not None:
            self._flush_buffer.zero_()

    def synchronize(self) -> None:
        """torch.cuda.synchronize on this device."""
        torch.cuda.synchronize(self.device)

    def capture(self, kernel: Kernel, calls: int) -> Kernel | None:
        """`calls` calls of `kernel` in one CUDA graph, or None if it cannot be captured.

        A kernel that synchronises with the host or allocates outside the graph's pool cannot be
        captured; it is then timed without a graph, which is still correct, only coarser.
        """
        graph = torch.cuda.CUDAGraph()
        # Warm-up on a side stream first, as torch's CUDA-graph notes ask (workspaces, handles).
        side = torch.cuda.Stream(self.device)  # type: ignore[no-untyped-call]
        side.wait_stream(torch.cuda.current_stream(self.device))
        with torch.cuda.stream(side):
            kernel()
        torch.cuda.current_stream(self.device).wait_stream(side)
        try:
            with torch.cuda.graph(graph):
                for _ in range(calls):
                    kernel()
        except RuntimeError:
            torch.cuda.synchronize(self.device)
            return None
        return graph.replay


def sm_cycles_per_ns(device: torch.device) -> float:
    """The SM clock in cycles per ns (its boost clock, else 2 GHz): sizes the blocking kernel.

    Only the length of a spin depends on it, and a longer spin is harmless, so a guess will do
    where torch does not report the clock.
    """
    clock_khz = getattr(torch.cuda.get_device_properties(device), "clock_rate", 0)
    return clock_khz / 1e6 if clock_khz else 2.0


def l2_flush_buffer(device: torch.device) -> torch.Tensor:
    """A byte buffer twice the size of the device's L2: zeroing it evicts everything cached."""
    l2_bytes = torch.cuda.get_device_properties(device).L2_cache_size or FALLBACK_L2_BYTES
    return torch.empty(2 * l2_bytes, dtype=torch.uint8, device=device)
