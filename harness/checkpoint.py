"""Reads back the bundles of an interrupted run, so that `--resume` continues where it stopped.

A run writes its bundles as it goes (complete=false until the end), with the request that started
it (`schemas.RunRequest`) as the first event of each log. Resuming reads that request back, keeps
every result and error already recorded, and runs only the cases that are missing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from harness.bundle import REQUEST_EVENT
from harness.suites.base import Case
from schemas import (
    LOG_NAME,
    RESULT_NAME,
    SYSTEM_NAME,
    BundleError,
    KernelError,
    KernelResult,
    Precision,
    RunRequest,
    RunResult,
    Suite,
    SystemDescription,
    UsageError,
)


@dataclass(frozen=True)
class PriorRun:
    """One suite's bundle as an earlier run left it."""

    run: RunResult
    system: SystemDescription
    events: tuple[dict[str, object], ...]

    def done(self) -> frozenset[tuple[str, str, str]]:
        """Keys of the cases already recorded, as results or as errors."""
        outcomes: tuple[KernelResult | KernelError, ...] = (*self.run.results, *self.run.errors)
        return frozenset(outcome_key(outcome) for outcome in outcomes)


def case_key(case: Case) -> tuple[str, str, str]:
    """What identifies a case across runs: problem id, direction and input precision."""
    return (case.problem.id, case.direction.value, case.precision.input.value)


def outcome_key(outcome: KernelResult | KernelError) -> tuple[str, str, str]:
    """The case key of a recorded result or error."""
    precision: Precision | None
    if isinstance(outcome, KernelResult):
        problem_id, precision = outcome.problem.id, outcome.precision
    else:
        problem_id, precision = outcome.problem_id, outcome.precision
    dtype = precision.input.value if precision else ""
    return (problem_id, outcome.direction.value, dtype)


def read_prior(bundle: Path) -> PriorRun:
    """The run, system and log events of one bundle; BundleError when they cannot be read."""
    try:
        run = RunResult.model_validate_json((bundle / RESULT_NAME).read_bytes())
        system = SystemDescription.model_validate_json((bundle / SYSTEM_NAME).read_bytes())
        lines = (bundle / LOG_NAME).read_text(encoding="utf-8").splitlines()
        events = tuple(json.loads(line) for line in lines if line.strip())
    except (OSError, ValueError, ValidationError) as exc:
        raise BundleError(
            f"cannot read the bundle to resume: {exc}",
            where=str(bundle),
            fix="resume from the --out directory of a run made by this harness",
        ) from exc
    return PriorRun(run=run, system=system, events=events)


@dataclass(frozen=True)
class Resume:
    """An interrupted run: where its bundles are, what it was asked, and each suite's bundle."""

    out: Path
    request: RunRequest
    priors: dict[Suite, PriorRun]

    @property
    def system(self) -> SystemDescription:
        """The system the run described (its id and submitter carry over)."""
        return next(iter(self.priors.values())).system


def read_resume(out: Path) -> Resume:
    """The run whose bundles lie under `out` (or the bundle `out` itself names)."""
    if (out / RESULT_NAME).is_file():
        out = out.parent  # a bundle was named instead of the --out directory above it
    priors = {
        Suite(path.name): read_prior(path)
        for path in sorted(out.iterdir() if out.is_dir() else ())
        if path.name in Suite.all() and (path / RESULT_NAME).is_file()
    }
    if not priors:
        raise BundleError(
            "no bundle to resume",
            where=str(out),
            fix="pass the --out directory of the interrupted run",
        )
    prior = next(iter(priors.values()))
    return Resume(
        out=out, request=request_of(prior, out / prior.run.suite / LOG_NAME), priors=priors
    )


def request_of(prior: PriorRun, log: Path) -> RunRequest:
    """The request that made a bundle, from its log; BundleError when it is missing or damaged."""
    logged = [e.get("request") for e in prior.events if e.get("event") == REQUEST_EVENT]
    if not logged:
        raise BundleError(
            "the bundle does not record the request that made it",
            where=str(log),
            fix="run again from the start; only bundles of this harness can be resumed",
        )
    try:
        request = RunRequest.model_validate(logged[0])
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "request"
        raise BundleError(
            f"the logged request is damaged: {field}: {first['msg']}",
            where=str(log),
            fix="run again from the start; a request edited by hand cannot be resumed",
        ) from exc
    if request.collective is not None:
        raise UsageError(
            "a collective run cannot be resumed: its ranks measure every size together",
            where=str(log),
            fix="start the all-reduce run again under its launcher",
        )
    return request
