"""`kernelperf problems`: the official problem sets, counted per suite and set, or as JSON."""

from __future__ import annotations

import argparse
import json
from typing import Any

from rich.table import Table

from kernelperf import console
from schemas import Problem, ProblemSet, Suite, load_problems, select_problems


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Adds the `problems` subcommand."""
    parser = subparsers.add_parser(
        "problems",
        help="list DeepBench's problem sets (counts, or every problem with --json)",
        description="Count the official problems per suite and set; --json lists every one.",
    )
    parser.add_argument("--suite", choices=Suite.all(), help="only this suite")
    parser.add_argument("--set", choices=[s.value for s in ProblemSet], help="only this set")
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    parser.set_defaults(handler=handle)


def selected(suite: str | None, problem_set: str | None) -> tuple[Problem, ...]:
    """The problems of the chosen suite (or all suites) and set, in DeepBench's order."""
    suites = [Suite(suite)] if suite else Suite.all()
    chosen = ProblemSet(problem_set) if problem_set else None
    return tuple(p for s in suites for p in select_problems(load_problems(s), problem_set=chosen))


def counts_table(chosen: tuple[Problem, ...]) -> Table:
    """Problems per suite (rows) and set (columns), with totals."""
    sets = [s for s in ProblemSet if any(p.set is s for p in chosen)]
    table = Table("suite", *sets, "total", title="DeepBench problems")
    for column in table.columns[1:]:
        column.justify = "right"
    for suite in Suite.all():
        mine = [p for p in chosen if p.suite is suite]
        if mine:
            per_set = [str(sum(p.set is s for p in mine)) for s in sets]
            table.add_row(suite.value, *per_set, f"[kp.key]{len(mine)}[/]")
    return table


def as_json(chosen: tuple[Problem, ...]) -> str:
    """Every problem with its parameters and logical FLOPs, and the counts per suite."""
    document = {
        "counts": {s.value: sum(p.suite is s for p in chosen) for s in Suite.all()},
        "problems": [p.model_dump(mode="json") | {"flops": p.flops()} for p in chosen],
    }
    return json.dumps(document, indent=2)


def handle(args: argparse.Namespace) -> int:
    """Prints the counts table, or the JSON document."""
    chosen = selected(args.suite, args.set)
    if args.json:
        print(as_json(chosen))
    else:
        console.stdout.print(counts_table(chosen))
    return 0
