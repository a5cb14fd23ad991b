"""A Clock for CUDA kernels: device events, read after synchronising, as the device saw the call.

Three habits of device timing (those of `triton.testing.do_bench` and nvbench) keep it honest:

- Events, not the host clock: a launch returns long before the kernel ends.
- An optional L2 flush before each sample: a kernel that re-reads inputs its previous call left
  in L2 runs faster than it does inside a model. Writing a buffer twice the size of L2 evicts
  them. The flush is outside the two events, so it is never timed.
- CUDA-graph replay for tiny kernels: below about 20 µs the launch overhead and the events'
  resolution (about 0.5 µs) dominate. The clock captures N calls in one graph, times the replay
  and divides by N. Only the first of those N calls follows a flush.

Written against torch's public CUDA API only; it runs unchanged on any CUDA build of torch.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from harness.timing import Kernel
from schemas import Timer

# Below this, a direct call measures the launch more than the kernel.
GRAPH_BELOW_NS = 20_000
GRAPH_CALLS = 32
# Used when the device does not report its L2 size.
FALLBACK_L2_BYTES = 128 << 20


@dataclass(frozen=True)
class _Replay:
    """How one sample runs a kernel: `run` makes `calls` calls of it."""

    kernel: Kernel
    run: Kernel
    calls: int


class CudaEventClock:
    """Times kernels on one CUDA device with events on its current stream."""

    timer = Timer.DEVICE_EVENTS

    def __init__(
        self,
        device: str = "cuda",
        *,
        flush_l2: bool = True,
        graph_below_ns: int = GRAPH_BELOW_NS,
        graph_calls: int = GRAPH_CALLS,
    ) -> None:
        self.device = torch.device(device)
        self.graph_below_ns = graph_below_ns
        self.graph_calls = graph_calls
        self._flush_buffer = l2_flush_buffer(self.device) if flush_l2 else None
        # torch's CUDA Event and Stream constructors carry no type hints.
        self._start = torch.cuda.Event(enable_timing=True)  # type: ignore[no-untyped-call]
        self._end = torch.cuda.Event(enable_timing=True)  # type: ignore[no-untyped-call]
        # Only the kernel being measured is kept: an older one would pin its tensors and graph.
        self._replay: _Replay | None = None

    def time_call(self, kernel: Kernel) -> int:
        """Runs `kernel` once (or a graph of several calls) between two events; ns per call."""
        replay = self._replay_of(kernel)
        if self._flush_buffer is not None:
            self._flush_buffer.zero_()
        elapsed_ms = self._time(replay.run)
        return max(1, round(elapsed_ms * 1e6 / replay.calls))

    def sync(self) -> None:
        """Waits until the device has finished all queued work."""
        torch.cuda.synchronize(self.device)

    @property
    def calls_per_sample(self) -> int:
        """How many kernel calls the current kernel's samples each average over."""
        return self._replay.calls if self._replay is not None else 1

    def _time(self, run: Kernel) -> float:
        """Milliseconds between two events around `run`, read once the end event completed."""
        stream = torch.cuda.current_stream(self.device)
        self._start.record(stream)
        run()
        self._end.record(stream)
        self._end.synchronize()
        return float(self._start.elapsed_time(self._end))

    def _replay_of(self, kernel: Kernel) -> _Replay:
        """The way to run `kernel`: decided on its first call, from how long that call took."""
        if self._replay is not None and self._replay.kernel is kernel:
            return self._replay
        self._replay = None
        direct_ns = self._time(kernel) * 1e6
        replay = _Replay(kernel=kernel, run=kernel, calls=1)
        if direct_ns < self.graph_below_ns:
            replay = self._captured(kernel) or replay
        self._replay = replay
        return replay

    def _captured(self, kernel: Kernel) -> _Replay | None:
        """`graph_calls` calls of `kernel` in one CUDA graph, or None if it cannot be captured.

        A kernel that synchronises with the host or allocates outside the graph's pool cannot be
        captured; it is then timed call by call, which is still correct, only coarser.
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
                for _ in range(self.graph_calls):
                    kernel()
        except RuntimeError:
            torch.cuda.synchronize(self.device)
            return None
        return _Replay(kernel=kernel, run=graph.replay, calls=self.graph_calls)


def l2_flush_buffer(device: torch.device) -> torch.Tensor:
    """A byte buffer twice the size of the device's L2: zeroing it evicts everything cached."""
    l2_bytes = torch.cuda.get_device_properties(device).L2_cache_size or FALLBACK_L2_BYTES
    return torch.empty(2 * l2_bytes, dtype=torch.uint8, device=device)
