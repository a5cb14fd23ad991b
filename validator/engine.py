"""Validates everything under a path: finds bundles, checks them in parallel, then the round.

Bundles are independent, so they are checked in a process pool (one core: in-process). The
round-level checks (layout, declared systems, duplicates, rules completeness) then see every
bundle's parsed documents at once.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from schemas import UsageError
from validator.bundle import is_bundle, load_bundle
from validator.findings import Code, finding
from validator.report import BundleReport, Report

ProgressHook = Callable[[int, int], None]
BUNDLES_PER_TASK = 4


def discover(root: Path) -> list[Path]:
    """Every bundle under `root` (folders with a manifest and `.tar.gz` files), links not followed."""
    if is_bundle(root):
        return [root]
    found: list[Path] = []
    for folder, dirnames, filenames in os.walk(root, followlinks=False):
        here = Path(folder)
        for name in list(dirnames):
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


def _load_many(tasks: list[tuple[Path, str]]) -> list[BundleReport]:
    """Worker entry point: a few bundles per task keeps the pool's overhead small."""
    return [load_bundle(path, display) for path, display in tasks]


def default_jobs() -> int:
    """Cores this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _check_all(
    tasks: list[tuple[Path, str]], jobs: int, progress: ProgressHook | None
) -> Iterator[BundleReport]:
    chunks = [tasks[i : i + BUNDLES_PER_TASK] for i in range(0, len(tasks), BUNDLES_PER_TASK)]
    done = 0
    if jobs <= 1 or len(chunks) <= 1:
        results = map(_load_many, chunks)
        for reports in results:
            done += len(reports)
            if progress:
                progress(done, len(tasks))
            yield from reports
        return
    with ProcessPoolExecutor(max_workers=min(jobs, len(chunks))) as pool:
        for reports in pool.map(_load_many, chunks):
            done += len(reports)
            if progress:
                progress(done, len(tasks))
            yield from reports


def validate(
    path: Path | str, *, jobs: int | None = None, progress: ProgressHook | None = None
) -> Report:
    """Validates a bundle, a `.tar.gz` bundle, or a folder of bundles (a round, a submission).

    Raises `UsageError` only when the path does not exist; everything wrong inside it is a finding.
    """
    root = Path(path)
    if not root.exists() and not root.is_symlink():
        raise UsageError(f"no such file or folder: {root}", where=str(root), fix="check the path")
    bundles = discover(root)
    tasks = [(bundle, display_of(bundle, root)) for bundle in bundles]
    reports = tuple(_check_all(tasks, jobs or default_jobs(), progress))
    round_findings = () if reports else (finding(Code.NO_BUNDLES, file=root.name),)
    return Report(root=str(root), bundles=reports, findings=round_findings)
