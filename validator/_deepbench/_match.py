"""Matches a sheet's rows to official problems: same set, same parameters, official direction.

A row's parameters are made into the suite's params model and looked up among the official
problems of the workbook's set; nothing is rounded or corrected. A row that matches none is
kept in the import report with the reason and, where one is close, the official problem that
differs least and how. Where an official set lists one shape twice, rows take its ids in order.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from schemas import Direction, Problem, ProblemSet, Suite, load_problems
from validator._deepbench._sheet import DataRow, is_number

_TRANSPOSED = {"T": True, "N": False}


def _key(params: dict[str, object]) -> tuple[tuple[str, object], ...]:
    return tuple(sorted(params.items()))


def row_params(row: DataRow) -> dict[str, object] | str:
    """The row's parameters as the suite's model fields, or why they cannot be."""
    raw = dict(row.params)
    values: dict[str, object] = {}
    for name, value in raw.items():
        if name in ("a_t", "b_t"):
            if value not in _TRANSPOSED:
                return f"{name} is {value!r}, not 'N' or 'T'"
            values[name] = _TRANSPOSED[str(value)]
        elif name == "sparsity":
            values[name] = value
        elif name == "ranks":
            continue
        elif is_number(value) and float(str(value)).is_integer():
            values[name] = int(float(str(value)))
        else:
            return f"{name} is {value!r}, not a whole number"
    if row.suite == "rnn":
        values |= {"cell": row.rnn_cell, "input_size": values.get("hidden")}
    if row.suite == "allreduce":
        values["op"] = "sum"  # the sheets' all-reduce is DeepBench's, a sum of floats
    return values


def _distance(here: object, official: object) -> float:
    """How far apart two values of one field are: relative for numbers, 1 otherwise."""
    if isinstance(here, int | float) and isinstance(official, int | float) and official:
        return abs(float(here) - float(official)) / abs(float(official))
    return 0.0 if here == official else 1.0


@dataclass
class OfficialIndex:
    """The official problems of one (suite, set) by parameters, taken in order as rows match."""

    problems: tuple[Problem, ...]
    by_key: dict[tuple[tuple[str, object], ...], list[Problem]] = field(default_factory=dict)
    used: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        grouped: dict[tuple[tuple[str, object], ...], list[Problem]] = defaultdict(list)
        for problem in self.problems:
            grouped[_key(problem.params.model_dump(exclude={"kind"}))].append(problem)
        self.by_key = dict(grouped)

    def nearest(self, values: dict[str, object]) -> str:
        """The official problem that differs least from `values`, and how."""
        best: tuple[tuple[int, float], str] | None = None
        for problem in self.problems:
            official = problem.params.model_dump(exclude={"kind"})
            diff = [
                f"{k} {values.get(k)!r} here, {v!r} official"
                for k, v in official.items()
                if values.get(k) != v
            ]
            far = sum(_distance(values.get(k), v) for k, v in official.items())
            if best is None or (len(diff), far) < best[0]:
                best = ((len(diff), far), f"nearest {problem.id}: {'; '.join(diff)}")
        return best[1] if best and best[0][0] <= 2 else "no official problem is close"


@dataclass(frozen=True)
class Matched:
    """A row matched to its official problem, with the times it publishes per direction."""

    row: DataRow
    problem: Problem
    ranks: int | None


@dataclass(frozen=True)
class Unmatched:
    """A row, or one time of it, that no official problem takes, and why."""

    row: int
    suite: str
    what: str
    reason: str


def indexes(problem_set: ProblemSet) -> dict[str, OfficialIndex]:
    """An index of every suite's official problems in one set."""
    return {
        suite.value: OfficialIndex(tuple(p for p in load_problems(suite) if p.set is problem_set))
        for suite in Suite.all()
    }


def _describe(row: DataRow) -> str:
    shown = " ".join(
        f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}" for k, v in row.params.items()
    )
    return f"{row.suite} {row.rnn_cell.value + ' ' if row.rnn_cell else ''}{shown}"


def match_rows(
    rows: Iterable[DataRow], official: dict[str, OfficialIndex], set_name: str
) -> tuple[list[Matched], list[Unmatched]]:
    """Each row's official problem, or the reason it has none (per row, and per stray time)."""
    matched: list[Matched] = []
    unmatched: list[Unmatched] = []
    first_row: dict[str, int] = {}
    for row in rows:
        what = _describe(row)
        if not row.times:
            unpublished = f" ({', '.join(row.unpublished)})" if row.unpublished else ""
            unmatched.append(Unmatched(row.row, row.suite, what, f"no time published{unpublished}"))
            continue
        index = official[row.suite]
        values = row_params(row)
        if isinstance(values, str):
            unmatched.append(Unmatched(row.row, row.suite, what, values))
            continue
        candidates = index.by_key.get(_key(values), [])
        if not candidates:
            reason = f"no official {row.suite}/{set_name} problem has these parameters"
            unmatched.append(
                Unmatched(row.row, row.suite, what, f"{reason}; {index.nearest(values)}")
            )
            continue
        # An all-reduce problem is its size alone: each rank count is another result of it.
        taken = 0 if row.suite == "allreduce" else index.used.get(candidates[0].id, 0)
        if taken >= len(candidates):
            earlier = first_row[candidates[0].id]
            unmatched.append(
                Unmatched(row.row, row.suite, what, f"repeats row {earlier} ({candidates[0].id})")
            )
            continue
        problem = candidates[taken]
        index.used[candidates[0].id] = taken + 1
        first_row.setdefault(candidates[0].id, row.row)
        ranks = row.params.get("ranks")
        matched.append(Matched(row, problem, int(float(str(ranks))) if ranks is not None else None))
        for timing in row.times:
            if timing.direction not in {d.value for d in problem.directions}:
                official_dirs = ", ".join(d.value for d in problem.directions)
                label = (
                    "backward time of data and weights together"
                    if timing.direction not in {d.value for d in Direction}
                    else f"{timing.direction} time"
                )
                unmatched.append(
                    Unmatched(
                        row.row,
                        row.suite,
                        f"{what}: {label} ({timing.cell})",
                        f"not an official direction of {problem.id} ({official_dirs})",
                    )
                )
    return matched, unmatched
