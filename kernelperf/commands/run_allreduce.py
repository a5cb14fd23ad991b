"""The all-reduce half of `kernelperf run`: its flags, and the one call that runs it on this rank.

Every rank runs this same command (`mpiexec -n 4 kernelperf run --suite allreduce ...`, `srun
kernelperf run ...`, `torchrun ... -m kernelperf.cli run ...`); rank 0 alone draws progress,
writes OUT/allreduce and returns the run for `kernelperf run`'s summary.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Literal, cast

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from kernelperf import console
from schemas import CollectiveOptions, DType, RunRequest, RunResult, Sweep, UsageError

# What `--dtype all` means for a sum across ranks: the float types (int8 is not summed).
DTYPES = (DType.FP32, DType.FP16, DType.BF16)
DEFAULT_MIN_BYTES = 8
DEFAULT_MAX_BYTES = 256 << 20
DEFAULT_TIMEOUT_S = 300.0
DEFAULT_MIN_SAMPLE_US = 20.0
# `kernelperf run` flags that mean nothing for a collective.
COMPUTE_ONLY_FLAGS = ("time_budget", "threads")


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
        "--loop",
        choices=["auto", "native", "python"],
        default="auto",
        help="what runs the timed calls: a C loop built with mpicc (native), mpi4py (python), "
        "or native where it builds (auto, default)",
    )
    group.add_argument(
        "--min-sample-us",
        type=float,
        default=DEFAULT_MIN_SAMPLE_US,
        metavar="US",
        help="batch back-to-back calls until a sample lasts US µs; 0: one call per sample "
        f"(default {DEFAULT_MIN_SAMPLE_US:g})",
    )
    group.add_argument(
        "--timeout-s",
        type=float,
        default=DEFAULT_TIMEOUT_S,
        metavar="S",
        help=f"end the run when a rank makes no progress for S s (default {DEFAULT_TIMEOUT_S:g})",
    )


def options_from(args: argparse.Namespace) -> CollectiveOptions:
    """The all-reduce options the flags describe; UsageError for flags it cannot honour."""
    given = [f"--{name.replace('_', '-')}" for name in COMPUTE_ONLY_FLAGS if getattr(args, name)]
    if given:
        raise UsageError(
            f"{', '.join(given)} do not apply to the all-reduce suite",
            where="kernelperf run --suite allreduce",
            fix="drop them; the launcher sets the ranks and --timeout-s bounds a stalled run",
        )
    if args.dtype == DType.INT8.value:
        raise UsageError("all-reduce sums floats", where="--dtype int8", fix="use fp32, fp16, bf16")
    if args.timeout_s <= 0:
        raise UsageError(f"{args.timeout_s} s", where="--timeout-s", fix="give a positive number")
    if args.min_sample_us < 0:
        raise UsageError(f"{args.min_sample_us} µs", where="--min-sample-us", fix="give 0 or more")
    sweep = None
    if args.min_bytes is not None or args.max_bytes is not None:
        sweep = Sweep(
            min_bytes=args.min_bytes or DEFAULT_MIN_BYTES,
            max_bytes=args.max_bytes or DEFAULT_MAX_BYTES,
            step_factor=args.step_factor,
        )
        sweep.sizes_bytes()  # raises UsageError for a sweep that cannot step
    return CollectiveOptions(
        backend=cast(Literal["mpi", "torch"], args.backend),
        timeout_s=args.timeout_s,
        sweep=sweep,
        loop=cast(Literal["auto", "native", "python"], args.loop),
        min_sample_us=args.min_sample_us,
    )


def run(request: RunRequest, out: Path, args: argparse.Namespace) -> tuple[RunResult, ...]:
    """Runs the suite on this rank; rank 0 shows progress and returns its run, the others ()."""
    # numpy and the collective modules: imported for an all-reduce run, not for every `run`.
    from harness.allreduce import detect_launch, run_allreduce_suite

    leader = detect_launch().rank == 0
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
        written = run_allreduce_suite(
            request,
            out,
            command_line=sys.argv,
            system_id=args.system_id,
            submitter=args.submitter,
            on_case=lambda done, total, label: progress.update(
                task, completed=done, total=total, case=label
            ),
        )
    return () if written is None else (written,)
