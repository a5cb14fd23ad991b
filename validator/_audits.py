"""Reads the reproduction audits of a round and turns them into findings and a status per system.

An audit bundle lies at `<round>/audits/<submitter>/<system_id>/` (audit.json, the auditor's
system.json, MANIFEST.json, attestation.dsse.json). It counts only when it is whole (schema and
manifest), signed by a key in `<round>/keys/auditors/`, names bundles the round holds unchanged,
draws what its seed draws, and its verdicts follow from its raw samples (`schemas.assess`, plain
Python; the recorded rank-test p is taken as written). A counted audit that did not pass strikes
the audited bundles: KP-AUDIT-SLOWER is an error on each of them, so the leaderboard drops the
system from the boards those bundles cover.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from pydantic import ValidationError

import attestation
from schemas import (
    ATTESTATION_NAME,
    AUDIT_NAME,
    MANIFEST_NAME,
    RESULT_NAME,
    Audit,
    AuditVerdict,
    Division,
    KernelResult,
    Manifest,
    ResultKey,
    RunResult,
    UsageError,
    assess,
    draw_sample,
    manifest_of,
    sha256_of,
)
from schemas.audit import allowed_ratio
from schemas.audit_stats import noise_floor
from validator._findings import Code, Finding, finding
from validator._jsonio import read_json
from validator._layout import AUDITS_DIR, KEYS_DIR
from validator._round_layout import Placed, shown_path
from validator._schema_check import is_valid_fast
from validator._system_keys import identity
from validator.rules import RulesNotFoundError, load_rules

AUDITORS_DIR = "auditors"
FAILING = (AuditVerdict.SLOWER, AuditVerdict.NOT_REPRODUCED)
# Recomputed ratios may differ from the recorded ones in the last bits only.
RELATIVE_SLACK = 1e-9


class AuditStatus(StrEnum):
    """What the leaderboard shows for a system."""

    PASSED = "passed"
    FAILED = "failed"


@dataclass
class AuditFindings:
    """Findings about audits (round-level and per bundle index), each system's status, and the
    counted audit of each bundle it drew from (by bundle path: the leaderboard shows its words)."""

    overall: list[Finding] = field(default_factory=list)
    per_bundle: dict[int, list[Finding]] = field(default_factory=lambda: defaultdict(list))
    statuses: dict[str, AuditStatus] = field(default_factory=dict)
    by_bundle: dict[str, Audit] = field(default_factory=dict)


def system_label(division: str, submitter: str, system_id: str) -> str:
    """How a report names an audited system: 'closed/acme/dgx-1'."""
    return f"{division}/{submitter}/{system_id}"


def audit_folders(root: Path) -> list[Path]:
    """Every audit bundle under `root` (or `root` itself), no link followed."""
    if (root / AUDIT_NAME).is_file():
        return [root]
    return sorted(p.parent for p in root.rglob(AUDIT_NAME) if not p.parent.is_symlink())


def _round_root(folder: Path) -> Path | None:
    """The round an audit folder lies in: <round>/audits/<submitter>/<system_id>."""
    parents = folder.absolute().parents
    return parents[2] if len(parents) > 3 and parents[1].name == AUDITS_DIR else None


def _whole(folder: Path, file: str) -> Audit | Finding:
    """The audit, when its manifest, schema and model all hold."""
    parsed = read_json(folder / MANIFEST_NAME, f"{file}/{MANIFEST_NAME}")
    if isinstance(parsed, Finding):
        return finding(Code.AUDIT_INVALID, file=file, found=parsed.message)
    listed = Manifest.model_validate(parsed.value).files
    on_disk = [e for e in manifest_of(folder).files if e.path != ATTESTATION_NAME]
    if tuple(on_disk) != listed:
        return finding(Code.AUDIT_INVALID, file=file, found="files differ from MANIFEST.json")
    document = read_json(folder / AUDIT_NAME, f"{file}/{AUDIT_NAME}")
    if isinstance(document, Finding):
        return finding(Code.AUDIT_INVALID, file=file, found=document.message)
    if not is_valid_fast("audit", document.value):
        return finding(Code.AUDIT_INVALID, file=f"{file}/{AUDIT_NAME}", found="schema")
    try:
        return Audit.model_validate(document.value)
    except ValidationError as exc:
        return finding(Code.AUDIT_INVALID, file=file, found=str(exc.errors()[0]["msg"]))


def _auditor_keys(round_root: Path) -> list[Ed25519PublicKey]:
    folder = round_root / KEYS_DIR / AUDITORS_DIR
    return [attestation.read_public_key(p) for p in sorted(folder.glob("*.pub"))]


def _close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return math.isclose(a, b, rel_tol=RELATIVE_SLACK)


def _rejudged(audit: Audit, submitted: dict[ResultKey, KernelResult]) -> Iterator[str]:
    """What in the audit its own samples and the submitted bundles do not give."""
    keys = list(submitted)
    if draw_sample(keys, audit.sample_size, audit.seed) != audit.selected:
        yield "selected: not what the seed draws from the audited bundles"
    if audit.complete and [r.key for r in audit.results] != list(audit.selected):
        yield "results: not one per selected result"
    if not _close(noise_floor([r.audit_rounds_ns for r in audit.results]), audit.noise_floor):
        yield "noise_floor: not the median process gap of the rounds"
    allowed = allowed_ratio(audit.tolerance, audit.noise_floor)
    for index, result in enumerate(audit.results):
        original = submitted.get(result.key)
        if original is None or original.samples_ns != result.submitted_samples_ns:
            yield f"results[{index}].submitted_samples_ns: not the submitted samples"
            continue
        again = assess(
            result.key,
            result.precision,
            result.submitted_samples_ns,
            result.audit_rounds_ns,
            allowed=allowed,
            p_slower=result.mann_whitney_p,
            policy_count=result.expected_count,
            audit_error=result.audit_error,
        )
        same = (
            again.verdict is result.verdict
            and _close(again.ratio, result.ratio)
            and _close(again.ratio_low, result.ratio_low)
            and _close(again.ratio_high, result.ratio_high)
            and _close(again.process_gap, result.process_gap)
        )
        if not same:
            yield f"results[{index}]: the verdict or ratio does not follow from the samples"


def _covered(audit: Audit, round_root: Path, placed: list[Placed]) -> list[Placed] | str:
    """The placed bundles the audit names, or why one of them is not in the round as audited."""
    by_path = {p.path.absolute(): p for p in placed}
    found = []
    for bundle in audit.bundles:
        path = (round_root / bundle.path).absolute()
        item = by_path.get(path)
        if item is None or item.report.run is None:
            return f"{bundle.path} is not a readable bundle of the round"
        if sha256_of(path / RESULT_NAME) != bundle.result_sha256:
            return f"{bundle.path}: result.json changed since the audit"
        found.append(item)
    return found


def _results_of(items: list[Placed]) -> dict[ResultKey, KernelResult]:
    """Every result of the covered bundles, by key."""
    runs: list[RunResult] = [i.report.run for i in items if i.report.run is not None]
    return {
        ResultKey(
            suite=run.suite,
            problem_id=r.problem.id,
            direction=r.direction,
            dtype=r.precision.input.value,
        ): r
        for run in runs
        for r in run.results
    }


def _one(folder: Path, root: Path, placed: list[Placed], out: AuditFindings) -> None:
    file = shown_path(folder, root)
    audit = _whole(folder, file)
    if isinstance(audit, Finding):
        out.overall.append(audit)
        return
    round_root = _round_root(folder)
    if round_root is None:
        return  # a loose audit is checked for itself only: nothing to compare it with
    if attestation.audit_signed_by(folder, _auditor_keys(round_root)) is None:
        out.overall.append(finding(Code.AUDIT_SIGNATURE, file=f"{file}/{ATTESTATION_NAME}"))
        return
    covered = _covered(audit, round_root, placed)
    if isinstance(covered, str):
        out.overall.append(finding(Code.AUDIT_UNKNOWN_BUNDLE, file=file, found=covered))
        return
    problems = list(_rejudged(audit, _results_of(covered)))
    if problems:
        out.overall.append(finding(Code.AUDIT_INVALID, file=file, found=problems[0]))
        return
    if not audit.complete:
        return  # an interrupted audit says nothing yet
    # Keyed as the leaderboard names systems: by their place in the layout (`identity`).
    for pair in {identity(item.report) for item in covered}:
        if pair is not None:
            label = system_label(audit.division.value, *pair)
            out.statuses[label] = AuditStatus.PASSED if audit.passed else AuditStatus.FAILED
    out.by_bundle.update((item.report.path, audit) for item in covered)
    if not audit.passed:
        bad = [
            r.key.label for r in audit.results if r.verdict.value in ("slower", "not_reproduced")
        ]
        for item in covered:
            out.per_bundle[item.index].append(
                finding(Code.AUDIT_SLOWER, file=item.report.path, found=f"{file}: {bad[0]}")
            )


def _required(placed: list[Placed], out: AuditFindings) -> None:
    """KP-AUDIT-MISSING on the bundles of systems the rules want audited and that are not."""
    for item in placed:
        run, report = item.report.run, item.report
        if run is None or item.location is None:
            continue
        try:
            rules = load_rules(run.rules_version).divisions.get(run.division)
        except RulesNotFoundError:
            continue
        pair = identity(report)
        system = system_label(run.division.value, *pair) if pair else ""
        if rules and rules.audit_required and out.statuses.get(system) is not AuditStatus.PASSED:
            out.per_bundle[item.index].append(finding(Code.AUDIT_MISSING, file=report.path))


def audit_findings(root: Path, placed: list[Placed]) -> AuditFindings:
    """Every audit under `root` checked, the systems they strike, and the audits required."""
    out = AuditFindings()
    for folder in audit_folders(root):
        _one(folder, root, placed, out)
    _required(placed, out)
    return out


def audit_tolerance(rules_version: str, division: str) -> float:
    """The rules' default tolerance of an audit of a bundle run under `rules_version`."""
    try:
        rules = load_rules(rules_version)
    except RulesNotFoundError as exc:
        raise UsageError(
            f"no rules {rules_version!r} to take the audit's tolerance from",
            where="result.json: rules_version",
            fix="give --tolerance T",
        ) from exc
    return rules.divisions[Division(division)].audit_tolerance
