"""Round-level checks of place: the submission layout, and declared systems against the bundles.

A round folder holds `<division>/<submitter>/{systems,results,code}` and `keys/`; anything else
is flagged. A bundle's folders must name its suite and system; the declared
`systems/<system_id>.json` must agree with every probed fact of the bundles that ran on it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from schemas import SYSTEM_NAME, SystemDescription
from schemas.names import is_valid_name
from validator._findings import Code, Finding, finding
from validator._jsonio import read_json
from validator._layout import (
    AUDITS_DIR,
    CODE_DIR,
    DIVISIONS,
    KEYS_DIR,
    RESULTS_DIR,
    SYSTEMS_DIR,
    Location,
)
from validator._report import BundleReport
from validator._schema_check import check_schema

# Facts the vendor declares rather than the harness probes: they may differ from system.json.
DECLARED_ONLY = frozenset(
    {"status", "submitter", "interconnect", "peak_tflops", "memory_bandwidth_gbps", "placement"}
)


@dataclass(frozen=True)
class Placed:
    """A checked bundle with where it lies on disk and in the layout."""

    index: int
    path: Path
    location: Location | None
    report: BundleReport


def shown_path(path: Path, root: Path) -> str:
    """A path as findings show it: relative to the validated folder when inside it."""
    try:
        return path.relative_to(root).as_posix() or root.name
    except ValueError:
        return str(path)


def round_roots(root: Path, placed: list[Placed]) -> set[Path]:
    """Round folders under (or at) the validated path: those holding a division folder."""
    roots = {p.location.round_root for p in placed if p.location is not None}
    for candidate in (root, *(c for c in root.iterdir() if c.is_dir())) if root.is_dir() else ():
        if any((candidate / d).is_dir() for d in DIVISIONS):
            roots.add(candidate)
    return roots


def _unexpected(round_root: Path, root: Path) -> Iterator[Finding]:
    """Entries the layout has no place for (warnings), and names it does not allow."""
    for entry in sorted(round_root.iterdir()):
        if entry.name not in (*DIVISIONS, KEYS_DIR, AUDITS_DIR) and not entry.name.startswith(
            "README"
        ):
            yield finding(Code.LAYOUT_UNEXPECTED, file=shown_path(entry, root))
        if entry.name not in DIVISIONS or not entry.is_dir():
            continue
        for submitter in sorted(entry.iterdir()):
            if not is_valid_name(submitter.name) or not submitter.is_dir():
                yield finding(Code.LAYOUT_NAME, file=shown_path(submitter, root))
                continue
            for part in sorted(submitter.iterdir()):
                if part.name not in (SYSTEMS_DIR, RESULTS_DIR, CODE_DIR):
                    yield finding(Code.LAYOUT_UNEXPECTED, file=shown_path(part, root))


def _placement(placed: Placed, round_roots_found: set[Path], root: Path) -> Iterator[Finding]:
    location, report = placed.location, placed.report
    if location is None:
        if any(r in placed.path.parents for r in round_roots_found):
            yield finding(Code.LAYOUT_PLACEMENT, file=report.path)
        return
    for name in (location.submitter, location.system_id, location.bundle):
        if not is_valid_name(name):
            yield finding(Code.LAYOUT_NAME, file=report.path, found=name)
    if report.run is not None and report.run.suite.value != location.suite:
        yield finding(
            Code.LAYOUT_SUITE,
            file=report.path,
            expected=report.run.suite.value,
            found=location.suite,
        )
    if report.system is not None and report.system.system_id != location.system_id:
        yield finding(
            Code.LAYOUT_SYSTEM,
            file=report.path,
            expected=report.system.system_id,
            found=location.system_id,
        )


def _declared(location: Location, root: Path) -> SystemDescription | list[Finding]:
    """The declared system of a bundle's folder, or the findings that say why there is none."""
    path = location.system_file
    file = shown_path(path, root)
    if not path.is_file() or path.is_symlink():
        return [finding(Code.SYSTEM_MISSING, file=file)]
    parsed = read_json(path, file)
    if isinstance(parsed, Finding):
        return [parsed]
    problems = check_schema("system", parsed.value, file)
    if problems:
        return problems
    try:
        return SystemDescription.model_validate(parsed.value)
    except ValidationError as exc:
        return [finding(Code.SYSTEM_INVALID, file=file, found=str(exc.errors()[0]["msg"]))]


def differences(
    declared: object, probed: object, path: str = ""
) -> Iterator[tuple[str, object, object]]:
    """(json path, declared, probed) of every probed fact that differs."""
    if isinstance(declared, dict) and isinstance(probed, dict):
        for key in sorted(set(declared) | set(probed)):
            if key not in DECLARED_ONLY:
                child = f"{path}.{key}" if path else key
                yield from differences(declared.get(key), probed.get(key), child)
    elif isinstance(declared, list) and isinstance(probed, list) and len(declared) == len(probed):
        for index, (a, b) in enumerate(zip(declared, probed, strict=True)):
            yield from differences(a, b, f"{path}[{index}]")
    elif declared != probed:
        yield path, declared, probed


def _systems(placed: list[Placed], root: Path) -> Iterator[tuple[int, Finding]]:
    declared_cache: dict[Path, SystemDescription | list[Finding]] = {}
    for item in placed:
        if item.location is None or item.report.system is None:
            continue
        file = item.location.system_file
        if file not in declared_cache:
            declared_cache[file] = _declared(item.location, root)
        declared = declared_cache[file]
        if isinstance(declared, list):
            yield from ((item.index, f) for f in declared)
            continue
        probed = item.report.system.model_dump(mode="json")
        for path, expected, found in differences(declared.model_dump(mode="json"), probed):
            yield (
                item.index,
                finding(
                    Code.SYSTEM_MISMATCH,
                    file=f"{item.report.path}/{SYSTEM_NAME}",
                    json_path=path,
                    message=f"declared {shown_path(file, root)} says otherwise",
                    expected=expected,
                    found=found,
                ),
            )


def layout_findings(
    root: Path, placed: list[Placed]
) -> tuple[list[Finding], dict[int, list[Finding]]]:
    """Round-level findings, and findings per bundle index."""
    per_bundle: dict[int, list[Finding]] = defaultdict(list)
    roots = round_roots(root, placed)
    overall = [f for r in sorted(roots) for f in _unexpected(r, root)]
    for item in placed:
        per_bundle[item.index].extend(_placement(item, roots, root))
    for index, item_finding in _systems(placed, root):
        per_bundle[index].append(item_finding)
    return overall, per_bundle
