"""`kernelperf run`: measures suites and writes one result bundle per suite.

Quiet by default: a transient progress bar on stderr while it runs (terminals only), then a short
table of what was measured. Ctrl-C or the time budget leaves bundles marked complete=false, and
`--resume DIR` finishes them with the same settings. The flags become one `schemas.RunRequest`
for every suite; the all-reduce (run_allreduce.py) adds its own flags and runs under a launcher.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from rich.markup import escape
from rich.progress import (
    BarColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
)
from rich.table import Table

# These import no torch; Runner and resolve_device (harness.runner) do, so they wait for a run.
from harness import (
    ALL_DTYPES,
    Case,
    SuitePlan,
    describe_system,
    plan_suites,
    read_resume,
    registered,
)
from kernelperf import console
from kernelperf.commands import run_allreduce, run_estimate
from kernelperf.commands.system import add_identity_arguments
from schemas import (
    DType,
    KernelError,
    KernelResult,
    ProblemSet,
    Profile,
    RunRequest,
    RunResult,
    Suite,
    UsageError,
)

ALLREDUCE = Suite("allreduce")
SUITE_CHOICES = [*Suite.all(), "all"]
DTYPE_CHOICES = [d.value for d in ALL_DTYPES] + ["all"]
# With --resume these come from the bundle; giving them as well would be ambiguous.
SELECTION_FLAGS = ("suite", "set", "profile", "device", "dtype", "filter", "seed", "threads")


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Adds the `run` subcommand."""
    parser = subparsers.add_parser(
        "run",
        help="measure compute suites and write one bundle per suite",
        description="Time DeepBench kernels (or, under a launcher, the all-reduce) and write "
        "result bundles to OUT/<suite>/.",
    )
    parser.add_argument("--suite", choices=SUITE_CHOICES, help="a suite, or all compute suites")
    parser.add_argument("--set", choices=[s.value for s in ProblemSet], help="only this set")
    parser.add_argument(
        "--profile", choices=[p.value for p in Profile], help="smoke | quick | full (default)"
    )
    parser.add_argument("--device", help="cpu (default) or cuda")
    parser.add_argument("--dtype", choices=DTYPE_CHOICES, help="input precision (default fp32)")
    parser.add_argument("--filter", metavar="GLOB", help="problem ids matching this glob")
    parser.add_argument("--seed", type=int, metavar="N", help="seed of the inputs (default 0)")
    parser.add_argument("--threads", type=int, metavar="N", help="intra-op threads of torch")
    parser.add_argument(
        "--time-budget", type=float, metavar="SECONDS", help="stop starting kernels after this"
    )
    parser.add_argument("--resume", type=Path, metavar="DIR", help="finish an interrupted run")
    parser.add_argument("--out", type=Path, metavar="DIR", help="where the bundles go")
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="print the plan and the estimated time per suite (after a short calibration), "
        "and run nothing",
    )
    parser.add_argument(
        "--peaks-of",
        metavar="DEVICE",
        help="with --dry-run: estimate for this device of the device table (e.g. 'H100 SXM5') "
        "instead of calibrating here",
    )
    add_identity_arguments(parser)
    run_allreduce.add_arguments(parser)
    parser.set_defaults(handler=handle)


def _dtypes(choice: str | None, every: tuple[DType, ...]) -> tuple[DType, ...]:
    if choice == "all":
        return every
    return (DType(choice or DType.FP32.value),)


def _suites(choice: str | None) -> tuple[Suite, ...]:
    if choice is None:
        raise UsageError("no suite chosen", where="--suite", fix="add --suite gemm (or all)")
    return registered() if choice == "all" else (Suite(choice),)


def _threads(requested: int | None) -> int:
    if requested is not None and requested < 1:
        raise UsageError(f"{requested} threads", where="--threads", fix="give 1 or more")
    import torch

    return torch.get_num_threads() if requested is None else requested


def request_from(args: argparse.Namespace) -> RunRequest:
    """The request the flags describe, compute or all-reduce; UsageError for what cannot run here.

    The all-reduce's device is resolved by its backend on each rank, and it sets no torch threads:
    neither imports torch here.
    """
    suites = _suites(args.suite)
    collective = run_allreduce.options_from(args) if suites == (ALLREDUCE,) else None
    if collective is None and args.peaks_of is not None:
        # A device elsewhere: nothing to resolve here, and its threads are not this CPU's.
        device, threads = args.device or "cuda", 1
    elif collective is None:
        from harness import resolve_device

        device, threads = resolve_device(args.device or "cpu"), _threads(args.threads)
    else:
        device, threads = args.device or "cpu", None
    return RunRequest(
        suites=suites,
        profile=Profile(args.profile or Profile.FULL.value),
        device=device,
        dtypes=_dtypes(args.dtype, ALL_DTYPES if collective is None else run_allreduce.DTYPES),
        seed=_seed(args.seed),
        threads=threads,
        problem_set=ProblemSet(args.set) if args.set else None,
        id_glob=args.filter,
        collective=collective,
    )


def _seed(seed: int | None) -> int:
    if seed is not None and seed < 0:
        raise UsageError(f"seed {seed}", where="--seed", fix="give 0 or a positive integer")
    return seed or 0


def _out_dir(out: Path | None) -> Path:
    if out is None:
        raise UsageError("no output directory", where="--out", fix="add --out DIR")
    if out.exists() and not out.is_dir():
        raise UsageError(
            "the output path is a file", where=f"--out {out}", fix="name a directory instead"
        )
    return out


def _deadline(budget_s: float | None) -> float | None:
    if budget_s is None:
        return None
    if budget_s <= 0:
        raise UsageError(f"{budget_s} s", where="--time-budget", fix="give a positive number")
    return time.monotonic() + budget_s


class ProgressBar:
    """A run observer that draws one bar per suite on stderr, with ETA and the current case.

    The bar counts estimated seconds (harness/estimate.py), not cases: a case advances it by its
    own estimate, so the ETA is the estimate of what is left, scaled by the pace so far.
    """

    def __init__(self, progress: Progress, case_s: Mapping[str, float]) -> None:
        self.progress = progress
        self.case_s = case_s
        self.task: TaskID | None = None

    def suite_started(self, plan: SuitePlan, done: int) -> None:
        """Adds the suite's bar, counting cases an earlier run already recorded."""
        weights = [self.case_s.get(case.label, 1.0) for case in plan.cases]
        self.task = self.progress.add_task(plan.suite.suite.value, total=sum(weights), case="")
        self.progress.update(self.task, completed=sum(weights[:done]))

    def case_started(self, case: Case) -> None:
        """Names the case being measured."""
        if self.task is not None:
            self.progress.update(self.task, case=case.label)

    def case_finished(self, case: Case, outcome: KernelResult | KernelError) -> None:
        """Advances the bar by the case's estimate."""
        if self.task is not None:
            self.progress.advance(self.task, self.case_s.get(case.label, 1.0))

    def suite_finished(self, plan: SuitePlan) -> None:
        """Clears the case name."""
        if self.task is not None:
            self.progress.update(self.task, case="")


def _duration(ns: float) -> str:
    """ns as µs, ms or s, three significant digits."""
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if ns >= scale:
            return f"{ns / scale:.3g} {unit}"
    return f"{ns:.0f} ns"


def summary_table(runs: Sequence[RunResult]) -> Table:
    """One row per kernel: problem, case, dtype, median, rate (TFLOP/s, or a collective's busbw,
    the figure it is ranked by) and the check."""
    table = Table("problem", "case", "dtype", "median", "rate", "check")
    for column in table.columns[3:5]:
        column.justify = "right"
    for run in runs:
        for result in run.results:
            verdict = result.correctness
            check = "[kp.ok]ok[/]" if verdict and verdict.passed else "[kp.fail]FAIL[/]"
            shown_error = f"{verdict.error:.1e}" if verdict else "-"
            table.add_row(
                result.problem.id,
                _case(result),
                result.precision.input.value,
                _duration(result.stats.median_ns),
                _rate(result),
                f"{check} [kp.note]{shown_error}[/]",
            )
        for error in run.errors:
            dtype = error.precision.input.value if error.precision else "-"
            message = escape(error.message[:60])
            table.add_row(
                error.problem_id,
                error.direction.value,
                dtype,
                "-",
                "-",
                f"[kp.fail]error[/] {message}",
            )
    return table


def _case(result: KernelResult) -> str:
    """The direction, or for a collective whether it ran in place."""
    if result.collective is None:
        return result.direction.value
    return "in-place" if result.collective.in_place else "out-of-place"


def _rate(result: KernelResult) -> str:
    """TFLOP/s of a compute kernel; busbw of a collective, which does no FLOPs."""
    if result.collective is None:
        return f"{result.tflops:.3g} TFLOP/s"
    return f"{result.collective.busbw_gbps:.3g} GB/s busbw"


def _dry_run(request: RunRequest, plans: Sequence[SuitePlan], peaks_of: str | None) -> int:
    """Prints the plan with each suite's estimate; measures nothing."""
    peaks, estimates = run_estimate.estimate(request, plans, peaks_of)
    console.stdout.print(f"peaks: {escape(peaks.source)}; profile {request.profile.value}")
    console.stdout.print(run_estimate.plan_table(plans, estimates))
    return 0


def _case_estimates(request: RunRequest, plans: Sequence[SuitePlan]) -> dict[str, float]:
    """Each case's estimated seconds for the bar; none (a count of cases) off a terminal."""
    if not console.stderr.is_terminal:
        return {}
    _, estimates = run_estimate.estimate(request, plans, None)
    return {
        case.label: seconds
        for plan, suite_estimate in zip(plans, estimates, strict=True)
        for case, seconds in zip(plan.cases, suite_estimate.case_s, strict=True)
    }


def handle(args: argparse.Namespace) -> int:
    """Plans, runs and summarises; the bundles are on disk even when interrupted."""
    deadline = _deadline(args.time_budget)
    if args.resume is not None:
        given = [
            f"--{name} {getattr(args, name)}"
            for name in SELECTION_FLAGS
            if getattr(args, name) is not None
        ]
        if given or args.out is not None:
            raise UsageError(
                "--resume takes its settings and output directory from the bundle",
                where=" ".join([*given, *(["--out"] if args.out is not None else [])]),
                fix="drop those flags, or start a new run without --resume",
            )
        resume = read_resume(args.resume)
        out, request, priors = resume.out, resume.request, resume.priors
        system_id, submitter = resume.system.system_id, resume.system.submitter
    else:
        # A dry run writes nothing, so it needs no --out.
        out = args.out if args.dry_run else _out_dir(args.out)
        request, priors = request_from(args), {}
        system_id, submitter = args.system_id, args.submitter
    if request.collective is not None:
        if args.dry_run:
            raise UsageError(
                "--dry-run estimates compute suites; the all-reduce runs under a launcher",
                where="--suite allreduce --dry-run",
                fix="use --profile smoke under mpiexec for a first look at its time",
            )
        runs = run_allreduce.run(request, out, args)
        if runs:  # rank 0 alone prints
            console.stdout.print(summary_table(runs))
        return 0
    from harness import Runner  # imports torch: compute runs only

    plans = plan_suites(request)
    if args.dry_run:
        return _dry_run(request, plans, args.peaks_of)
    system = describe_system(system_id=system_id, submitter=submitter)
    with Progress(
        TextColumn("[kp.key]{task.description}"),
        BarColumn(),
        TimeRemainingColumn(),
        TextColumn("[kp.note]{task.fields[case]}"),
        console=console.stderr,
        transient=True,
        disable=not console.stderr.is_terminal,
    ) as progress:
        runner = Runner(
            request,
            system,
            out,
            command_line=sys.argv,
            observer=ProgressBar(progress, _case_estimates(request, plans)),
            deadline=deadline,
        )
        suite_runs = runner.run(plans, priors)
    console.stdout.print(summary_table([suite_run.run for suite_run in suite_runs]))
    if runner.stopped_early:
        console.stderr.print(
            "[kp.warn]time budget reached[/]: the bundles are marked incomplete; finish with "
            f"`kernelperf run --resume {escape(str(out))}`"
        )
    return 0
