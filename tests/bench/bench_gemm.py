"""Harness overhead on GEMM: the harness's median TFLOP/s beside bare timing loops, one process.

For three DeepBench shapes, each round times the same fp32 matmul three ways, interleaved so
that drift of the machine hits all three alike (DESIGN: medians move ±10% between processes):

- harness: `run_case` as `kernelperf run --profile quick` does it (prepare, check, warm-up,
  adaptive samples), its median;
- bare loop: `time.perf_counter` around a plain loop of `torch.matmul(left, right, out=c)` on
  the same operands, the mean per call;
- torch.utils.benchmark: `Timer.blocked_autorange`, threads set to torch's own count (the Timer
  defaults to one thread, which would compare against a different kernel), its median.

Reported: the median over rounds of each, their ratios (target >= 0.97), and the spread.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import torch
import torch.utils.benchmark as torch_benchmark
from rich.console import Console
from rich.table import Table

from harness.plan import POLICIES
from harness.problems import load
from harness.runner import run_case
from harness.suites import gemm
from harness.suites.base import Case, RunOptions
from harness.suites.contracts import precision_of
from harness.timing import HostClock
from schemas import DType, GemmParams, KernelResult, Problem, Profile, Suite

SHAPES = ("gemm/train/003", "gemm/train/023", "gemm/inference_server/025")
ROUNDS = 5
BARE_S = 0.25
TARGET = 0.97


def _bare_loop_tflops(kernel: Callable[[], object], flops: int) -> float:
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


def _timer_tflops(left: torch.Tensor, right: torch.Tensor, out: torch.Tensor, flops: int) -> float:
    """torch.utils.benchmark's median, with threads set explicitly."""
    timer = torch_benchmark.Timer(
        stmt="torch.matmul(left, right, out=out)",
        globals={"torch": torch, "left": left, "right": right, "out": out},
        num_threads=torch.get_num_threads(),
    )
    return flops / timer.blocked_autorange(min_run_time=BARE_S).median / 1e12


def _harness_tflops(case: Case, options: RunOptions) -> float:
    """The harness's own path, as a quick-profile run takes it."""
    outcome = run_case(gemm.GemmSuite(), case, options, POLICIES[Profile.QUICK], HostClock())
    assert isinstance(outcome, KernelResult), outcome
    return outcome.tflops


def _spread(values: list[float]) -> str:
    """Range over rounds relative to their median, as ±%."""
    middle = statistics.median(values)
    return f"±{50 * (max(values) - min(values)) / middle:.0f}%"


def _rounds(problem: Problem, options: RunOptions) -> dict[str, list[float]]:
    """TFLOP/s of each way of timing, ROUNDS times, interleaved."""
    params = problem.params
    assert isinstance(params, GemmParams)
    case = Case(problem, problem.directions[0], precision_of(DType.FP32))
    ops = gemm.operands(params, DType.FP32, "cpu", options.seed)
    out = torch.empty((params.n, params.m), dtype=torch.float32)
    flops = problem.flops()

    def bare() -> object:
        return torch.matmul(ops.left, ops.right, out=out)

    rounds: dict[str, list[float]] = {"harness": [], "bare": [], "timer": []}
    for _ in range(ROUNDS):
        rounds["harness"].append(_harness_tflops(case, options))
        rounds["bare"].append(_bare_loop_tflops(bare, flops))
        rounds["timer"].append(_timer_tflops(ops.left, ops.right, out, flops))
    return rounds


def run(console: Console) -> None:
    """Times each shape ROUNDS times three ways, interleaved, and prints the ratios."""
    problems = {p.id: p for p in load(Suite.GEMM)}
    options = RunOptions(device="cpu", dtypes=(DType.FP32,), seed=0)
    table = Table(
        "problem", "harness", "bare", "Timer", "h/bare", "h/Timer", "spread h/b/T",
        title=f"fp32 TFLOP/s, threads={torch.get_num_threads()}",
    )  # fmt: skip
    for problem_id in SHAPES:
        rounds = _rounds(problems[problem_id], options)
        harness, bare, timer = (statistics.median(rounds[k]) for k in ("harness", "bare", "timer"))
        ratios = harness / bare, harness / timer
        marks = ["[green]" if r >= TARGET else "[red]" for r in ratios]
        table.add_row(
            problem_id, f"{harness:.3f}", f"{bare:.3f}", f"{timer:.3f}",
            f"{marks[0]}{ratios[0]:.3f}[/]", f"{marks[1]}{ratios[1]:.3f}[/]",
            " / ".join(_spread(rounds[k]) for k in ("harness", "bare", "timer")),
        )  # fmt: skip
    console.print(table)
    console.print(f"target: harness >= {TARGET} x each bare measurement; {ROUNDS} rounds each")
