"""DeepBench's problem sets as `Problem` models, read from the CSV files beside this module.

The CSV files are DeepBench's numbers as data (Apache-2.0; see DEEPBENCH.md for the source and
attribution). Problem ids are `suite/set/index` with the index zero-padded to three digits.
"""

from __future__ import annotations

import csv
import fnmatch
from collections.abc import Iterable
from functools import cache
from importlib.resources import files

from schemas import (
    AllreduceParams,
    ConvParams,
    Direction,
    GemmParams,
    Problem,
    ProblemParams,
    ProblemSet,
    RnnCell,
    RnnParams,
    SparseGemmParams,
    Suite,
)

COMPUTE_SUITES = (Suite.GEMM, Suite.CONV, Suite.RNN, Suite.SPARSE_GEMM)


def _params(suite: Suite, row: dict[str, str]) -> ProblemParams:
    """The typed parameters of one CSV row."""
    if suite is Suite.GEMM:
        return GemmParams(
            m=int(row["m"]),
            n=int(row["n"]),
            k=int(row["k"]),
            a_t=row["a_t"] == "1",
            b_t=row["b_t"] == "1",
        )
    if suite is Suite.SPARSE_GEMM:
        return SparseGemmParams(
            m=int(row["m"]),
            n=int(row["n"]),
            k=int(row["k"]),
            a_t=row["a_t"] == "1",
            b_t=row["b_t"] == "1",
            sparsity=float(row["sparsity"]),
        )
    if suite is Suite.CONV:
        return ConvParams(
            **{name: int(row[name]) for name in ConvParams.model_fields if name != "kind"}
        )
    if suite is Suite.RNN:
        return RnnParams(
            cell=RnnCell(row["cell"]),
            hidden=int(row["hidden"]),
            batch=int(row["batch"]),
            timesteps=int(row["timesteps"]),
            input_size=int(row["input_size"]),
        )
    if suite is Suite.ALLREDUCE:
        return AllreduceParams.model_validate({"count": int(row["size_floats"]), "op": row["op"]})
    raise ValueError(f"suite {suite} has no problem table")


def _directions(row: dict[str, str]) -> tuple[Direction, ...]:
    """Directions the official rules time; GEMM rows already encode their pass in a_t/b_t."""
    listed = row.get("directions", "")
    return tuple(Direction(d) for d in listed.split(";")) if listed else (Direction.FWD,)


@cache
def load(suite: Suite) -> tuple[Problem, ...]:
    """Every official problem of a suite, in DeepBench's order."""
    text = files(__package__).joinpath(f"{suite.value}.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(text.splitlines()))
    if suite is Suite.ALLREDUCE:
        # DeepBench lists each size once per rank count; the problem is the size alone.
        rows = list({(row["set"], row["index"]): row for row in rows}.values())
    return tuple(
        Problem(
            id=f"{suite.value}/{row['set']}/{int(row['index']):03d}",
            suite=suite,
            set=ProblemSet(row["set"]),
            index=int(row["index"]),
            application=row["application"],
            directions=_directions(row),
            params=_params(suite, row),
        )
        for row in rows
    )


def select(
    problems: Iterable[Problem],
    *,
    problem_set: ProblemSet | None = None,
    id_glob: str | None = None,
) -> tuple[Problem, ...]:
    """The problems of one set and/or whose id matches a shell-style glob."""
    return tuple(
        p
        for p in problems
        if (problem_set is None or p.set is problem_set)
        and (id_glob is None or fnmatch.fnmatchcase(p.id, id_glob))
    )
