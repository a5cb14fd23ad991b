"""Turns matched rows into published kernel results and runs: times as published, rates ours.

The published time is kept exactly (milliseconds, as the cell holds it); the statistics are
that one time; FLOPs, TFLOP/s and an all-reduce's algbw/busbw are recomputed with our formulas
(`schemas.throughput`, the params' `flops()`), never copied. The sheet's own rate is kept in
the provenance for comparison: DeepBench's all-reduce "GB/s" is floats·4·ranks/time, neither
nccl-tests' algbw nor busbw.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from schemas import (
    Backend,
    Collective,
    Direction,
    Division,
    KernelResult,
    Precision,
    Profile,
    Provenance,
    RunResult,
    Suite,
    Timer,
    bandwidths_gbps,
    gbps,
    tflops,
)
from schemas.statistics import published_stats
from schemas.suites.allreduce import AllreduceParams
from validator._deepbench._match import Matched
from validator._deepbench._sheet import Timing

SOURCE = (
    "Baidu Research, DeepBench results (github.com/baidu-research/DeepBench, results/, "
    "commit da81ba7), Apache License 2.0"
)
RULES_VERSION = "2026.1"
FLOAT_BYTES = 4


def result_of(
    matched: Matched, timing: Timing, precision: Precision, place: tuple[str, str, str]
) -> KernelResult:
    """One published result of a matched row; `place` is (file, sha256, sheet)."""
    problem = matched.problem
    median_ns = timing.time_ms * 1e6
    flops = problem.flops()
    collective = None
    bytes_moved = 0  # the source counts no bytes for compute kernels; ours are the harness's
    if isinstance(problem.params, AllreduceParams):
        ranks = matched.ranks or 1
        bytes_moved = problem.params.count * FLOAT_BYTES
        algbw, busbw = bandwidths_gbps(bytes_moved, ranks, median_ns)
        collective = Collective(
            ranks=ranks,
            in_place=False,
            size_bytes=bytes_moved,
            algbw_gbps=algbw,
            busbw_gbps=busbw,
        )
    file, sha256, sheet = place
    return KernelResult(
        problem=problem,
        direction=Direction(timing.direction),
        precision=precision,
        timer=Timer.PUBLISHED,
        warmup_count=0,
        samples_ns=(),
        stats=published_stats(median_ns),
        flops=flops,
        bytes_moved=bytes_moved,
        tflops=tflops(flops, median_ns),
        gbps=gbps(bytes_moved, median_ns),
        correctness=None,
        seed=0,
        collective=collective,
        provenance=Provenance(
            source=SOURCE,
            file=file,
            sha256=sha256,
            sheet=sheet,
            row=matched.row.row,
            cell=timing.cell,
            published_ms=timing.time_ms,
            published_rate=timing.rate,
            remark=matched.row.remark,
        ),
    )


def run_of(
    suite: Suite,
    results: Sequence[KernelResult],
    *,
    run_id: str,
    device: tuple[str, str],
    command_line: tuple[str, ...],
    imported: datetime,
) -> RunResult:
    """The run of one (workbook, sheet, suite); `device` is (device, device_name)."""
    return RunResult(
        run_id=run_id,
        harness_version="published",
        suite=suite,
        profile=Profile.FULL,
        division=Division.HISTORICAL,
        rules_version=RULES_VERSION,
        started_utc=imported,
        finished_utc=imported,
        command_line=command_line,
        seed=0,
        complete=True,
        backend=Backend(
            name="published (DeepBench)",
            device=device[0],
            device_name=device[1],
            threads=1,
            library_versions={},
        ),
        results=tuple(results),
        errors=(),
    )
