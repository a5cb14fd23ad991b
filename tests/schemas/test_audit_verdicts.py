"""The audit's verdict rule on samples shaped like the smoke policy's, processes apart.

Samples are drawn from a seeded model of a process (a floor and a right tail, as CPU timings
look), one process per submission and per audit round, so that each test says which process
was slower and how much. The policy is the smoke profile's: 50 samples at most, 20 ms budget.
"""

from __future__ import annotations

import random

import pytest

from schemas import AuditVerdict, DType, Precision, ResultKey, Suite, assess
from schemas.audit import allowed_ratio

FP32 = Precision(input=DType.FP32, compute=DType.FP32, output=DType.FP32)
KEY = ResultKey(suite=Suite("gemm"), problem_id="gemm/train/128", direction="fwd", dtype="fp32")
BUDGET_NS = 20_000_000
MAX_SAMPLES = 50
ALLOWED = allowed_ratio(0.2, 0.05)


def process(seed: int, typical_ns: float) -> tuple[int, ...]:
    """What the smoke policy records in one process whose calls take about `typical_ns`."""
    rng = random.Random(seed)
    count = max(5, min(MAX_SAMPLES, int(BUDGET_NS / typical_ns)))
    return tuple(int(typical_ns * (1 + rng.expovariate(1 / 0.08))) for _ in range(count))


def verdict(submitted: tuple[int, ...], rounds: list[tuple[int, ...]]) -> AuditVerdict:
    """The verdict, with the count the policy takes at the submitted median."""
    median_ns = sorted(submitted)[len(submitted) // 2]
    policy_count = max(5, min(MAX_SAMPLES, int(BUDGET_NS / median_ns)))
    return assess(
        KEY, FP32, submitted, rounds, allowed=ALLOWED, p_slower=None, policy_count=policy_count
    ).verdict


@pytest.mark.parametrize("submitting_process_speed", [0.5, 1.0, 2.0])
def test_the_fastest_five_kept_are_caught_however_fast_the_submitting_process_ran(
    submitting_process_speed: float,
) -> None:
    """Keeping the fastest 5 of 50 is caught even when the submitting process ran twice as
    slow as every audit round (their fastest then lie above the audit's median)."""
    honest = process(1, 40_000 * submitting_process_speed)
    forged = tuple(sorted(honest)[:5])
    rounds = [process(seed, 40_000) for seed in (2, 3)]
    assert verdict(forged, rounds) is AuditVerdict.NOT_REPRODUCED


def test_few_slow_samples_that_filled_the_budget_are_not_called_trimmed() -> None:
    """A process whose calls were slow took few samples, but they fill the budget: honest."""
    slow = process(1, 2_000_000)  # 10 samples of about 2 ms fill 20 ms
    rounds = [process(seed, 300_000) for seed in (2, 3)]  # the audit's calls: 50 of 0.3 ms
    assert len(slow) * 3 < len(rounds[0])
    assert verdict(slow, rounds) is not AuditVerdict.NOT_REPRODUCED


def test_an_honest_result_from_a_slower_process_is_consistent() -> None:
    """The submission ran 10% slower than the audit: within the tolerance, not trimmed."""
    assert verdict(process(1, 44_000), [process(s, 40_000) for s in (2, 3)]) is (
        AuditVerdict.CONSISTENT
    )
