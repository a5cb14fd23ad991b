"""What reproduction audits add to the leaderboard, in words: the one place every format gets
them from (issue 13).

A counted audit (`validator._audits`) re-ran a random draw of a system's results. Each drawn
result shows the audit's verdict and its ratio: the audit's time over the submitted time (above 1:
the audit ran slower) with the 95% interval. Each of the system's score rows in the audited
division shows the audit's outcome beside the score: a failed audit has already struck the
audited bundles (KP-AUDIT-SLOWER), so the mark says why the row is not ranked.
"""

from __future__ import annotations

from schemas import Audit, AuditedResult, Direction, Division, KernelResult, Precision, Suite
from validator._audits import AuditStatus
from validator.leaderboard._units import ratio_text, significant

LEGEND = (
    "An audited result shows what a reproduction audit found when it re-ran it: its verdict and "
    "the audit's time over the submitted time, with the 95% interval (above 1: the audit ran "
    "slower). Beside a score, ✓ audited: the system's audit in that division passed; ✗ failed "
    "audit: a re-run was slower than submitted or not reproduced, and the audited results are "
    "struck; blank: not audited."
)
MARKS = {AuditStatus.PASSED: "✓", AuditStatus.FAILED: "✗"}
_ROW_WORDS = {AuditStatus.PASSED: "audited", AuditStatus.FAILED: "failed audit"}
DrawKey = tuple[Suite, str, Direction, Precision]


def audit_words(result: AuditedResult) -> str:
    """'audited: consistent, 1.02× [1.01, 1.02]', or 'audited: not reproduced (re-run failed,
    no ratio)' when the re-run recorded nothing to compare."""
    verdict = result.verdict.value.replace("_", " ")
    if result.ratio is None:
        return f"audited: {verdict} (re-run failed, no ratio)"
    low, high = result.ratio_low, result.ratio_high
    interval = ""
    if low is not None and high is not None:
        interval = f" [{significant(low)}, {significant(high)}]"
    return f"audited: {verdict}, {ratio_text(result.ratio)}{interval}"


def division_audit(audits: dict[Division, str], division: Division) -> AuditStatus | None:
    """A system's audit in one division; None: not audited there."""
    state = audits.get(division)
    return None if state is None else AuditStatus(state)


def row_words(status: AuditStatus | None) -> str:
    """'✓ audited', '✗ failed audit', or blank: a system's audit beside one of its scores."""
    return "" if status is None else f"{MARKS[status]} {_ROW_WORDS[status]}"


def system_audit_text(audits: dict[Division, str]) -> str:
    """'✓ closed', '✗ open, ✓ closed', or 'not audited': a system's audits, one per division."""
    shown = [f"{MARKS[AuditStatus(state)]} {division.value}" for division, state in audits.items()]
    return ", ".join(shown) or "not audited"


def drawn(audit: Audit | None) -> dict[DrawKey, AuditedResult]:
    """The results an audit drew, by suite, problem, direction and full precision contract."""
    if audit is None:
        return {}
    return {(r.key.suite, r.key.problem_id, r.key.direction, r.precision): r for r in audit.results}


def audited_result(
    draw: dict[DrawKey, AuditedResult], result: KernelResult
) -> AuditedResult | None:
    """What the audit found for a submitted result; None when it was not drawn."""
    return draw.get((result.problem.suite, result.problem.id, result.direction, result.precision))
