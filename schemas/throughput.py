"""The rates derived from a median time: TFLOP/s, GB/s, and nccl-tests' algbw and busbw.

Written once, here, so that the harness that reports them and the validator that re-derives them
cannot drift apart. Times are nanoseconds: FLOP per ns is GFLOP/s and bytes per ns is GB/s
(10^9 bytes).
"""

from __future__ import annotations


def tflops(flops: int, median_ns: float) -> float:
    """Logical FLOPs of one call over its median time, in TFLOP/s."""
    return flops / median_ns / 1e3


def gbps(size_bytes: int, median_ns: float) -> float:
    """Bytes over the median time, in GB/s; for a collective this is the algorithm bandwidth."""
    return size_bytes / median_ns


def bus_factor(ranks: int) -> float:
    """2(n-1)/n: the share of the data each rank's link carries in a ring all-reduce.

    nccl-tests defines busbw = algbw · 2(n-1)/n so that numbers compare across rank counts
    against the hardware's link bandwidth; with one rank nothing crosses a link.
    """
    return 2 * (ranks - 1) / ranks


def bandwidths_gbps(size_bytes: int, ranks: int, median_ns: float) -> tuple[float, float]:
    """(algbw, busbw) in GB/s of an all-reduce of `size_bytes` per rank over `ranks` ranks."""
    algbw = gbps(size_bytes, median_ns)
    return algbw, algbw * bus_factor(ranks)
