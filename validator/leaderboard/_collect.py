"""Reads a validator report into result entries and systems, each with the findings about it.

A finding whose JSON path points into `results[i]` of a bundle's result.json belongs to that
result; every other finding belongs to the bundle. A result is rejected when its bundle is
invalid or an error concerns it; otherwise warnings and notes make it flagged but it still counts.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass

from schemas import RESULT_NAME, Division, KernelResult, RunResult, SystemDescription
from validator._findings import Finding, Severity
from validator._report import BundleReport, Report
from validator.leaderboard._model import (
    BundleView,
    Flag,
    ResultEntry,
    ResultState,
    SystemView,
    UnreadBundle,
)
from validator.leaderboard._naming import (
    params_text,
    problem_anchor,
    result_anchor,
    slug,
    variant_of,
)

_RESULT_PATH = re.compile(r"^results\[(\d+)\]")
TFLOPS_UNIT = "TFLOP/s"
BUSBW_UNIT = "GB/s busbw"
SHORT_ID = 19  # "sha256:" and 12 hex digits, as `docker images` shows an image id


@dataclass(frozen=True)
class Collected:
    """Everything the scoring needs, read once from the report."""

    systems: tuple[SystemView, ...]
    results: tuple[ResultEntry, ...]
    unread: tuple[UnreadBundle, ...]


@dataclass(frozen=True)
class _Readable:
    report: BundleReport
    run: RunResult
    system: SystemDescription
    division: Division
    submitter: str
    system_id: str


def flag_of(item: Finding) -> Flag:
    """The leaderboard's view of a finding."""
    return Flag(code=item.code.value, severity=item.severity.value, message=item.message)


def _readable(report: BundleReport) -> _Readable | None:
    """Identity of a parsed bundle: from the submission layout, else from its own documents."""
    if report.run is None or report.system is None:
        return None
    division = Division(report.division) if report.division else report.run.division
    return _Readable(
        report=report,
        run=report.run,
        system=report.system,
        division=division,
        submitter=report.submitter or report.system.submitter,
        system_id=report.system_id or report.system.system_id,
    )


def _system_keys(bundles: list[_Readable]) -> dict[tuple[str, str], str]:
    """The system_id, unless two submitters use it: then submitter and system_id."""
    pairs = sorted({(b.submitter, b.system_id) for b in bundles})
    uses = Counter(system_id for _, system_id in pairs)
    return {
        (submitter, system_id): system_id
        if uses[system_id] == 1
        else slug(f"{submitter}-{system_id}")
        for submitter, system_id in pairs
    }


def _split_findings(bundle: _Readable) -> tuple[dict[int, list[Finding]], list[Finding]]:
    """Findings per result index, and the findings about the bundle as a whole."""
    result_file = f"{bundle.report.path}/{RESULT_NAME}"
    per_result: dict[int, list[Finding]] = defaultdict(list)
    whole: list[Finding] = []
    for item in bundle.report.findings:
        match = _RESULT_PATH.match(item.json_path)
        if match and item.file == result_file:
            per_result[int(match.group(1))].append(item)
        else:
            whole.append(item)
    return per_result, whole


def _state(bundle_valid: bool, flags: list[Flag]) -> ResultState:
    if not bundle_valid or any(f.severity == Severity.ERROR.value for f in flags):
        return ResultState.REJECTED
    return ResultState.FLAGGED if flags else ResultState.SCORED


def _entry(
    bundle: _Readable, system_key: str, result: KernelResult, flags: list[Flag]
) -> ResultEntry:
    variant = variant_of(result)
    problem = result.problem
    collective = result.collective
    return ResultEntry(
        anchor=result_anchor(bundle.division, system_key, problem.id, result.direction, variant),
        division=bundle.division,
        system=system_key,
        suite=problem.suite,
        set=problem.set,
        problem_id=problem.id,
        application=problem.application,
        params=params_text(problem.params, collective.ranks if collective else None),
        direction=result.direction,
        precision=result.precision,
        variant=variant,
        bundle=bundle.report.path,
        median_ns=result.stats.median_ns,
        min_ns=result.stats.min_ns,
        p10_ns=result.stats.p10_ns,
        p90_ns=result.stats.p90_ns,
        cv=result.stats.cv,
        samples=result.stats.count,
        flops=result.flops,
        bytes_moved=result.bytes_moved,
        throughput=collective.busbw_gbps if collective else result.tflops,
        unit=BUSBW_UNIT if collective else TFLOPS_UNIT,
        gbps=result.gbps,
        correct=result.correctness.passed,
        state=_state(bundle.report.valid, flags),
        flags=tuple(flags),
        problem_rank=None,
        problem_view=problem_anchor(bundle.division, problem.id, result.direction, variant),
    )


def _bundle_view(bundle: _Readable, whole: list[Finding]) -> BundleView:
    run, container = bundle.run, bundle.system.container
    return BundleView(
        path=bundle.report.path,
        division=bundle.division,
        suite=run.suite,
        run_id=run.run_id,
        profile=run.profile.value,
        harness_version=run.harness_version,
        rules_version=run.rules_version,
        backend=f"{run.backend.name} on {run.backend.device} ({run.backend.device_name}), "
        f"{run.backend.threads} threads",
        libraries=dict(sorted(run.backend.library_versions.items())),
        container=f"{container.image} ({container.image_id[:SHORT_ID]})" if container else None,
        valid=bundle.report.valid,
        findings=tuple(flag_of(f) for f in whole),
        kernel_errors=tuple(f"{e.problem_id} {e.direction.value}: {e.message}" for e in run.errors),
    )


def _unique_anchors(entries: list[ResultEntry]) -> list[ResultEntry]:
    """Repeated runs of one kernel (loose bundles may hold them) get `-2`, `-3`... in path order."""
    seen: Counter[str] = Counter()
    unique: list[ResultEntry] = []
    for entry in sorted(entries, key=lambda e: (e.anchor, e.bundle)):
        seen[entry.anchor] += 1
        if seen[entry.anchor] > 1:
            entry = entry.model_copy(update={"anchor": f"{entry.anchor}-{seen[entry.anchor]}"})
        unique.append(entry)
    return unique


def collect(report: Report) -> Collected:
    """Result entries, systems and unreadable bundles of a validated round, all sorted."""
    readable = [r for r in (_readable(b) for b in report.bundles) if r is not None]
    unread = tuple(
        UnreadBundle(path=b.path, findings=tuple(flag_of(f) for f in b.findings))
        for b in report.bundles
        if b.run is None or b.system is None
    )
    keys = _system_keys(readable)
    entries: list[ResultEntry] = []
    bundle_views: dict[str, list[BundleView]] = defaultdict(list)
    descriptions: dict[str, SystemDescription] = {}
    for bundle in sorted(readable, key=lambda b: (not b.report.valid, b.report.path)):
        key = keys[(bundle.submitter, bundle.system_id)]
        descriptions.setdefault(key, bundle.system)  # a valid bundle's description, if any
        per_result, whole = _split_findings(bundle)
        bundle_views[key].append(_bundle_view(bundle, whole))
        shared = [flag_of(f) for f in whole if f.severity is not Severity.NOTE]
        for index, result in enumerate(bundle.run.results):
            flags = [flag_of(f) for f in per_result.get(index, [])] + shared
            entries.append(_entry(bundle, key, result, flags))
    systems = tuple(
        SystemView(
            key=key,
            system_id=system_id,
            submitter=submitter,
            description=descriptions[key],
            bundles=tuple(sorted(bundle_views[key], key=lambda v: v.path)),
        )
        for (submitter, system_id), key in sorted(keys.items(), key=lambda item: item[1])
    )
    return Collected(systems=systems, results=tuple(_unique_anchors(entries)), unread=unread)
