"""The semantic checks of one bundle, run in order after the schema check passed.

Each check is a function `BundleContext -> Iterable[Finding]`; one that raises is reported as a
KP-INTERNAL finding for that check and the others still run. A new check is one more entry in
`BUNDLE_CHECKS`; the signature check joins here as ("signature", ...). In a division of published
results (historical) the checks that need samples, checks or logs step aside and plausibility
findings become notes (`validator.checks.historical`).
"""

from __future__ import annotations

from validator._context import BundleCheck
from validator.checks.collective import check_collectives
from validator.checks.correctness import check_correctness
from validator.checks.historical import (
    as_notes,
    check_outliers,
    check_published,
    measured_only,
)
from validator.checks.identity import check_identity
from validator.checks.measurement import check_measurements
from validator.checks.nodes import check_nodes
from validator.checks.plausibility import check_declared_peaks, check_plausibility
from validator.checks.rules import check_rules
from validator.checks.run import check_run
from validator.checks.time_accounting import check_time_accounting

BUNDLE_CHECKS: tuple[tuple[str, BundleCheck], ...] = (
    ("run", check_run),
    ("measurements", measured_only(check_measurements)),
    ("correctness", measured_only(check_correctness)),
    ("rules", measured_only(check_rules)),
    ("declared peaks", check_declared_peaks),
    ("plausibility", as_notes(check_plausibility)),
    ("nodes", check_nodes),
    ("identity", measured_only(check_identity)),
    ("collectives", measured_only(check_collectives)),
    ("time accounting", measured_only(check_time_accounting)),
    ("published results", check_published),
    ("outliers", check_outliers),
)

__all__ = ["BUNDLE_CHECKS"]
