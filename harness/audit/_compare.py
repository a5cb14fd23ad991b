"""The rank test of an audit: scipy's Mann-Whitney U, the one part that needs scipy.

It is recorded beside the plain-Python interval (`schemas.audit_stats`), which the validator
re-checks; the validator takes the recorded p as it is.
"""

from __future__ import annotations

from collections.abc import Sequence


def p_slower(audit_ns: Sequence[int], submitted_ns: Sequence[int]) -> float:
    """One-sided p that the audit's samples are not stochastically slower than the submitted."""
    from scipy.stats import mannwhitneyu

    return float(mannwhitneyu(audit_ns, submitted_ns, alternative="greater").pvalue)
