"""Writes the official problem tables of a rules file from `harness/problems` (the one source).

    python -m tests.validator.rules_sync VERSION          rewrite validator/rules/VERSION.json
    python -m tests.validator.rules_sync VERSION --check  exit 1 when the file has drifted

Only `problem_sets` is generated; the policy (divisions, precision order, tolerance bound) is
edited by hand and kept as it is.
"""

from __future__ import annotations

import csv
import json
import sys
from importlib.resources import files
from pathlib import Path
from typing import Any

from harness.problems import load
from schemas import Suite
from validator.rules import Rules

RULES_DIR = Path(__file__).resolve().parents[2] / "validator" / "rules"
# All-reduce rows carry no precision columns: DeepBench's all-reduce is fp32 sum.
ALLREDUCE_FLOOR = {"multiply": "fp32", "accumulate": "fp32"}


def _floors(suite: Suite) -> dict[str, dict[str, str]]:
    """The precision floor of each set of a suite, from the CSV's min_* columns."""
    text = files("harness.problems").joinpath(f"{suite.value}.csv").read_text(encoding="utf-8")
    floors: dict[str, dict[str, str]] = {}
    for row in csv.DictReader(text.splitlines()):
        floor = ALLREDUCE_FLOOR
        if "min_multiply_precision" in row:
            floor = {
                "multiply": row["min_multiply_precision"],
                "accumulate": row["min_accumulate_precision"],
            }
        if floors.setdefault(row["set"], floor) != floor:
            raise ValueError(f"{suite.value}/{row['set']}: rows disagree on the precision floor")
    return floors


def problem_sets() -> list[dict[str, Any]]:
    """Every official (suite, set) with its floor and problems, in the harness's order."""
    tables: list[dict[str, Any]] = []
    for suite in Suite:
        problems = load(suite)
        for set_name, floor in _floors(suite).items():
            members = [p for p in problems if p.set.value == set_name]
            tables.append(
                {
                    "suite": suite.value,
                    "set": set_name,
                    "floor": floor,
                    "problems": [
                        {
                            "id": p.id,
                            "directions": [d.value for d in p.directions],
                            "params": p.params.model_dump(mode="json"),
                        }
                        for p in members
                    ],
                }
            )
    return tables


def render(version: str) -> str:
    """The rules file of `version` with freshly generated problem tables."""
    document = json.loads((RULES_DIR / f"{version}.json").read_text(encoding="utf-8"))
    document["problem_sets"] = problem_sets()
    Rules.model_validate(document)
    return json.dumps(document, indent=1) + "\n"


def main(argv: list[str]) -> int:
    """Rewrites (or with --check, compares) one rules file."""
    version = argv[0]
    path = RULES_DIR / f"{version}.json"
    text = render(version)
    if "--check" in argv:
        stale = path.read_text(encoding="utf-8") != text
        if stale:
            print(f"stale: {path}; run python -m tests.validator.rules_sync {version}")
        return 1 if stale else 0
    temporary = path.with_suffix(".tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)
    print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
