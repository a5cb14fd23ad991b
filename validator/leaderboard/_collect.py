"""Reads a validator report into result entries and systems, each with the findings about it.

A finding whose JSON path points into `results[i]` of a bundle's result.json belongs to that
result; every other finding belongs to the bundle (`validator._finding_place`). A result is
rejected when its bundle is invalid or an error concerns it; failed when its output failed its
check; unranked when a finding its division's rules list in `unscored_codes` concerns it (closed:
a CV above the limit); otherwise warnings and notes make it flagged but it still counts. A result
a counted audit drew carries the audit's words (`_audit`).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection
from dataclasses import dataclass

from schemas import AuditedResult, Division, DType, KernelResult, RunResult, SystemDescription
from validator._codes import Code
from validator._finding_place import split_findings
from validator._findings import Finding, Severity
from validator._report import BundleReport, Report
from validator._system_keys import SystemPair, identity, system_keys
from validator.leaderboard._audit import DrawKey, audit_words, audited_result, drawn
from validator.leaderboard._model import (
    BundleView,
    Flag,
    ResultEntry,
    ResultState,
    SystemView,
    UnreadBundle,
)
from validator.leaderboard._naming import (
    board_anchor,
    custom_board_anchor,
    params_key,
    params_text,
    precision_label,
    problem_anchor,
    result_anchor,
    variant_of,
)
from validator.leaderboard._timing import timing_words
from validator.rules import Rules, RulesNotFoundError, load_rules

TFLOPS_UNIT = "TFLOP/s"
TOPS_UNIT = "TOP/s"  # integer kernels do operations, not floating-point ones
BUSBW_UNIT = "GB/s busbw"
SHORT_ID = 19  # "sha256:" and 12 hex digits, as `docker images` shows an image id


@dataclass(frozen=True)
class FailedKernel:
    """A kernel a run recorded in `errors[]`: it could not be measured, so it counts as failed."""

    system: str
    division: Division
    problem_id: str
    direction: str
    precision: str | None  # the precision label tried, when the run recorded one


@dataclass(frozen=True)
class Collected:
    """Everything the scoring needs, read once from the report."""

    systems: tuple[SystemView, ...]
    results: tuple[ResultEntry, ...]
    unread: tuple[UnreadBundle, ...]
    failed_kernels: tuple[FailedKernel, ...]


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
    pair = identity(report)
    if report.run is None or report.system is None or pair is None:
        return None
    division = Division(report.division) if report.division else report.run.division
    return _Readable(
        report=report,
        run=report.run,
        system=report.system,
        division=division,
        submitter=pair[0],
        system_id=pair[1],
    )


def _rules(version: str) -> Rules | None:
    try:
        return load_rules(version)
    except RulesNotFoundError:
        return None  # the bundle carries KP-RULES-VERSION, an error: its results are rejected


def _state(
    bundle_valid: bool, result: KernelResult, flags: list[Flag], unscored: Collection[Code]
) -> ResultState:
    if not bundle_valid or any(f.severity == Severity.ERROR.value for f in flags):
        return ResultState.REJECTED
    if result.correctness is not None and not result.correctness.passed:
        return ResultState.FAILED  # never a number, whatever the rules list
    if any(f.code in unscored for f in flags):
        return ResultState.UNRANKED
    return ResultState.FLAGGED if flags else ResultState.SCORED


def unit_of(result: KernelResult) -> str:
    """The unit a result is scored in: bus bandwidth for a collective, TOP/s for int8 inputs."""
    if result.collective is not None:
        return BUSBW_UNIT
    return TOPS_UNIT if result.precision.input is DType.INT8 else TFLOPS_UNIT


def source_of(result: KernelResult) -> str | None:
    """Where a published result comes from, in one line; None for a measured one."""
    origin = result.provenance
    if origin is None:
        return None
    return (
        f"{origin.file} > {origin.sheet} > {origin.cell}: {origin.published_ms:g} ms as "
        f"published (sha256 {origin.sha256[:12]}); {origin.source}"
    )


def nodes_of(system: SystemDescription) -> int:
    """Nodes a run used: the hosts of its recorded rank placement, else the declared count."""
    hosts = {p.host for p in system.placement}
    return len(hosts) if hosts else system.nodes


def _entry(
    bundle: _Readable,
    system_key: str,
    result: KernelResult,
    flags: list[Flag],
    rules: Rules | None,
    draw: dict[DrawKey, AuditedResult],
) -> ResultEntry:
    variant = variant_of(result, nodes_of(bundle.system))
    problem = result.problem
    collective = result.collective
    division, direction = bundle.division, result.direction
    custom = rules is None or rules.official_set(result) is None
    if custom:
        suite = problem.suite.value
        board = custom_board_anchor(division, suite, problem.params, direction, variant)
        view = f"p-{board}"
        name = f"{problem.id} custom {params_key(problem.params)}"
    else:
        board = board_anchor(division, problem.suite.value, problem.set.value, variant)
        view = problem_anchor(division, problem.id, direction, variant)
        name = problem.id
    unscored = rules.divisions[division].unscored_codes if rules else ()
    audited = audited_result(draw, result)
    timing = timing_words(result.timing_method, result.regime, measured=result.provenance is None)
    return ResultEntry(
        anchor=result_anchor(division, system_key, name, direction, variant),
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
        timing=timing.label,
        timing_method=timing.method,
        flops=result.flops,
        bytes_moved=result.bytes_moved,
        throughput=collective.busbw_gbps if collective else result.tflops,
        unit=unit_of(result),
        gbps=result.gbps,
        correct=result.correctness.passed if result.correctness else None,
        state=_state(bundle.report.valid, result, flags, unscored),
        flags=tuple(flags),
        problem_rank=None,
        problem_view=view,
        custom=custom,
        board=board,
        rules_version=bundle.run.rules_version,
        source=source_of(result),
        audit=audit_words(audited) if audited else "",
        audit_verdict=audited.verdict if audited else None,
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
    keys: dict[SystemPair, str] = system_keys((b.submitter, b.system_id) for b in readable).keys
    entries: list[ResultEntry] = []
    failed: list[FailedKernel] = []
    bundle_views: dict[str, list[BundleView]] = defaultdict(list)
    descriptions: dict[str, SystemDescription] = {}
    for bundle in sorted(readable, key=lambda b: (not b.report.valid, b.report.path)):
        key = keys[(bundle.submitter, bundle.system_id)]
        descriptions.setdefault(key, bundle.system)  # a valid bundle's description, if any
        per_result, whole = split_findings(bundle.report)
        bundle_views[key].append(_bundle_view(bundle, whole))
        shared = [flag_of(f) for f in whole if f.severity is not Severity.NOTE]
        rules = _rules(bundle.run.rules_version)
        draw = drawn(report.audited_bundles.get(bundle.report.path))
        for index, result in enumerate(bundle.run.results):
            flags = [flag_of(f) for f in per_result.get(index, [])] + shared
            entries.append(_entry(bundle, key, result, flags, rules, draw))
        failed += [
            FailedKernel(
                system=key,
                division=bundle.division,
                problem_id=e.problem_id,
                direction=e.direction.value,
                precision=precision_label(e.precision) if e.precision else None,
            )
            for e in bundle.run.errors
        ]
    systems = tuple(
        SystemView(
            key=key,
            system_id=system_id,
            submitter=submitter,
            description=descriptions[key],
            bundles=tuple(sorted(bundle_views[key], key=lambda v: v.path)),
            audit={
                d: report.audits[f"{d.value}/{submitter}/{system_id}"]
                for d in Division
                if f"{d.value}/{submitter}/{system_id}" in report.audits
            },
        )
        for (submitter, system_id), key in sorted(keys.items(), key=lambda item: item[1])
    )
    return Collected(
        systems=systems,
        results=tuple(_unique_anchors(entries)),
        unread=unread,
        failed_kernels=tuple(failed),
    )
