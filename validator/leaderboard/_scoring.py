"""Scores and ranks: geometric means per board, normalised to a reference, per-problem ranks.

The rules, as METHOD states them for readers of every format:
- A board is one (division, suite, problem set, variant); the variant is the precision contract,
  so precisions are never mixed in one mean, and closed and open are ranked apart.
- A system's score is the geometric mean of its throughput over the board's problems it ran
  (TFLOP/s; bus bandwidth for all-reduce). Rejected results never count; flagged ones count and
  carry their flag. Repeated runs of one kernel count once, at their median.
- A board's problems are the (problem, direction) pairs some system ran countably. Means over
  different problems are not comparable, so a system that ran only part of them is shown with
  its mean, marked partial, and not ranked; every system is ranked in each problem view.
- `relative` is the geometric mean, over the problems both ran, of the system's throughput
  divided by the reference system's: equal to the ratio of scores when both ran everything.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from enum import Enum

from schemas import Direction, Division, ProblemSet, Suite
from validator.leaderboard._model import (
    Board,
    ProblemView,
    ResultEntry,
    ResultState,
    RowState,
    ScoreRow,
    SystemView,
)
from validator.leaderboard._naming import board_anchor

METHOD = (
    "One board per division, suite, problem set and precision contract (closed and open are "
    "ranked apart; precisions are never mixed). A system's score is the geometric mean of its "
    "throughput (TFLOP/s; bus bandwidth in GB/s for all-reduce) over the board's problems; only "
    "results that passed validation count, and results with a warning count but show it. A "
    "system that ran only part of a board's problems is shown, marked partial, but not ranked; "
    "every system is ranked in each problem's own table. The 'vs <reference>' column is the "
    "geometric mean of the system's throughput divided by the reference system's, over the "
    "problems both ran."
)
ProblemKey = tuple[str, Direction]
BoardKey = tuple[Division, Suite, ProblemSet, str]


def geometric_mean(values: Sequence[float]) -> float:
    """exp(mean(log v)); every value must be positive."""
    if not values or min(values) <= 0:
        raise ValueError("a geometric mean needs positive values")
    if len(values) == 1:
        return values[0]  # exactly, where exp(log v) could differ in the last digit
    return math.exp(math.fsum(math.log(v) for v in values) / len(values))


def counts(entry: ResultEntry) -> bool:
    """Whether a result enters scores: not rejected, and a throughput a mean can take.

    A one-rank all-reduce moves no bytes across a bus (busbw 0); it is shown, never scored.
    """
    return entry.state is not ResultState.REJECTED and entry.throughput > 0


def competition_ranks(scores: Sequence[float]) -> list[int]:
    """1, 2, 2, 4 for scores sorted best first: equal scores share a rank."""
    ranks: list[int] = []
    for position, score in enumerate(scores):
        tied = position > 0 and score == scores[position - 1]
        ranks.append(ranks[-1] if tied else position + 1)
    return ranks


def _order(member: Enum) -> int:
    return list(type(member)).index(member)


def board_key(entry: ResultEntry) -> BoardKey:
    """The board an entry belongs to."""
    return entry.division, entry.suite, entry.set, entry.variant


def board_key_of(board: Board) -> BoardKey:
    """The key of a board, to match entries against."""
    return board.division, board.suite, board.set, board.variant


def _board_sort(key: BoardKey) -> tuple[int, int, int, str]:
    division, suite, problem_set, variant = key
    return _order(division), suite.spec.position, _order(problem_set), variant


def _per_problem(entries: Iterable[ResultEntry]) -> dict[ProblemKey, float]:
    """Counted throughput per (problem, direction); repeated runs give their median."""
    values: dict[ProblemKey, list[float]] = defaultdict(list)
    for entry in entries:
        if counts(entry):
            values[(entry.problem_id, entry.direction)].append(entry.throughput)
    return {key: statistics.median(found) for key, found in values.items()}


def _relative(mine: dict[ProblemKey, float], reference: dict[ProblemKey, float]) -> float | None:
    shared = sorted(set(mine) & set(reference))
    if not shared:
        return None
    return geometric_mean([mine[k] / reference[k] for k in shared])


def _row(
    system: SystemView,
    entries: list[ResultEntry],
    problems: int,
    reference: dict[ProblemKey, float] | None,
) -> ScoreRow:
    mine = _per_problem(entries)
    if not mine:
        state = RowState.REJECTED
    else:
        state = RowState.RANKED if len(mine) == problems else RowState.PARTIAL
    return ScoreRow(
        rank=None,
        system=system.key,
        system_id=system.system_id,
        submitter=system.submitter,
        state=state,
        score=geometric_mean(list(mine.values())) if mine else None,
        relative=_relative(mine, reference) if reference and mine else None,
        covered=len(mine),
        flags=tuple(sorted({flag.code for e in entries for flag in e.flags})),
    )


def _ranked(rows: list[ScoreRow]) -> tuple[ScoreRow, ...]:
    """Ranked rows best first with their ranks, then partial best first, then rejected."""

    def best_first(state: RowState) -> list[ScoreRow]:
        chosen = [r for r in rows if r.state is state]
        return sorted(chosen, key=lambda r: (-(r.score or 0.0), r.system))

    ranked = best_first(RowState.RANKED)
    ranks = competition_ranks([r.score or 0.0 for r in ranked])
    with_ranks = [r.model_copy(update={"rank": n}) for r, n in zip(ranked, ranks, strict=True)]
    rejected = sorted((r for r in rows if r.state is RowState.REJECTED), key=lambda r: r.system)
    return (*with_ranks, *best_first(RowState.PARTIAL), *rejected)


def score_boards(
    results: Sequence[ResultEntry], systems: Sequence[SystemView], reference: str | None
) -> tuple[Board, ...]:
    """Every board with its rows, in division, suite, set and variant order."""
    by_board: dict[BoardKey, dict[str, list[ResultEntry]]] = defaultdict(lambda: defaultdict(list))
    for entry in results:
        by_board[board_key(entry)][entry.system].append(entry)
    system_of = {s.key: s for s in systems}
    boards: list[Board] = []
    for key in sorted(by_board, key=_board_sort):
        division, suite, problem_set, variant = key
        members = by_board[key]
        problems = len(set().union(*(_per_problem(e) for e in members.values())))
        ref = _per_problem(members.get(reference, [])) if reference else None
        rows = [_row(system_of[k], members[k], problems, ref) for k in sorted(members)]
        boards.append(
            Board(
                anchor=board_anchor(division, suite.value, problem_set.value, variant),
                division=division,
                suite=suite,
                set=problem_set,
                variant=variant,
                unit=next(iter(members.values()))[0].unit,
                problems=problems,
                rows=_ranked(rows),
            )
        )
    return tuple(boards)


def _problem_order(entry: ResultEntry) -> tuple[bool, float, str]:
    """Counted results best first, then the rest by system."""
    return (not counts(entry), -entry.throughput if counts(entry) else 0.0, entry.anchor)


def rank_problems(
    results: Sequence[ResultEntry],
) -> tuple[tuple[ResultEntry, ...], tuple[ProblemView, ...]]:
    """Each result with its rank in its problem view, and the problem views in board order."""
    groups: dict[str, list[ResultEntry]] = defaultdict(list)
    for entry in results:
        groups[entry.problem_view].append(entry)
    ranked: dict[str, ResultEntry] = {}
    views: list[ProblemView] = []
    for anchor, members in groups.items():
        ordered = sorted(members, key=_problem_order)
        scored = [e for e in ordered if counts(e)]
        ranks = competition_ranks([e.throughput for e in scored])
        for entry, rank in zip(scored, ranks, strict=True):
            ranked[entry.anchor] = entry.model_copy(update={"problem_rank": rank})
        first = ordered[0]
        views.append(
            ProblemView(
                anchor=anchor,
                division=first.division,
                suite=first.suite,
                set=first.set,
                problem_id=first.problem_id,
                direction=first.direction,
                variant=first.variant,
                board=board_anchor(
                    first.division, first.suite.value, first.set.value, first.variant
                ),
                results=tuple(e.anchor for e in ordered),
            )
        )
    entries = tuple(ranked.get(e.anchor, e) for e in results)
    return entries, tuple(sorted(views, key=_view_order))


def _view_order(view: ProblemView) -> tuple[int, int, int, str, str, int]:
    return (
        *_board_sort((view.division, view.suite, view.set, view.variant)),
        view.problem_id,
        _order(view.direction),
    )
