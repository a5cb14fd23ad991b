"""Recomputes every derived figure from the raw samples and the problem: nothing is taken on trust.

Statistics come from `schemas.summarize` (the harness's own function), FLOPs from the problem's
formula, throughput and bandwidths from the median (`schemas.throughput`, the harness's own
formulas). Values written by another tool in another language may differ in the last bits, hence
a relative tolerance.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

from schemas import RESULT_NAME, KernelResult, bandwidths_gbps, gbps, summarize, tflops
from validator._context import BundleContext
from validator._findings import Code, Finding, finding

REL_TOLERANCE = 1e-6
STAT_FIELDS = (
    "min_ns", "median_ns", "mean_ns", "stdev_ns", "p10_ns", "p90_ns", "p99_ns", "iqr_ns", "cv",
)  # fmt: skip


def close(found: float, expected: float, rel: float = REL_TOLERANCE) -> bool:
    """Equal within a relative tolerance (with a tiny absolute floor for values near zero)."""
    return math.isclose(found, expected, rel_tol=rel, abs_tol=1e-12)


def _stats(result: KernelResult, path: str) -> Iterator[Finding]:
    samples_ns = result.samples_ns
    if min(samples_ns) <= 0:
        yield finding(
            Code.STATS_SAMPLES,
            file=RESULT_NAME,
            json_path=f"{path}.samples_ns",
            expected="every sample > 0",
            found=min(samples_ns),
        )
        return
    if result.stats.count != len(samples_ns):
        yield finding(
            Code.STATS_MISMATCH,
            file=RESULT_NAME,
            json_path=f"{path}.stats.count",
            expected=len(samples_ns),
            found=result.stats.count,
        )
    recomputed = summarize(samples_ns)
    for name in STAT_FIELDS:
        expected, found = getattr(recomputed, name), getattr(result.stats, name)
        if not close(found, expected):
            yield finding(
                Code.STATS_MISMATCH,
                file=RESULT_NAME,
                json_path=f"{path}.stats.{name}",
                expected=expected,
                found=found,
            )


def _throughput(result: KernelResult, path: str) -> Iterator[Finding]:
    expected_flops = result.problem.flops()
    if result.flops != expected_flops:
        yield finding(
            Code.FLOPS_MISMATCH,
            file=RESULT_NAME,
            json_path=f"{path}.flops",
            expected=expected_flops,
            found=result.flops,
        )
    median_ns = result.stats.median_ns
    for name, expected in (
        ("tflops", tflops(result.flops, median_ns)),
        ("gbps", gbps(result.bytes_moved, median_ns)),
    ):
        found = getattr(result, name)
        if not close(found, expected):
            yield finding(
                Code.THROUGHPUT_MISMATCH,
                file=RESULT_NAME,
                json_path=f"{path}.{name}",
                expected=expected,
                found=found,
            )
    collective = result.collective
    if collective is None:
        return
    algbw_gbps, busbw_gbps = bandwidths_gbps(collective.size_bytes, collective.ranks, median_ns)
    for name, expected in (("algbw_gbps", algbw_gbps), ("busbw_gbps", busbw_gbps)):
        found = getattr(collective, name)
        if not close(found, expected):
            yield finding(
                Code.BANDWIDTH_MISMATCH,
                file=RESULT_NAME,
                json_path=f"{path}.collective.{name}",
                expected=expected,
                found=found,
            )


def check_measurements(ctx: BundleContext) -> Iterator[Finding]:
    """Statistics, FLOPs, TFLOP/s, GB/s and collective bandwidths of every kernel result."""
    for index, result in enumerate(ctx.run.results):
        path = f"results[{index}]"
        yield from _stats(result, path)
        yield from _throughput(result, path)
