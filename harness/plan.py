"""What a run will do: the request as the user gave it, and the cases it expands to per suite.

The request is recorded in every bundle's log, so that `--resume` repeats exactly the same
selection, seed, device and threads.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from harness.suites import compute_suite
from harness.suites.base import Case, ComputeSuite, RunOptions
from harness.timing import TimingPolicy
from schemas import DType, ProblemSet, Profile, Suite, UsageError, load_problems, select_problems

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


@dataclass(frozen=True)
class RunRequest:
    """Everything that decides what a run measures (not where it writes)."""

    suites: tuple[Suite, ...]
    profile: Profile
    device: str
    dtypes: tuple[DType, ...]
    seed: int
    threads: int
    problem_set: ProblemSet | None = None
    id_glob: str | None = None

    def options(self) -> RunOptions:
        """What each suite is told about the device, precisions and seed."""
        return RunOptions(device=self.device, dtypes=self.dtypes, seed=self.seed)

    def to_event(self) -> dict[str, object]:
        """The request as a log event: the one `--resume` reads back."""
        return {
            "event": "request",
            "suites": list(self.suites),
            "profile": self.profile.value,
            "device": self.device,
            "dtypes": [d.value for d in self.dtypes],
            "seed": self.seed,
            "threads": self.threads,
            "set": self.problem_set.value if self.problem_set else None,
            "filter": self.id_glob,
        }

    @classmethod
    def from_event(cls, event: Mapping[str, object]) -> RunRequest:
        """The request a `to_event` record describes; ValueError/TypeError if it is damaged."""
        suites, dtypes = event["suites"], event["dtypes"]
        seed, threads = event["seed"], event["threads"]
        problem_set, id_glob = event.get("set"), event.get("filter")
        if not isinstance(suites, list) or not isinstance(dtypes, list):
            raise TypeError("suites and dtypes must be lists")
        if not isinstance(seed, int) or not isinstance(threads, int):
            raise TypeError("seed and threads must be integers")
        return cls(
            suites=tuple(Suite(str(s)) for s in suites),
            profile=Profile(str(event["profile"])),
            device=str(event["device"]),
            dtypes=tuple(DType(str(d)) for d in dtypes),
            seed=seed,
            threads=threads,
            problem_set=ProblemSet(str(problem_set)) if problem_set else None,
            id_glob=str(id_glob) if id_glob else None,
        )


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
            case for problem in chosen for case in suite.cases(problem, request.options())
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
