"""Each suite's problem table (`schemas/suites/<suite>/problems.csv`) read as `Problem` models.

One reader for every suite: a row's params are its columns named as the params model's fields
(or as the spec's `columns` map them), pydantic turning the text into numbers, booleans and
enums. Problem ids are `suite/set/index` with the index zero-padded to three digits.
"""

from __future__ import annotations

import csv
import fnmatch
from collections.abc import Iterable, Mapping
from functools import cache
from importlib.resources import files

from schemas.enums import Direction, DType, ProblemSet, Profile
from schemas.problem import Problem
from schemas.suites import Suite, SuiteSpec

TABLE_NAME = "problems.csv"
FLOOR_COLUMNS = ("min_multiply_precision", "min_accumulate_precision")


def _rows(spec: SuiteSpec) -> list[dict[str, str]]:
    """The rows of a suite's table, as text."""
    table = files(f"schemas.suites.{spec.name}").joinpath(TABLE_NAME)
    return list(csv.DictReader(table.read_text(encoding="utf-8").splitlines()))


def _problem(suite: Suite, row: Mapping[str, str]) -> Problem:
    """The problem one row describes."""
    spec = suite.spec
    fields = [name for name in spec.params.model_fields if name != "kind"]
    params = {name: row[spec.columns.get(name, name)] for name in fields}
    listed = row.get("directions", "")
    return Problem(
        id=f"{suite}/{row['set']}/{int(row['index']):03d}",
        suite=suite,
        set=ProblemSet(row["set"]),
        index=int(row["index"]),
        application=row["application"],
        directions=tuple(Direction(d) for d in listed.split(";")) if listed else (Direction.FWD,),
        params=spec.params.model_validate(params),
    )


@cache
def load_problems(suite: Suite) -> tuple[Problem, ...]:
    """Every official problem of a suite, in its table's order.

    Rows with the same set and index are one problem (DeepBench's all-reduce lists each size
    once per rank count); ValueError if they disagree on it.
    """
    found: dict[str, Problem] = {}
    for row in _rows(suite.spec):
        problem = _problem(suite, row)
        if found.setdefault(problem.id, problem) != problem:
            raise ValueError(f"{suite}/{TABLE_NAME}: rows for {problem.id} disagree")
    return tuple(found.values())


def precision_floors(suite: Suite) -> dict[ProblemSet, tuple[DType, DType]]:
    """The (multiply, accumulate) precision floor of each set of a suite: the rules' minimum.

    From the table's min_* columns, else the spec's `floor`; ValueError if rows of a set
    disagree, or if the suite states no floor at all.
    """
    found: dict[ProblemSet, tuple[DType, DType]] = {}
    for row in _rows(suite.spec):
        multiply, accumulate = (row.get(column) for column in FLOOR_COLUMNS)
        floor = (
            (DType(multiply), DType(accumulate)) if multiply and accumulate else suite.spec.floor
        )
        if floor is None:
            raise ValueError(f"{suite}/{TABLE_NAME} has no min_* columns and SPEC has no floor")
        if found.setdefault(ProblemSet(row["set"]), floor) != floor:
            raise ValueError(f"{suite}/{TABLE_NAME}: rows of {row['set']} disagree on the floor")
    return found


def select_problems(
    problems: Iterable[Problem],
    *,
    problem_set: ProblemSet | None = None,
    id_glob: str | None = None,
    profile: Profile = Profile.FULL,
) -> tuple[Problem, ...]:
    """The problems of a profile (smoke, quick: each suite's subset), a set and an id glob."""
    chosen = []
    for p in problems:
        subset = p.suite.spec.ids(profile)
        if (
            (subset is None or p.id in subset)
            and (problem_set is None or p.set is problem_set)
            and (id_glob is None or fnmatch.fnmatchcase(p.id, id_glob))
        ):
            chosen.append(p)
    return tuple(chosen)
