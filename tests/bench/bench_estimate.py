"""Run-time estimate: `kernelperf run --dry-run`'s figure per suite beside the real quick run.

Target (issue 16): the whole quick profile within 20% of its estimate. The estimate is made
first (its calibration included in what is printed), then the run, in this one process.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from harness import (
    POLICIES,
    Runner,
    calibrate,
    cpu_peaks,
    describe_system,
    estimate_run,
    plan_suites,
)
from schemas import DType, Profile, RunRequest, Suite

TARGET = 0.20
SUITES = ("gemm", "conv", "rnn", "sparse_gemm")


def run(console: Console) -> None:
    """Estimates, then runs, the quick profile of every compute suite; one row per suite."""
    import torch

    threads = torch.get_num_threads()
    request = RunRequest(
        suites=tuple(Suite(s) for s in SUITES),
        profile=Profile.QUICK,
        device="cpu",
        dtypes=(DType.FP32,),
        seed=0,
        threads=threads,
    )
    plans = plan_suites(request)
    system = describe_system()
    started = time.perf_counter()
    peaks = cpu_peaks(system.host, threads, clock_ghz=None)
    calibrations = [calibrate(plan, request, peaks) for plan in plans]
    estimates = estimate_run(plans, POLICIES[request.profile], peaks, calibrations)
    calibration_s = time.perf_counter() - started
    table = Table(
        "suite", "cases", "estimate s", "real s", "real / estimate", title="quick profile"
    )
    with tempfile.TemporaryDirectory(prefix="kp-bench-estimate-") as scratch:
        real = []
        for plan, suite_estimate in zip(plans, estimates, strict=True):
            begun = time.perf_counter()
            Runner(request, system, Path(scratch), command_line=["bench"]).run([plan])
            real.append(time.perf_counter() - begun)
            table.add_row(
                plan.suite.suite,
                str(len(plan.cases)),
                f"{suite_estimate.seconds:.1f}",
                f"{real[-1]:.1f}",
                f"{real[-1] / suite_estimate.seconds:.2f}",
            )
    total_estimate = sum(e.seconds for e in estimates)
    ratio = sum(real) / total_estimate
    met = abs(ratio - 1) <= TARGET
    mark = "[green]" if met else "[bold red]"
    table.add_row("all", "", f"{total_estimate:.1f}", f"{sum(real):.1f}", f"{mark}{ratio:.2f}[/]")
    console.print(table)
    console.print(
        f"calibration took {calibration_s:.1f} s; target: real within {TARGET:.0%} of the estimate"
    )
