"""Harness overhead, measured side by side: a suite's median throughput beside bare timing loops.

Shared by the suites' bench sections. Each round times the same operation three ways, interleaved
so that drift of the machine hits all three alike (medians move ±10% between processes on a
shared 2-core machine):

- harness: `run_case` as `kernelperf run --profile quick` does it (prepare, check, warm-up,
  adaptive samples), its median;
- bare: `time.perf_counter` around a plain loop of the operation, the mean per call;
- Timer: `torch.utils.benchmark.Timer.blocked_autorange`, with threads set to torch's own count
  (the Timer defaults to one thread, which would time a different kernel), its median.

Reported: the median over rounds of each, the ratios (target >= 0.97), and the spread.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.utils.benchmark as torch_benchmark
from rich.console import Console
from rich.table import Column, Table

from harness.plan import POLICIES
from harness.runner import run_case
from harness.suites.base import Case, ComputeSuite, RunOptions
from harness.timing import HostClock
from schemas import KernelResult, Profile

ROUNDS = 5
BARE_S = 0.25
TARGET = 0.97
WAYS = ("harness", "bare", "Timer")


@dataclass(frozen=True)
class Contender:
    """One operation to compare: the suite's case, and the same call written bare."""

    suite: ComputeSuite
    case: Case
    options: RunOptions
    bare: Callable[[], object]


def bare_loop_tflops(kernel: Callable[[], object], flops: int) -> float:
    """Mean per call of a plain loop that runs for about BARE_S, after two warm-up calls."""
    kernel()
    kernel()
    start = time.perf_counter()
    kernel()
    estimate_s = time.perf_counter() - start
    calls = max(5, int(BARE_S / max(estimate_s, 1e-9)))
    start = time.perf_counter()
    for _ in range(calls):
        kernel()
    return flops * calls / (time.perf_counter() - start) / 1e12


def timer_tflops(kernel: Callable[[], object], flops: int) -> float:
    """torch.utils.benchmark's median, with threads set explicitly."""
    timer = torch_benchmark.Timer(
        stmt="kernel()", globals={"kernel": kernel}, num_threads=torch.get_num_threads()
    )
    return flops / timer.blocked_autorange(min_run_time=BARE_S).median / 1e12


def harness_tflops(contender: Contender) -> float:
    """The harness's own path, as a quick-profile run takes it."""
    outcome = run_case(
        contender.suite, contender.case, contender.options, POLICIES[Profile.QUICK], HostClock()
    )
    assert isinstance(outcome, KernelResult), outcome
    return outcome.tflops


def rounds(contender: Contender) -> dict[str, list[float]]:
    """TFLOP/s of each way of timing, ROUNDS times, interleaved."""
    flops = contender.case.problem.flops()
    taken: dict[str, list[float]] = {way: [] for way in WAYS}
    for _ in range(ROUNDS):
        taken["harness"].append(harness_tflops(contender))
        taken["bare"].append(bare_loop_tflops(contender.bare, flops))
        taken["Timer"].append(timer_tflops(contender.bare, flops))
    return taken


def spread(values: list[float]) -> str:
    """Range over rounds relative to their median, as ±%."""
    middle = statistics.median(values)
    return f"±{50 * (max(values) - min(values)) / middle:.0f}%"


def print_comparison(console: Console, contenders: list[Contender]) -> None:
    """Times each contender ROUNDS times three ways, interleaved, and prints the ratios."""
    table = Table(
        Column("case", overflow="fold"), "harness", "bare", "Timer", "h/bare", "h/Timer",
        "spread h/b/T", title=f"TFLOP/s, threads={torch.get_num_threads()}",
    )  # fmt: skip
    for contender in contenders:
        taken = rounds(contender)
        harness, bare, timer = (statistics.median(taken[way]) for way in WAYS)
        ratios = harness / bare, harness / timer
        marks = ["[green]" if r >= TARGET else "[red]" for r in ratios]
        table.add_row(
            contender.case.label, f"{harness:.4f}", f"{bare:.4f}", f"{timer:.4f}",
            f"{marks[0]}{ratios[0]:.3f}[/]", f"{marks[1]}{ratios[1]:.3f}[/]",
            " / ".join(spread(taken[way]) for way in WAYS),
        )  # fmt: skip
    console.print(table)
    console.print(f"target: harness >= {TARGET} x each bare measurement; {ROUNDS} rounds each")
