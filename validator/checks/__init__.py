"""The semantic checks of one bundle, run in order after the schema check passed.

Each check is a function `BundleContext -> Iterable[Finding]`; one that raises is reported as a
KP-INTERNAL finding for that check and the others still run. A new check is one more entry in
`BUNDLE_CHECKS`; the signature check joins here as ("signature", ...).
"""

from __future__ import annotations

from validator._context import BundleCheck
from validator.checks.correctness import check_correctness
from validator.checks.measurement import check_measurements
from validator.checks.nodes import check_nodes
from validator.checks.plausibility import check_declared_peaks, check_plausibility
from validator.checks.rules import check_rules
from validator.checks.run import check_run

BUNDLE_CHECKS: tuple[tuple[str, BundleCheck], ...] = (
    ("run", check_run),
    ("measurements", check_measurements),
    ("correctness", check_correctness),
    ("rules", check_rules),
    ("declared peaks", check_declared_peaks),
    ("plausibility", check_plausibility),
    ("nodes", check_nodes),
)

__all__ = ["BUNDLE_CHECKS"]
