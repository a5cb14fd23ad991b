"""Which kernel result a finding concerns: the one its JSON path points into, in its bundle.

A finding on `<bundle>/result.json` at `results[i]...` is about result i; every other finding is
about the bundle as a whole. The round rules (completeness) and the leaderboard (result states)
both need this, and must agree.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Collection

from schemas import RESULT_NAME
from validator._findings import Code, Finding
from validator._report import BundleReport

_RESULT_PATH = re.compile(r"^results\[(\d+)\]")


def result_index(item: Finding, bundle_path: str) -> int | None:
    """The index of the result `item` concerns in the bundle at `bundle_path`, if one."""
    if item.file != f"{bundle_path}/{RESULT_NAME}":
        return None
    match = _RESULT_PATH.match(item.json_path)
    return int(match.group(1)) if match else None


def split_findings(report: BundleReport) -> tuple[dict[int, list[Finding]], list[Finding]]:
    """Findings per result index, and the findings about the bundle as a whole."""
    per_result: dict[int, list[Finding]] = defaultdict(list)
    whole: list[Finding] = []
    for item in report.findings:
        index = result_index(item, report.path)
        if index is None:
            whole.append(item)
        else:
            per_result[index].append(item)
    return per_result, whole


def results_with(report: BundleReport, codes: Collection[Code]) -> set[int]:
    """Indexes of the results that a finding with one of `codes` concerns."""
    found: set[int] = set()
    for item in report.findings:
        if item.code in codes:
            index = result_index(item, report.path)
            if index is not None:
                found.add(index)
    return found
