"""Validates KernelPerf bundles and submissions: safely, with every problem reported as data.

The public names are listed once, in `__all__`; the CLI and the leaderboard use only these, and
the modules behind them are private (`_name`). An import-linter contract in pyproject.toml keeps
the CLI at this front door.

    validate(path) -> Report           a bundle, a .tar.gz bundle, or any folder of them
    load_bundle(path) -> BundleReport  one bundle, with its parsed RunResult and SystemDescription
    render_report / findings_table     the human view of a report or of some findings (rich)
    write_junit(report, path)          the report as JUnit XML, for CI systems
    place_bundles(sources, ...)        copies bundles into the submission layout
    unpacked(archive, file)            a .tar.gz bundle unpacked safely into a temporary folder
    signature_check(verdict)           attestation's verdict on a signature, as findings
    import_workbooks(paths, round, into) DeepBench's published workbooks as a historical round
    import_table / unmatched_table     the import report as rich tables
    match_device(name)                 the device table's rows (published peaks) for a device name
    audit_tolerance(rules, division)   the rules' default tolerance of a reproduction audit

Everything is imported eagerly: the whole package costs about 10 ms more than the parts that
`kernelperf validate` needs anyway (schemas and pydantic are most of it), so laziness would buy
nothing here.
"""

from validator._archive import unpacked
from validator._audits import audit_tolerance
from validator._bundle import load_bundle
from validator._deepbench import ImportReport, import_table, import_workbooks, unmatched_table
from validator._engine import validate
from validator._findings import CATALOGUE, Code, Finding, Severity
from validator._junit import write_junit
from validator._render import findings_table, render_report
from validator._report import BundleReport, BundleStatus, Report
from validator._submission import Placement, place_bundles
from validator.peaks import match_device
from validator.signatures import SignatureCheck, signature_check

__all__ = [
    "CATALOGUE",
    "BundleReport",
    "BundleStatus",
    "Code",
    "Finding",
    "ImportReport",
    "Placement",
    "Report",
    "Severity",
    "SignatureCheck",
    "audit_tolerance",
    "findings_table",
    "import_table",
    "import_workbooks",
    "load_bundle",
    "match_device",
    "place_bundles",
    "render_report",
    "signature_check",
    "unmatched_table",
    "unpacked",
    "validate",
    "write_junit",
]
