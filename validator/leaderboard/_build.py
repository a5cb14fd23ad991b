"""Builds the leaderboard of a validated round, optionally against a reference and an earlier round.

Reporting only reads: the round is validated by the caller (`validator.validate`), and this
module turns the report into the canonical `Leaderboard`. A round with nothing to rank, or a
reference system that is not in it, is a user error with a fix, never an empty page.
"""

from __future__ import annotations

from pathlib import Path

from schemas import SubmissionError, UsageError
from validator._collector import collector_paused
from validator._report import Report
from validator.leaderboard._collect import collect, flag_of
from validator.leaderboard._model import Board, Counts, Leaderboard, RowState, SystemView
from validator.leaderboard._scoring import METHOD, counts, rank_problems, score_boards


def round_name(report: Report) -> str:
    """The round named by the submission layout, else the validated folder's name."""
    rounds = {b.round for b in report.bundles if b.round}
    return rounds.pop() if len(rounds) == 1 else Path(report.root).name


def _checked(report: Report) -> None:
    if not report.bundles:
        raise SubmissionError(
            "no result bundle found",
            where=report.root,
            fix="point at a round folder (submissions/<round>) or a folder holding bundles",
        )
    if not report.valid_bundles():
        raise SubmissionError(
            f"none of the {len(report.bundles)} bundles passed validation: nothing to rank",
            where=report.root,
            fix=f"run `kernelperf validate {report.root}` and fix the errors it lists",
        )


def resolve_reference(name: str, systems: tuple[SystemView, ...]) -> str:
    """The key of the system named by key or system_id."""
    matches = sorted({s.key for s in systems if name in (s.key, s.system_id)})
    if len(matches) == 1:
        return matches[0]
    known = ", ".join(s.key for s in systems)
    if not matches:
        raise UsageError(
            f"reference system {name!r} is not in this round",
            where="--reference",
            fix=f"name one of: {known}",
        )
    raise UsageError(
        f"reference system {name!r} is used by several submitters",
        where="--reference",
        fix=f"name one of: {', '.join(matches)}",
    )


def with_changes(boards: tuple[Board, ...], previous: Leaderboard) -> tuple[Board, ...]:
    """Each ranked row's score against the earlier round's, where both were ranked."""
    before = {
        (b.anchor, r.submitter, r.system_id): r.score
        for b in previous.boards
        for r in b.rows
        if r.state is RowState.RANKED
    }
    changed: list[Board] = []
    for board in boards:
        rows = []
        for row in board.rows:
            old = before.get((board.anchor, row.submitter, row.system_id))
            if row.state is RowState.RANKED and old and row.score is not None:
                row = row.model_copy(update={"previous": old, "change": row.score / old - 1})
            rows.append(row)
        changed.append(board.model_copy(update={"rows": tuple(rows)}))
    return tuple(changed)


def build(
    report: Report, *, reference: str | None = None, previous: Report | None = None
) -> Leaderboard:
    """The leaderboard of a validated round.

    Raises SubmissionError for a round without valid bundles, UsageError for an unknown
    reference system.
    """
    with collector_paused():
        return _built(report, reference, previous)


def _built(report: Report, reference: str | None, previous: Report | None) -> Leaderboard:
    _checked(report)
    collected = collect(report)
    reference_key = resolve_reference(reference, collected.systems) if reference else None
    boards = score_boards(
        collected.results, collected.systems, reference_key, collected.failed_kernels
    )
    earlier = build(previous) if previous is not None else None
    if earlier is not None:
        boards = with_changes(boards, earlier)
    results, problems = rank_problems(collected.results)
    return Leaderboard(
        round=round_name(report),
        reference=reference_key,
        compared_with=earlier.round if earlier else None,
        method=METHOD,
        counts=Counts(
            bundles=len(report.bundles),
            valid_bundles=len(report.valid_bundles()),
            results=len(results),
            counted_results=sum(counts(r) for r in results),
            systems=len(collected.systems),
        ),
        boards=boards,
        problems=problems,
        systems=collected.systems,
        results=results,
        unread=collected.unread,
        findings=tuple(flag_of(f) for f in report.findings),
    )
