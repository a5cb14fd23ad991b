"""A reproduction audit (issue 13): the document `audit.json` of an audit bundle, and its rules.

A reviewer draws N results of a submitted system by a seed published after the deadline,
re-runs exactly those with the same harness settings, and records both distributions with a
verdict per result. What decides a verdict lives here, in plain Python, so that the validator
re-checks every verdict from the raw samples without numpy or scipy.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum
from statistics import median
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from schemas.audit_stats import process_gap, ratio_interval, round_spread
from schemas.enums import Direction, Division
from schemas.result import Precision
from schemas.suites import Suite
from schemas.system import ContainerImage
from schemas.versioned import DOCUMENT

AUDIT_VERSION: Literal["1.0"] = "1.0"
FROZEN = ConfigDict(frozen=True, extra="forbid")
# The rank test must agree before "slower" is called: 1% one-sided.
RANK_TEST_ALPHA = 0.01
# A submission may hold fewer samples than its own timings and the audit's re-run call for, and
# measure less time than the audit's shortest round, by this factor: the harness's count comes
# from one warm-up estimate, which moves a few-fold between processes on a loaded machine.
SAMPLE_COUNT_FACTOR = 3


class AuditVerdict(StrEnum):
    """What the re-measurement says about one submitted result."""

    CONSISTENT = "consistent"
    """Within the tolerance and the machine's noise floor."""
    FASTER = "faster"
    """The audit ran faster than submitted, beyond the tolerance: harmless, reported."""
    SLOWER = "slower"
    """The audit ran slower than submitted, beyond the tolerance: the submission overstates."""
    NOT_REPRODUCED = "not_reproduced"
    """The same settings did not give the same kind of result: the kernel failed on re-run, or
    the submission holds far fewer samples than those settings take."""


class ResultKey(BaseModel):
    """Which result: suite, problem, direction and input precision (one kernel of a bundle)."""

    model_config = FROZEN
    suite: Suite
    problem_id: str = Field(min_length=1)
    direction: Direction
    dtype: str = Field(min_length=1, description="The input precision, e.g. 'fp32'.")

    @property
    def label(self) -> str:
        """Short human name, e.g. 'gemm/train/017 fwd fp32'."""
        return f"{self.problem_id} {self.direction.value} {self.dtype}"


class AuditedBundle(BaseModel):
    """A submitted bundle the audit drew from."""

    model_config = FROZEN
    path: str = Field(description="The bundle, relative to the round folder when inside one.")
    run_id: str = Field(description="run_id of its result.json.")
    result_sha256: str = Field(description="sha256 of its result.json, as audited.")
    suite: Suite
    profile: str = Field(description="The profile whose timing policy the audit re-used.")


class AuditedResult(BaseModel):
    """One drawn result: both distributions, the comparison and the verdict."""

    model_config = FROZEN
    key: ResultKey
    precision: Precision = Field(description="The precision contract re-run, as submitted.")
    submitted_samples_ns: tuple[int, ...] = Field(min_length=1)
    audit_rounds_ns: tuple[tuple[int, ...], ...] = Field(
        description="The audit's samples, one tuple per round, each round measured in a fresh "
        "process (empty: it failed)."
    )
    audit_error: str | None = Field(default=None, description="Why the re-run failed, if it did.")
    ratio: float | None = Field(
        description="Hodges-Lehmann estimate of audit time / submitted time (>1: audit slower)."
    )
    ratio_low: float | None = Field(description="Lower end of the 95% interval of ratio.")
    ratio_high: float | None = Field(description="Upper end of the 95% interval of ratio.")
    mann_whitney_p: float | None = Field(
        description="One-sided p of scipy's Mann-Whitney U: audit samples slower than submitted."
    )
    round_spread: float = Field(ge=0, description="max/min − 1 of the rounds' medians.")
    process_gap: float = Field(
        ge=0,
        description="second-fastest/fastest − 1 of the rounds' medians: this result's part of "
        "the noise floor.",
    )
    expected_count: int = Field(
        ge=1,
        description="Samples the run's timing policy takes at the submitted median, or the "
        "most the audit took in one round if fewer: the least a submission should hold.",
    )
    verdict: AuditVerdict


class Audit(BaseModel):
    """An audit of one submitted system: the document `audit.json`."""

    model_config = DOCUMENT
    schema_version: Literal["1.0"] = Field(default=AUDIT_VERSION)
    audit_id: str = Field(min_length=1)
    round: str | None = Field(description="The round audited, when the bundles lie in one.")
    division: Division
    submitter: str
    system_id: str
    target: str = Field(description="The path the audit was started on, as given (--resume).")
    seed: int = Field(ge=0, description="The published seed that drew the results.")
    sample_size: int = Field(ge=1, description="N asked for; all results when fewer exist.")
    tolerance: float = Field(gt=0, description="Relative slowdown accepted (the rules' default).")
    noise_floor: float = Field(
        ge=0,
        description="This machine's spread between processes: the median process_gap of the "
        "results measured in two rounds or more (each round is a fresh process).",
    )
    logical_cpus: int = Field(ge=1, description="CPUs of the auditing machine (os.cpu_count).")
    load_average_start: float = Field(ge=0, description="1-minute load average at the start.")
    load_average_end: float = Field(ge=0, description="1-minute load average at the end.")
    harness_version: str = Field(description="Version of KernelPerf that re-ran the kernels.")
    runtime: Literal["native", "container"] = Field(description="Where the re-run happened.")
    container: ContainerImage | None = Field(default=None, description="The image, if one.")
    started_utc: datetime
    finished_utc: datetime
    complete: bool = Field(description="False while an interrupted audit waits to be resumed.")
    bundles: tuple[AuditedBundle, ...] = Field(min_length=1)
    selected: tuple[ResultKey, ...] = Field(min_length=1, description="The draw, in order.")
    results: tuple[AuditedResult, ...] = Field(description="One per selected key once complete.")

    @property
    def passed(self) -> bool:
        """Complete, and no result slower than submitted or not reproduced."""
        bad = {AuditVerdict.SLOWER, AuditVerdict.NOT_REPRODUCED}
        return self.complete and not any(r.verdict in bad for r in self.results)


def draw_sample(keys: Sequence[ResultKey], size: int, seed: int) -> tuple[ResultKey, ...]:
    """The `size` keys the seed draws, the same on every machine (Python's Mersenne Twister)."""
    ordered = sorted(set(keys), key=lambda k: (k.suite, k.problem_id, k.direction, k.dtype))
    return tuple(random.Random(seed).sample(ordered, min(size, len(ordered))))


def allowed_ratio(tolerance: float, noise_floor: float) -> float:
    """The audit/submitted ratio beyond which a result is slower: tolerance and floor added."""
    return 1.0 + tolerance + noise_floor


def judge(
    *,
    ratio_low: float,
    ratio_high: float,
    round_ratios: Sequence[float],
    p_slower: float | None,
    allowed: float,
    submitted_count: int,
    expected_count: int,
    measured_short: bool,
) -> AuditVerdict:
    """The verdict on one result; `allowed` is 1 + tolerance + the machine's noise floor.

    Each round ran in a fresh process, and the submission in one more, so a process's luck (a
    mid-size GEMM ran 2.2x slower in one process than in another here) is no evidence: "slower"
    needs the pooled interval, the rank test and even the fastest round (`round_ratios`: each
    round's median over the submitted median) beyond the limit; "faster" needs the interval and
    the slowest round beyond it. Too few samples alone is not enough either: slow calls make
    the harness take few. Too few that also add up to far less time than every round of the
    audit measured (`measured_short`) is what keeping the fastest looks like: the policy fills
    its time budget (or its sample cap) however fast a process runs, so the time measured is
    the one figure that load does not move. Where the samples lie would not do: the fastest 5
    of 50 lie a few % below the median, and processes differ by ±10%, more under load.
    """
    if submitted_count * SAMPLE_COUNT_FACTOR < expected_count and measured_short:
        return AuditVerdict.NOT_REPRODUCED
    rank_test_agrees = p_slower is None or p_slower < RANK_TEST_ALPHA
    if ratio_low > allowed and min(round_ratios) > allowed and rank_test_agrees:
        return AuditVerdict.SLOWER
    if ratio_high < 1.0 / allowed and max(round_ratios) < 1.0 / allowed:
        return AuditVerdict.FASTER
    return AuditVerdict.CONSISTENT


def assess(
    key: ResultKey,
    precision: Precision,
    submitted_ns: Sequence[int],
    rounds_ns: Sequence[Sequence[int]],
    *,
    allowed: float,
    p_slower: float | None,
    policy_count: int,
    audit_error: str | None = None,
) -> AuditedResult:
    """One result compared and judged; the validator calls it again on the recorded samples.

    `policy_count` is what the run's timing policy takes at the submitted median (the harness
    knows the policy; the validator reads it back from `expected_count`).
    """
    kept = tuple(tuple(r) for r in rounds_ns if r)
    if audit_error is not None or not kept:
        return AuditedResult(
            key=key,
            precision=precision,
            submitted_samples_ns=tuple(submitted_ns),
            audit_rounds_ns=kept,
            audit_error=audit_error or "the re-run recorded no samples",
            ratio=None,
            ratio_low=None,
            ratio_high=None,
            mann_whitney_p=p_slower,
            round_spread=0.0,
            process_gap=0.0,
            expected_count=policy_count,
            verdict=AuditVerdict.NOT_REPRODUCED,
        )
    pooled = [s for r in kept for s in r]
    ratio, low, high = ratio_interval(pooled, submitted_ns)
    # One slow warm-up in one round must not lower the bar: the most any round took counts.
    expected = min(policy_count, max(len(r) for r in kept))
    medians = [median(r) for r in kept]
    return AuditedResult(
        key=key,
        precision=precision,
        submitted_samples_ns=tuple(submitted_ns),
        audit_rounds_ns=kept,
        ratio=ratio,
        ratio_low=low,
        ratio_high=high,
        mann_whitney_p=p_slower,
        round_spread=round_spread(medians),
        process_gap=process_gap(medians),
        expected_count=expected,
        verdict=judge(
            ratio_low=low,
            ratio_high=high,
            round_ratios=[m / median(submitted_ns) for m in medians],
            p_slower=p_slower,
            allowed=allowed,
            submitted_count=len(submitted_ns),
            expected_count=expected,
            measured_short=sum(submitted_ns) * SAMPLE_COUNT_FACTOR < min(sum(r) for r in kept),
        ),
    )
