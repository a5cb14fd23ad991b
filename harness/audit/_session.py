"""Runs an audit: the seeded draw, rounds of re-measurement in fresh processes, verdicts.

Every round re-measures the drawn results in turn in a process of its own (`_round`), so that
the rounds differ as processes differ, as a submission and its audit do too (medians move about
±10% between processes here, more under load); the median gap between each result's two
fastest rounds is the machine's noise floor (`schemas.audit_stats.noise_floor`), and the
verdicts allow for it. Two rounds measure it; a result judged faster, whose interval holds a
limit, or whose rounds disagree by more than the tolerance, gets up to two more processes, and
one judged slower up to eight more, until a process reaches the submitted time. The machine's
load average is recorded at start and end, and a load above its CPU count is reported, since
the floor then says more about the other work than about this machine. audit.json is rewritten
atomically after every result with complete=false, so Ctrl-C leaves an audit that `--resume`
continues.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal, Protocol

from harness.audit._compare import p_slower
from harness.audit._round import Drawn, Remeasure
from harness.audit._target import Target
from harness.audit._write import write_audit_bundle
from harness.plan import POLICIES
from harness.records import harness_version
from schemas import (
    Audit,
    AuditedBundle,
    AuditedResult,
    AuditVerdict,
    ContainerImage,
    ResultKey,
    SystemDescription,
    UsageError,
    assess,
    draw_sample,
)
from schemas.audit import allowed_ratio
from schemas.audit_stats import noise_floor

BASE_ROUNDS = 2
MAX_ROUNDS = 4
# A result judged slower strikes its system, so it is re-measured in fresh processes until one
# reaches the submitted time or this many tried: processes can be bimodal (gemm/train/129 ran
# 1.3x slower in 9 of 12 processes here, at its fast speed in the other 3), and a submission made
# in a fast one must meet a fast audit round before it is called slower.
SLOWER_ROUNDS = 10


class AuditObserver(Protocol):
    """Sees the audit's progress (the CLI draws a bar with an ETA from it)."""

    def planned(self, total: int, done: int) -> None:
        """`total` measurements are planned so far, `done` of them already recorded."""

    def measured(self, key: ResultKey, round_index: int) -> None:
        """One result was re-measured once more."""

    def loaded(self, load_average: float, logical_cpus: int) -> None:
        """A round starts while the 1-minute load average exceeds the CPU count."""


def load_average() -> float:
    """The machine's 1-minute load average."""
    return os.getloadavg()[0]


def logical_cpus() -> int:
    """The CPUs the load average is measured against."""
    return os.cpu_count() or 1


def start_audit(
    target: Target,
    *,
    sample_size: int,
    seed: int,
    tolerance: float,
    runtime: Literal["native", "container"],
    container: ContainerImage | None = None,
) -> Audit:
    """A new audit of `target` with its draw made; nothing measured yet."""
    if sample_size < 1:
        raise UsageError(f"--sample {sample_size} draws nothing", fix="give --sample N with N >= 1")
    keys = list(target.results())
    if not keys:
        raise UsageError(
            "the bundles hold no result to audit (every kernel failed)",
            where=target.bundles[0].shown,
            fix="audit a system whose bundles hold results",
        )
    now = datetime.now(UTC)
    return Audit(
        audit_id=f"{now:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}",
        round=target.round,
        division=target.division,
        submitter=target.system.submitter,
        system_id=target.system.system_id,
        target=str(target.path),
        seed=seed,
        sample_size=sample_size,
        tolerance=tolerance,
        noise_floor=0.0,
        logical_cpus=logical_cpus(),
        load_average_start=load_average(),
        load_average_end=load_average(),
        harness_version=harness_version(),
        runtime=runtime,
        container=container,
        started_utc=now,
        finished_utc=now,
        complete=False,
        bundles=tuple(
            AuditedBundle(
                path=b.shown,
                run_id=b.run.run_id,
                result_sha256=b.result_sha256,
                suite=b.run.suite,
                profile=b.request.profile.value,
            )
            for b in target.bundles
        ),
        selected=draw_sample(keys, sample_size, seed),
        results=(),
    )


@dataclass
class _Progress:
    """Each drawn result's rounds so far, or why its re-run failed."""

    rounds: dict[ResultKey, list[tuple[int, ...]]]
    errors: dict[ResultKey, str]

    def done(self, key: ResultKey) -> int:
        return SLOWER_ROUNDS if key in self.errors else len(self.rounds.get(key, []))


def judged(audit: Audit, target: Target, progress: _Progress) -> Audit:
    """The audit with every result measured so far compared and judged anew."""
    found = target.results()
    floor = noise_floor(progress.rounds.values())
    allowed = allowed_ratio(audit.tolerance, floor)
    results = []
    for key in audit.selected:
        if progress.done(key) == 0:
            continue
        submitted = found[key][1]
        rounds = progress.rounds.get(key, [])
        pooled = [s for r in rounds for s in r]
        results.append(
            assess(
                key,
                submitted.precision,
                submitted.samples_ns,
                rounds,
                allowed=allowed,
                p_slower=p_slower(pooled, submitted.samples_ns) if pooled else None,
                policy_count=POLICIES[found[key][0].request.profile].sample_count(
                    submitted.stats.median_ns
                ),
                audit_error=progress.errors.get(key),
            )
        )
    return audit.model_copy(
        update={
            "noise_floor": floor,
            "results": tuple(results),
            "finished_utc": datetime.now(UTC),
            "load_average_end": load_average(),
        }
    )


def _worth_another(
    result: AuditedResult, allowed: float, tolerance: float, round_index: int
) -> bool:
    """Whether a result gets one more process: while judged slower (the rounds run up to
    SLOWER_ROUNDS), or while borderline (up to MAX_ROUNDS)."""
    if result.verdict is AuditVerdict.SLOWER:
        return True
    return round_index < MAX_ROUNDS and _borderline(result, allowed, tolerance)


def _borderline(result: AuditedResult, allowed: float, tolerance: float) -> bool:
    """Worth another process: a verdict other than consistent that is within a tolerance of its
    limit (one more process must agree), an interval that holds a limit, or rounds that
    disagree."""
    if result.ratio_low is None or result.ratio_high is None:
        return False
    thin = allowed * (1.0 + tolerance)
    if result.verdict is AuditVerdict.SLOWER:
        return result.ratio_low < thin
    if result.verdict is AuditVerdict.FASTER:
        return result.ratio_high > 1.0 / thin
    holds = any(result.ratio_low <= x <= result.ratio_high for x in (allowed, 1.0 / allowed))
    return holds or result.round_spread > tolerance


def _progress_of(audit: Audit) -> _Progress:
    return _Progress(
        rounds={r.key: [tuple(x) for x in r.audit_rounds_ns] for r in audit.results},
        errors={r.key: r.audit_error for r in audit.results if r.audit_error is not None},
    )


def run_audit(
    audit: Audit,
    target: Target,
    out: Path,
    auditor: SystemDescription,
    remeasure: Remeasure,
    observer: AuditObserver,
) -> Audit:
    """Measures what `audit` still lacks, checkpointing into `out`; returns it complete."""
    found = target.results()
    missing = [k for k in audit.selected if k not in found]
    if missing:
        raise UsageError(
            f"the audit drew {missing[0].label}, which these bundles do not hold",
            where=str(out),
            fix="resume an audit with the bundles it was started on",
        )
    progress = _progress_of(audit)

    def measure(keys: Sequence[ResultKey], round_index: int) -> None:
        nonlocal audit
        if not keys:
            return
        if load_average() > audit.logical_cpus:
            observer.loaded(load_average(), audit.logical_cpus)
        for done in remeasure([Drawn(*found[k], key=k) for k in keys]):
            if done.error is None:
                progress.rounds.setdefault(done.key, []).append(done.samples_ns)
            else:
                progress.errors[done.key] = done.error
            audit = judged(audit, target, progress)
            write_audit_bundle(out, audit, auditor)
            observer.measured(done.key, round_index)

    base_total = len(audit.selected) * BASE_ROUNDS
    observer.planned(base_total, sum(min(progress.done(k), BASE_ROUNDS) for k in audit.selected))
    for round_index in range(BASE_ROUNDS):
        measure([k for k in audit.selected if progress.done(k) == round_index], round_index)
    extra_total = base_total
    for round_index in range(BASE_ROUNDS, SLOWER_ROUNDS):
        audit = judged(audit, target, progress)
        allowed = allowed_ratio(audit.tolerance, audit.noise_floor)
        keys = [
            r.key
            for r in audit.results
            if progress.done(r.key) == round_index
            and _worth_another(r, allowed, audit.tolerance, round_index)
        ]
        extra_total += len(keys)
        observer.planned(extra_total, extra_total - len(keys))
        measure(keys, round_index)
    audit = judged(audit, target, progress).model_copy(update={"complete": True})
    write_audit_bundle(out, audit, auditor)
    return audit
