"""The all-reduce half of `kernelperf run`: its flags, and the run started under a launcher.

Every rank runs this same command (`mpiexec -n 4 kernelperf run --suite allreduce ...`, `srun
kernelperf run ...`, `torchrun ... -m kernelperf.cli run ...`); rank 0 alone draws progress,
writes OUT/allreduce and prints the summary.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, cast

from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from kernelperf import console
from schemas import RESULT_NAME, DType, ProblemSet, Profile, RunResult, UsageError

if TYPE_CHECKING:
    from harness.collective_run import AllreduceRequest

DTYPES = (DType.FP32, DType.FP16, DType.BF16)
DEFAULT_MIN_BYTES = 8
DEFAULT_MAX_BYTES = 256 << 20
DEFAULT_TIMEOUT_S = 300.0
# `kernelperf run` flags that mean nothing for a collective.
COMPUTE_ONLY_FLAGS = ("resume", "time_budget", "threads")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The all-reduce flags of `kernelperf run`."""
    group = parser.add_argument_group("all-reduce (--suite allreduce, under mpiexec/srun)")
    group.add_argument(
        "--backend", choices=["mpi", "torch"], default="mpi", help="mpi4py (default) or torch"
    )
    group.add_argument("--min-bytes", type=int, metavar="N", help="sweep from N bytes per rank")
    group.add_argument("--max-bytes", type=int, metavar="N", help="sweep up to N bytes per rank")
    group.add_argument(
        "--step-factor", type=int, default=2, metavar="F", help="sweep step (default x2)"
    )
    group.add_argument(
        "--timeout-s",
        type=float,
        default=DEFAULT_TIMEOUT_S,
        metavar="S",
        help=f"end the run when a rank makes no progress for S s (default {DEFAULT_TIMEOUT_S:g})",
    )


def request_from(args: argparse.Namespace) -> AllreduceRequest:
    """The all-reduce request the flags describe; UsageError for flags it cannot honour."""
    # numpy and the collective modules: imported for an all-reduce run, not for every `run`.
    from harness.collective_run import AllreduceRequest, BackendName
    from harness.suites.allreduce import Sweep

    given = [f"--{name.replace('_', '-')}" for name in COMPUTE_ONLY_FLAGS if getattr(args, name)]
    if given:
        raise UsageError(
            f"{', '.join(given)} do not apply to the all-reduce suite",
            where="kernelperf run --suite allreduce",
            fix="drop them; the launcher sets the ranks and --timeout-s bounds a stalled run",
        )
    if args.dtype == "int8":
        raise UsageError("all-reduce sums floats", where="--dtype int8", fix="use fp32, fp16, bf16")
    if args.timeout_s <= 0:
        raise UsageError(f"{args.timeout_s} s", where="--timeout-s", fix="give a positive number")
    sweep = None
    if args.min_bytes is not None or args.max_bytes is not None:
        sweep = Sweep(
            min_bytes=args.min_bytes or DEFAULT_MIN_BYTES,
            max_bytes=args.max_bytes or DEFAULT_MAX_BYTES,
            step_factor=args.step_factor,
        )
        sweep.sizes_bytes()  # raises UsageError for a sweep that cannot step
    return AllreduceRequest(
        backend=cast(BackendName, args.backend),
        device=args.device or "cpu",
        profile=Profile(args.profile or Profile.FULL.value),
        dtypes=DTYPES if args.dtype == "all" else (DType(args.dtype or DType.FP32.value),),
        seed=args.seed or 0,
        timeout_s=args.timeout_s,
        sweep=sweep,
        problem_set=ProblemSet(args.set) if args.set else None,
        id_glob=args.filter,
    )


def handle(args: argparse.Namespace) -> int:
    """Runs the suite on this rank; rank 0 shows progress, writes the bundle, prints a table."""
    from harness.collective_bundle import run_allreduce_suite
    from harness.launch import detect

    request = request_from(args)
    if args.out is None:
        raise UsageError("no output directory", where="--out", fix="add --out DIR")
    leader = detect().rank == 0
    with Progress(
        TextColumn("[kp.key]allreduce"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("[kp.note]{task.fields[case]}"),
        console=console.stderr,
        transient=True,
        disable=not (leader and console.stderr.is_terminal),
    ) as progress:
        task = progress.add_task("allreduce", total=None, case="starting")
        bundle = run_allreduce_suite(
            request,
            Path(args.out),
            command_line=sys.argv,
            system_id=args.system_id,
            submitter=args.submitter,
            on_case=lambda done, total, label: progress.update(
                task, completed=done, total=total, case=label
            ),
        )
    if bundle is not None:
        run = RunResult.model_validate_json((bundle / RESULT_NAME).read_text(encoding="utf-8"))
        console.stdout.print(summary_table(run))
    return 0


def summary_table(run: RunResult) -> Table:
    """One row per result: size, mode, median, algbw, busbw and the exact-sum check."""
    table = Table("problem", "dtype", "in place", "bytes", "median µs", "algbw GB/s", "busbw GB/s")
    table.add_column("check")
    for column in table.columns[3:7]:
        column.justify = "right"
    for result in run.results:
        collective = result.collective
        if collective is None:
            continue
        table.add_row(
            result.problem.id.removeprefix("allreduce/"),
            result.precision.input.value,
            "yes" if collective.in_place else "no",
            f"{collective.size_bytes:,}",
            f"{result.stats.median_ns / 1e3:.1f}",
            f"{collective.algbw_gbps:.2f}",
            f"{collective.busbw_gbps:.2f}",
            "[kp.ok]ok[/]" if result.correctness.passed else "[kp.fail]WRONG[/]",
        )
    for error in run.errors:
        dtype = error.precision.input.value if error.precision else "-"
        message = escape(error.message[:60])
        table.add_row(
            error.problem_id, dtype, "-", "-", "-", "-", "-", f"[kp.fail]error[/] {message}"
        )
    return table
