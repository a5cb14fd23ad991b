"""Builds the human view of a report as rich renderables; only the CLI prints them.

One screen: a summary line, a table per submitter (when the bundles sit in a submission layout),
and the findings table cut to `max_rows` (the JSON report always holds every finding).
"""

from __future__ import annotations

from collections import defaultdict

from rich.console import Group, RenderableType
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from validator._findings import Finding, Severity
from validator._report import BundleReport, Report

SEVERITY_STYLE = {Severity.ERROR: "kp.fail", Severity.WARNING: "kp.warn", Severity.NOTE: "kp.note"}
SEVERITY_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.NOTE: 2}


def summary_line(report: Report) -> Text:
    """`PASS|FAIL  n bundles: v valid, i invalid; e errors, w warnings, n notes`."""
    counts = report.counts
    verdict = "[kp.ok]PASS[/]" if report.ok else "[kp.fail]FAIL[/]"
    return Text.from_markup(
        f"{verdict}  {escape(report.root)}: {counts['bundles']} bundles, "
        f"{counts['valid']} valid, {counts['invalid']} invalid; "
        f"{counts['error']} errors, {counts['warning']} warnings, {counts['note']} notes"
    )


def submitters_table(bundles: tuple[BundleReport, ...]) -> Table | None:
    """Per round, division and submitter: bundles, valid, errors, warnings."""
    groups: dict[tuple[str, str, str], list[BundleReport]] = defaultdict(list)
    for bundle in bundles:
        if bundle.submitter is not None:
            key = (bundle.round or "", bundle.division or "", bundle.submitter)
            groups[key].append(bundle)
    if not groups:
        return None
    table = Table(
        "round",
        "division",
        "submitter",
        "bundles",
        "valid",
        "errors",
        "warnings",
        title="Submitters",
        title_justify="left",
    )
    for (round_name, division, submitter), members in sorted(groups.items()):
        findings = [f for b in members for f in b.findings]
        errors = sum(f.severity is Severity.ERROR for f in findings)
        warnings = sum(f.severity is Severity.WARNING for f in findings)
        valid = sum(b.valid for b in members)
        style = "kp.ok" if valid == len(members) else "kp.fail"
        table.add_row(
            escape(round_name),
            division,
            escape(submitter),
            str(len(members)),
            f"[{style}]{valid}[/]",
            str(errors),
            str(warnings),
        )
    return table


def findings_table(findings: list[Finding], max_rows: int) -> Table:
    """The most severe findings first: code, location, then what was wrong and the fix.

    Three columns rather than six, so that a finding stays readable in an 80-column terminal.
    """
    ordered = sorted(findings, key=lambda f: (SEVERITY_ORDER[f.severity], f.file, f.json_path))
    table = Table(title="Findings", title_justify="left", show_lines=True)
    table.add_column("code", no_wrap=True)
    table.add_column("where", overflow="fold", ratio=1)
    table.add_column("what, and the fix", overflow="fold", ratio=2)
    for item in ordered[:max_rows]:
        style = SEVERITY_STYLE[item.severity]
        detail = escape(item.message)
        if item.expected or item.found:
            detail += (
                f"\nexpected {escape(item.expected or '-')}, found {escape(item.found or '-')}"
            )
        detail += f"\n[kp.note]fix: {escape(item.fix)}[/]"
        location = escape(item.file) + (f"\n{escape(item.json_path)}" if item.json_path else "")
        table.add_row(f"[{style}]{item.code.value}[/]", location, detail)
    if len(ordered) > max_rows:
        table.caption = f"{len(ordered) - max_rows} more findings: see --json"
    return table


def _facts(item: Finding) -> tuple[tuple[str, str | None], ...]:
    """The expected and found values of a finding, labelled."""
    return (("expected", item.expected), ("found", item.found))


def render_report(report: Report, max_rows: int = 25) -> RenderableType:
    """Summary, submitters and findings, in that order."""
    parts: list[RenderableType] = [summary_line(report)]
    submitters = submitters_table(report.bundles)
    if submitters is not None:
        parts.append(submitters)
    findings = report.all_findings()
    if findings:
        parts.append(findings_table(findings, max_rows))
    return Group(*parts)
