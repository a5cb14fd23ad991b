"""Writes the official problem tables of a rules file from schemas/suites (the one source).

    python -m tests.validator.rules_sync VERSION          rewrite validator/rules/VERSION.json
    python -m tests.validator.rules_sync VERSION --check  exit 1 when the file has drifted

Only `problem_sets` is generated; the policy (divisions, precision order, tolerance bound) is
edited by hand and kept as it is.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from schemas import Suite, load_problems, precision_floors
from validator.rules import Rules

RULES_DIR = Path(__file__).resolve().parents[2] / "validator" / "rules"


def problem_sets() -> list[dict[str, Any]]:
    """Every official (suite, set) with its floor and problems, in the suites' listing order."""
    tables: list[dict[str, Any]] = []
    for suite in Suite.all():
        problems = load_problems(suite)
        for problem_set, (multiply, accumulate) in precision_floors(suite).items():
            members = [p for p in problems if p.set is problem_set]
            tables.append(
                {
                    "suite": suite.value,
                    "set": problem_set.value,
                    "floor": {"multiply": multiply.value, "accumulate": accumulate.value},
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
