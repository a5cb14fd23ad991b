"""What a compute run will do: the cases a request (`schemas.RunRequest`) expands to per suite."""

from __future__ import annotations

from dataclasses import dataclass

from harness.suites import compute_suite
from harness.suites.base import Case, ComputeSuite, RunOptions
from harness.timing import TimingPolicy
from schemas import DType, Profile, RunRequest, UsageError, load_problems, select_problems

# Every precision a compute suite may run; each suite keeps those the problem's set calls for.
ALL_DTYPES = (DType.FP32, DType.FP16, DType.BF16, DType.INT8)
# Smoke: a few samples, for tests. Quick: a fraction of a second per kernel. Full: the rules'.
POLICIES: dict[Profile, TimingPolicy] = {
    Profile.SMOKE: TimingPolicy(
        min_warmup_calls=1, warmup_s=0.0, min_samples=5, max_samples=50, budget_s=0.02
    ),
    Profile.QUICK: TimingPolicy(
        min_warmup_calls=2, warmup_s=0.05, min_samples=5, max_samples=2_000, budget_s=0.25
    ),
    Profile.FULL: TimingPolicy(
        min_warmup_calls=2, warmup_s=0.1, min_samples=5, max_samples=10_000, budget_s=1.0
    ),
}


def run_options(request: RunRequest) -> RunOptions:
    """What each compute suite is told about the device, precisions and seed."""
    return RunOptions(device=request.device, dtypes=request.dtypes, seed=request.seed)


@dataclass(frozen=True)
class SuitePlan:
    """One suite's cases, in the order they run."""

    suite: ComputeSuite
    cases: tuple[Case, ...]


def plan_suites(request: RunRequest) -> tuple[SuitePlan, ...]:
    """Every suite's cases; suites with none are left out, and UsageError if none has any."""
    plans = []
    for suite_name in request.suites:
        suite = compute_suite(suite_name)
        chosen = select_problems(
            load_problems(suite.suite),
            problem_set=request.problem_set,
            id_glob=request.id_glob,
            profile=request.profile,
        )
        cases = tuple(
            case for problem in chosen for case in suite.cases(problem, run_options(request))
        )
        if cases:
            plans.append(SuitePlan(suite=suite, cases=cases))
    if not plans:
        raise UsageError(
            "nothing to run: no problem matches the selection in the chosen precisions",
            where=_selection_text(request),
            fix="list the ids with `kernelperf problems`; int8 runs on inference sets only",
        )
    return tuple(plans)


def _selection_text(request: RunRequest) -> str:
    """The selection as command-line flags, for error messages."""
    parts = [
        f"--suite {','.join(request.suites)}",
        f"--profile {request.profile.value}",
        f"--dtype {','.join(d.value for d in request.dtypes)}",
    ]
    if request.problem_set:
        parts.append(f"--set {request.problem_set.value}")
    if request.id_glob:
        parts.append(f"--filter {request.id_glob}")
    return " ".join(parts)
