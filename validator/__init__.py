"""Validates KernelPerf bundles and submissions: safely, with every problem reported as data.

Public API (the leaderboard and the CLI use only these names):

    validate(path) -> Report          a bundle, a .tar.gz bundle, or any folder of them
    load_bundle(path) -> BundleReport one bundle, with its parsed RunResult and SystemDescription
"""

from validator.bundle import load_bundle
from validator.engine import discover, validate
from validator.findings import CATALOGUE, Code, Finding, Severity
from validator.report import BundleReport, BundleStatus, Report

__all__ = [
    "CATALOGUE",
    "BundleReport",
    "BundleStatus",
    "Code",
    "Finding",
    "Report",
    "Severity",
    "discover",
    "load_bundle",
    "validate",
]
