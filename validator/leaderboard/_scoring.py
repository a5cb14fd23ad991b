"""Scores and ranks: geometric means per board, normalised to a reference, per-problem ranks.

The rules, as METHOD states them for readers of every format:
- A board is one (division, suite, problem set, variant); the variant is the precision contract
  (and a collective's mode, ranks and nodes), so precisions are never mixed in one mean, and
  closed and open are ranked apart.
- An official board's problems are the rules' official (problem, direction) list of its set,
  never what happened to be submitted: a made-up id cannot shrink or grow a board. A result
  with a changed parameter or a made-up id is ranked only on a custom board keyed by its exact
  parameters and direction.
- A system's score is the geometric mean of its throughput over the board's problems it ran
  (TFLOP/s, TOP/s for int8; bus bandwidth for all-reduce). Rejected, failed and unranked results
  never count; flagged ones count and carry their flag. Repeated runs of one kernel count once,
  at their median.
- A system with a counted result for every problem is ranked; one missing some is shown with its
  mean and its missing count, marked partial, and not ranked; every counted result is ranked in
  its problem's own table.
- `relative` is the geometric mean, over the problems both ran, of the system's throughput
  divided by the reference system's: equal to the ratio of scores when both ran everything.
  The reference's results come from the board of the same suite, set and precision in any
  division, so a new run can be put beside a historical processor (a 2-core CPU as a share of
  a V100 on gemm/train fp32).
- Each result, row and board says how its samples were timed (`_timing`): a board whose results
  were timed by different methods says so; scores are never adjusted for it.
- A row carries its system's audit in the board's division (`_audit`), shown beside the score.
  Scoring never reads audits: a failed one has already made the audited bundles invalid.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import Enum

from schemas import Direction, ProblemSet
from validator.leaderboard._audit import LEGEND as AUDIT_LEGEND
from validator.leaderboard._audit import division_audit
from validator.leaderboard._collect import FailedKernel
from validator.leaderboard._model import (
    Board,
    ProblemView,
    ResultEntry,
    ResultState,
    RowState,
    ScoreRow,
    SystemView,
)
from validator.leaderboard._timing import LEGEND as TIMING_LEGEND
from validator.rules import load_rules

METHOD = (
    "One board per division, suite, problem set and precision contract (closed and open are "
    "ranked apart; precisions are never mixed; all-reduce boards also split by mode, ranks and "
    "nodes). An official board's problems are the rules' official list for its set. A system's "
    "score is the geometric mean of its throughput (TFLOP/s; TOP/s for int8; bus bandwidth in "
    "GB/s for all-reduce) over the board's problems; only results that passed validation and "
    "their correctness check count, results with a warning count but show it, and results with "
    "a finding the division's rules keep unscored (closed: a CV above the limit) are shown, "
    "not counted. A system missing any official problem is shown with its mean and the missing "
    "count, marked partial, but not ranked. A result with changed parameters or a made-up id "
    "is ranked only on a custom board of its exact parameters. The 'vs <reference>' column is "
    "the geometric mean of the system's throughput divided by the reference system's, over the "
    "problems both ran, taken from the reference's board of the same suite, set and precision "
    "in any division (historical processors included). " + TIMING_LEGEND + " " + AUDIT_LEGEND
)
ProblemKey = tuple[str, Direction]
COUNTED = (ResultState.SCORED, ResultState.FLAGGED)


@dataclass(frozen=True)
class _BoardSpec:
    """What a board is, read from its first entry and the rules."""

    board: Board
    required: frozenset[ProblemKey]  # the (problem, direction) pairs a ranked system covers


def geometric_mean(values: Sequence[float]) -> float:
    """exp(mean(log v)); every value must be positive."""
    if not values or min(values) <= 0:
        raise ValueError("a geometric mean needs positive values")
    if len(values) == 1:
        return values[0]  # exactly, where exp(log v) could differ in the last digit
    return math.exp(math.fsum(math.log(v) for v in values) / len(values))


def counts(entry: ResultEntry) -> bool:
    """Whether a result enters scores: scored or flagged, and a throughput a mean can take.

    A one-rank all-reduce moves no bytes across a bus (busbw 0); it is shown, never scored.
    """
    return entry.state in COUNTED and entry.throughput > 0


def competition_ranks(scores: Sequence[float]) -> list[int]:
    """1, 2, 2, 4 for scores sorted best first: equal scores share a rank."""
    ranks: list[int] = []
    for position, score in enumerate(scores):
        tied = position > 0 and score == scores[position - 1]
        ranks.append(ranks[-1] if tied else position + 1)
    return ranks


def _order(member: Enum) -> int:
    return list(type(member)).index(member)


def _board_sort(board: Board) -> tuple[int, int, bool, int, str, str]:
    problem_set = _order(board.set) if board.set is not None else len(ProblemSet)
    return (
        _order(board.division),
        board.suite.spec.position,
        board.custom,
        problem_set,
        board.params or "",
        board.variant,
    )


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
    spec: _BoardSpec,
    failed_kernels: set[ProblemKey],
    reference: dict[ProblemKey, float] | None,
) -> ScoreRow:
    mine = {k: v for k, v in _per_problem(entries).items() if k in spec.required}
    missing = spec.required - set(mine)
    failed = {(e.problem_id, e.direction) for e in entries if e.state is ResultState.FAILED}
    if mine:
        state = RowState.PARTIAL if missing else RowState.RANKED
    elif all(e.state is ResultState.REJECTED for e in entries):
        state = RowState.REJECTED
    else:
        state = RowState.UNSCORED
    return ScoreRow(
        rank=None,
        system=system.key,
        system_id=system.system_id,
        submitter=system.submitter,
        state=state,
        score=geometric_mean(list(mine.values())) if mine else None,
        relative=_relative(mine, reference) if reference and mine else None,
        covered=len(mine),
        missing=len(missing),
        failed=len(missing & (failed | failed_kernels)),
        flags=tuple(sorted({flag.code for e in entries for flag in e.flags})),
        timing="; ".join(sorted({e.timing_method for e in entries if e.timing})),
        audit=division_audit(system.audit, spec.board.division),
    )


def _ranked(rows: list[ScoreRow]) -> tuple[ScoreRow, ...]:
    """Ranked rows best first with their ranks, then partial best first, unscored, rejected."""

    def best_first(state: RowState) -> list[ScoreRow]:
        chosen = [r for r in rows if r.state is state]
        return sorted(chosen, key=lambda r: (-(r.score or 0.0), r.system))

    ranked = best_first(RowState.RANKED)
    ranks = competition_ranks([r.score or 0.0 for r in ranked])
    with_ranks = [r.model_copy(update={"rank": n}) for r, n in zip(ranked, ranks, strict=True)]
    rest = [
        sorted((r for r in rows if r.state is state), key=lambda r: r.system)
        for state in (RowState.UNSCORED, RowState.REJECTED)
    ]
    return (*with_ranks, *best_first(RowState.PARTIAL), *rest[0], *rest[1])


def _spec(first: ResultEntry) -> _BoardSpec:
    """The board an entry opens: an official set's list from the rules, or one custom problem."""
    rule = None
    if not first.custom:
        rule = load_rules(first.rules_version).problem_set(first.suite, first.set)
    if rule is None:  # a custom problem: the board is this one (params, direction)
        required = frozenset({(first.problem_view, first.direction)})
    else:
        required = frozenset((p.id, d) for p in rule.problems for d in p.directions)
    board = Board(
        anchor=first.board,
        division=first.division,
        suite=first.suite,
        set=None if rule is None else first.set,
        variant=first.variant,
        unit=first.unit,
        problems=len(required),
        custom=rule is None,
        params=f"{first.params} {first.direction.value}" if rule is None else None,
        rules_version=first.rules_version,
        timing_methods=(),
        rows=(),
    )
    return _BoardSpec(board=board, required=required)


def _failed_on(board: Board, failed: Sequence[FailedKernel]) -> dict[str, set[ProblemKey]]:
    """Each system's kernels that could not run, where they belong on this official board."""
    found: dict[str, set[ProblemKey]] = defaultdict(set)
    for kernel in failed:
        if kernel.division is board.division and kernel.precision in (None, board.variant):
            found[kernel.system].add((kernel.problem_id, Direction(kernel.direction)))
    return found


def score_boards(
    results: Sequence[ResultEntry],
    systems: Sequence[SystemView],
    reference: str | None,
    failed: Sequence[FailedKernel] = (),
) -> tuple[Board, ...]:
    """Every board with its rows, in division, suite, set and variant order."""
    by_board: dict[str, dict[str, list[ResultEntry]]] = defaultdict(lambda: defaultdict(list))
    by_family: dict[Family, list[ResultEntry]] = defaultdict(list)
    for entry in results:
        by_board[entry.board][entry.system].append(_keyed(entry))
        if entry.system == reference:
            by_family[_family(entry)].append(_keyed(entry))
    system_of = {s.key: s for s in systems}
    boards: list[Board] = []
    for members in by_board.values():
        first = next(iter(members.values()))[0]
        spec = _spec(first)
        failed_here = {} if spec.board.custom else _failed_on(spec.board, failed)
        ref = _per_problem(by_family[_family(first)]) if reference else None
        rows = [
            _row(system_of[k], members[k], spec, failed_here.get(k, set()), ref)
            for k in sorted(members)
        ]
        methods = {e.timing_method for entries in members.values() for e in entries}
        timed = tuple(sorted(methods - {""}))
        boards.append(
            spec.board.model_copy(update={"rows": _ranked(rows), "timing_methods": timed})
        )
    return tuple(sorted(boards, key=_board_sort))


Family = tuple[object, ...]


def _family(entry: ResultEntry) -> Family:
    """Boards that compare across divisions: one suite, set and variant; a custom board alone."""
    return ("custom", entry.board) if entry.custom else (entry.suite, entry.set, entry.variant)


def _keyed(entry: ResultEntry) -> ResultEntry:
    """On a custom board, problems are keyed by their view (exact params), not their ids."""
    return entry.model_copy(update={"problem_id": entry.problem_view}) if entry.custom else entry


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
                custom=first.custom,
                board=first.board,
                results=tuple(e.anchor for e in ordered),
            )
        )
    entries = tuple(ranked.get(e.anchor, e) for e in results)
    return entries, tuple(sorted(views, key=_view_order))


def _view_order(view: ProblemView) -> tuple[int, int, bool, int, str, str, str, int]:
    return (
        _order(view.division),
        view.suite.spec.position,
        view.custom,
        _order(view.set),
        view.variant,
        view.board,
        view.problem_id,
        _order(view.direction),
    )
