"""Audit comparison statistics in plain Python (no numpy or scipy): the validator re-checks them.

Timings are compared on the log scale, where "20% slower" is the same distance at every size:
the Hodges-Lehmann estimate of the shift between the audit's and the submission's log samples
(the median of all pairwise differences) is the ratio of their typical times, and its confidence
interval comes from the Mann-Whitney distribution of the pairwise differences (normal
approximation; Hollander & Wolfe, ch. 4). Large samples are thinned to evenly spaced order
statistics first, so that the pairwise step stays under MAX_POINTS² differences.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from statistics import NormalDist, median

from schemas.statistics import percentile

# 200 x 200 pairwise differences: a few ms in pure Python, for any sample count.
MAX_POINTS = 200
CONFIDENCE = 0.95


def thinned(samples_ns: Sequence[float], limit: int = MAX_POINTS) -> list[float]:
    """The samples sorted, or `limit` evenly spaced percentiles of them when there are more."""
    ordered = sorted(float(s) for s in samples_ns)
    if len(ordered) <= limit:
        return ordered
    return [percentile(ordered, 100.0 * i / (limit - 1)) for i in range(limit)]


def ratio_interval(
    audit_ns: Sequence[float], submitted_ns: Sequence[float]
) -> tuple[float, float, float]:
    """(estimate, low, high) of audit time / submitted time: >1 means the audit ran slower."""
    audit = [math.log(s) for s in thinned(audit_ns)]
    submitted = [math.log(s) for s in thinned(submitted_ns)]
    n, m = len(audit), len(submitted)
    differences = sorted(a - b for a in audit for b in submitted)
    z = NormalDist().inv_cdf(0.5 + CONFIDENCE / 2)
    # The k-th smallest and largest differences bound the shift (Mann-Whitney critical value).
    k = math.floor(n * m / 2 - z * math.sqrt(n * m * (n + m + 1) / 12))
    k = min(max(k, 0), len(differences) - 1)
    return (
        math.exp(median(differences)),
        math.exp(differences[k]),
        math.exp(differences[len(differences) - 1 - k]),
    )


def round_spread(round_medians_ns: Sequence[float]) -> float:
    """How far one kernel's medians moved between the audit's rounds: max/min − 1 (0 for one)."""
    return max(round_medians_ns) / min(round_medians_ns) - 1.0 if round_medians_ns else 0.0


def process_gap(round_medians_ns: Sequence[float]) -> float:
    """How far the second-fastest round's median lies above the fastest's: second/fastest − 1.

    Each round is a fresh process, and so was the submission: when honest, it is one more draw
    from the same processes, and the gap between the fastest two rounds is how far a draw may
    land below the fastest of the others. Slow rounds (a loaded minute) do not widen it.
    """
    fastest = sorted(round_medians_ns)[:2]
    return fastest[1] / fastest[0] - 1.0 if len(fastest) == 2 else 0.0


def noise_floor(rounds_per_result: Iterable[Sequence[Sequence[float]]]) -> float:
    """The machine's noise floor between processes: the median process gap of the results
    measured in two rounds or more (0 before any is)."""
    gaps = [process_gap([median(r) for r in x]) for x in rounds_per_result if len(x) > 1]
    return median(gaps) if gaps else 0.0
