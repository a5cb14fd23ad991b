"""Validates everything under a path: finds bundles, checks them in parallel, then the round.

Bundles are independent, so they are checked in a process pool (one core: in-process). The
round-level checks (layout, declared systems, duplicates, rules completeness) then see every
bundle's parsed documents at once.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Literal

from schemas import AUDIT_NAME, UsageError
from validator._audits import audit_findings
from validator._bundle import is_bundle, load_bundle
from validator._cache import default_cache_dir
from validator._collector import collector_paused
from validator._findings import Code, Finding, finding
from validator._layout import locate
from validator._report import BundleReport, Report, status_of
from validator._round_layout import Placed, layout_findings
from validator._round_rules import rules_findings

ProgressHook = Callable[[int, int], None]
BUNDLES_PER_TASK = 4


def discover(root: Path) -> list[Path]:
    """Every bundle under `root`: folders with a manifest, and `.tar.gz` files; no link followed."""
    if is_bundle(root):
        return [root]
    found: list[Path] = []
    for folder, dirnames, filenames in os.walk(root, followlinks=False):
        here = Path(folder)
        for name in list(dirnames):
            if (here / name / AUDIT_NAME).is_file():
                dirnames.remove(name)  # an audit bundle: validator/_audits.py reads it
                continue
            if name.startswith(".") or is_bundle(here / name):
                dirnames.remove(name)  # hidden folders are never walked; a bundle is not entered
                if not name.startswith("."):
                    found.append(here / name)
        found.extend(here / n for n in filenames if is_bundle(here / n) and not n.startswith("."))
    return sorted(found)


def display_of(bundle: Path, root: Path) -> str:
    """The bundle's path as reports show it: relative to the validated folder."""
    if bundle == root:
        return root.name
    return bundle.relative_to(root).as_posix()


Task = tuple[Path, str, Path | None]


def _load_one(path: Path, display: str, cache_dir: Path | None) -> BundleReport:
    """One bundle's report; whatever goes wrong inside becomes a KP-INTERNAL finding."""
    try:
        return load_bundle(path, display, cache_dir=cache_dir)
    except Exception as exc:  # an unreadable file or a bug must not stop the round
        item = finding(Code.INTERNAL, file=display, message=f"cannot check the bundle: {exc!r}")
        return BundleReport(path=display, status=status_of((item,)), findings=(item,))


def _load_many(tasks: list[Task]) -> list[BundleReport]:
    """Worker entry point: a few bundles per task keeps the pool's overhead small."""
    return [_load_one(path, display, cache_dir) for path, display, cache_dir in tasks]


def default_jobs() -> int:
    """Cores this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _check_all(
    tasks: list[Task], jobs: int, progress: ProgressHook | None
) -> Iterator[BundleReport]:
    chunks = [tasks[i : i + BUNDLES_PER_TASK] for i in range(0, len(tasks), BUNDLES_PER_TASK)]
    if jobs <= 1 or len(chunks) <= 1:
        yield from _counted(map(_load_many, chunks), len(tasks), progress)
        return
    with ProcessPoolExecutor(max_workers=min(jobs, len(chunks))) as pool:
        yield from _counted(pool.map(_load_many, chunks), len(tasks), progress)


def _counted(
    batches: Iterator[list[BundleReport]], total: int, progress: ProgressHook | None
) -> Iterator[BundleReport]:
    done = 0
    for reports in batches:
        done += len(reports)
        if progress:
            progress(done, total)
        yield from reports


def validate(
    path: Path | str,
    *,
    jobs: int | None = None,
    progress: ProgressHook | None = None,
    cache_dir: Path | Literal["default"] | None = "default",
) -> Report:
    """Validates a bundle, a `.tar.gz` bundle, or a folder of bundles (a round, a submission).

    `jobs` worker processes (default: the cores this process may use); `cache_dir` keeps
    verdicts by file hash (default: the user's cache folder; None: no cache). Raises
    `UsageError` only when the path does not exist; everything wrong inside it is a finding.
    """
    cache_folder = default_cache_dir() if cache_dir == "default" else cache_dir
    root = Path(path)
    if not root.exists() and not root.is_symlink():
        raise UsageError(f"no such file or folder: {root}", where=str(root), fix="check the path")
    bundles = [] if (root / AUDIT_NAME).is_file() else discover(root)
    tasks = [(bundle, display_of(bundle, root), cache_folder) for bundle in bundles]
    # The round checks and the merge run paused too: with every bundle loaded, each collection
    # re-scans them all, so their cost grew with the square of the round (1.4x per bundle at 10x).
    with collector_paused():
        reports = list(_check_all(tasks, jobs or default_jobs(), progress))
        return _round_report(root, bundles, reports)


def _round_report(root: Path, bundles: list[Path], reports: list[BundleReport]) -> Report:
    """The round's report: each bundle's findings with the round-level checks' added."""
    if not reports:
        audits = audit_findings(root, [])
        if audits.overall or (root / AUDIT_NAME).is_file():
            return Report(root=str(root), bundles=(), findings=tuple(audits.overall))
        return Report(
            root=str(root), bundles=(), findings=(finding(Code.NO_BUNDLES, file=root.name),)
        )
    placed = [
        Placed(i, path, locate(path), r)
        for i, (path, r) in enumerate(zip(bundles, reports, strict=True))
    ]
    overall, per_bundle = _round_checks(root, placed)
    audits = audit_findings(root, placed)
    for index, items in audits.per_bundle.items():
        per_bundle[index].extend(items)
    merged = tuple(_with(report, per_bundle.get(i, [])) for i, report in enumerate(reports))
    return Report(
        root=str(root),
        bundles=merged,
        findings=(*overall, *audits.overall),
        audits=audits.statuses,
        audited_bundles=audits.by_bundle,
    )


def _with(report: BundleReport, extra: list[Finding]) -> BundleReport:
    """The report with round-level findings about this bundle added."""
    if not extra:
        return report
    findings = (*report.findings, *extra)
    return report.model_copy(update={"findings": findings, "status": status_of(findings)})


def _round_checks(
    root: Path, placed: list[Placed]
) -> tuple[list[Finding], dict[int, list[Finding]]]:
    """Layout, declared systems and round rules; an internal error is one KP-INTERNAL finding."""
    overall: list[Finding] = []
    per_bundle: dict[int, list[Finding]] = defaultdict(list)
    for name, check in (("layout", layout_findings), ("round rules", _rules_only)):
        try:
            found_overall, found_per_bundle = check(root, placed)
        except Exception as exc:  # one broken check must not stop the round
            overall.append(finding(Code.INTERNAL, message=f"check {name!r} failed: {exc!r}"))
            continue
        overall.extend(found_overall)
        for index, items in found_per_bundle.items():
            per_bundle[index].extend(items)
        # Later checks see earlier ones' findings: completeness counts accepted bundles only.
        placed = [
            replace(p, report=_with(p.report, found_per_bundle.get(p.index, []))) for p in placed
        ]
    return overall, per_bundle


def _rules_only(root: Path, placed: list[Placed]) -> tuple[list[Finding], dict[int, list[Finding]]]:
    return [], rules_findings(root, placed)
