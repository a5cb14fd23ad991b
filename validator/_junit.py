"""Writes a report as JUnit XML, so CI systems show each bundle as a test case.

One <testsuite> per submitter (or one for loose bundles), one <testcase> per bundle; an error
finding is a <failure>, warnings and notes go to <system-out>. Round-level findings form their own
test case. The file is written atomically.
"""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path

from schemas import UsageError
from schemas.atomic import write_file_atomically
from validator._findings import Finding, Severity
from validator._report import BundleReport, Report


def _line(item: Finding) -> str:
    where = f"{item.file}:{item.json_path}" if item.json_path else item.file
    detail = f" (expected {item.expected}, found {item.found})" if item.expected else ""
    return f"{item.code.value} {where}: {item.message}{detail}. Fix: {item.fix}"


def _testcase(parent: ET.Element, classname: str, name: str, findings: tuple[Finding, ...]) -> int:
    """Adds one test case; returns 1 when it failed."""
    case = ET.SubElement(parent, "testcase", classname=classname, name=name, time="0")
    errors = [f for f in findings if f.severity is Severity.ERROR]
    if errors:
        failure = ET.SubElement(
            case, "failure", message=f"{len(errors)} errors", type=errors[0].code
        )
        failure.text = "\n".join(_line(f) for f in errors)
    others = [f for f in findings if f.severity is not Severity.ERROR]
    if others:
        ET.SubElement(case, "system-out").text = "\n".join(_line(f) for f in others)
    return 1 if errors else 0


def junit_tree(report: Report) -> ET.ElementTree[ET.Element]:
    """The JUnit document of a report."""
    root = ET.Element("testsuites", name="kernelperf validate")
    groups: dict[str, list[BundleReport]] = defaultdict(list)
    for bundle in report.bundles:
        key = "/".join(p for p in (bundle.round, bundle.division, bundle.submitter) if p)
        groups[key or "bundles"].append(bundle)
    if report.findings:
        suite = ET.SubElement(root, "testsuite", name="round")
        failed = _testcase(suite, "round", report.root, report.findings)
        suite.set("tests", "1")
        suite.set("failures", str(failed))
    for name, bundles in sorted(groups.items()):
        suite = ET.SubElement(root, "testsuite", name=name)
        failed = sum(_testcase(suite, name, b.path, b.findings) for b in bundles)
        suite.set("tests", str(len(bundles)))
        suite.set("failures", str(failed))
    return ET.ElementTree(root)


def write_junit(report: Report, target: Path) -> None:
    """Writes the JUnit XML of `report` to `target` atomically."""
    document = io.BytesIO()
    junit_tree(report).write(document, encoding="utf-8", xml_declaration=True)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        write_file_atomically(target, document.getvalue())
    except OSError as exc:
        raise UsageError(
            f"cannot write the JUnit report: {exc.strerror}",
            where=str(target),
            fix="choose a --junit FILE in a folder you can write to",
        ) from exc
