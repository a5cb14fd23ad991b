"""Applies the division's signature policy to the signature findings of one bundle.

Closed submissions must be signed with the submitter's key registered in `<round>/keys/`: every
KP-SIG-* finding is an error. Where the rules do not require a signature (open division, loose
bundles) a missing signature or key is only a note or warning, but a signature that is present
and wrong is always an error: it means the bundle changed after someone vouched for it.
"""

from __future__ import annotations

from pathlib import Path

from attestation import verify_bundle
from schemas import Division, RunResult
from validator._findings import Code, Finding, Severity
from validator._layout import Location
from validator.rules import RulesNotFoundError, load_rules
from validator.signatures import SignatureCheck, signature_check, verify_registered

# Where a signature is optional its absence is no finding (the report's status says
# "unsigned"); a signature nobody can check is a warning.
_OPTIONAL = {Code.SIG_NO_KEY: Severity.WARNING}


def signatures_required(location: Location | None, run: RunResult | None) -> bool:
    """The rules of the run's version decide; a closed bundle whose rules are unknown must sign."""
    if location is None:
        return False
    division = Division(location.division)
    if run is not None:
        try:
            return load_rules(run.rules_version).divisions[division].signatures_required
        except (RulesNotFoundError, KeyError):
            pass
    return division is Division.CLOSED


def check_signature(
    root: Path, location: Location | None, run: RunResult | None
) -> tuple[str, list[Finding]]:
    """The bundle's signature status and its findings under the division's policy."""
    check: SignatureCheck = (
        verify_registered(root, location.round_root, location.submitter)
        if location is not None
        else signature_check(verify_bundle(root, None))
    )
    findings = list(check.findings)
    if not signatures_required(location, run):
        findings = [
            f.model_copy(update={"severity": _OPTIONAL[f.code]}) if f.code in _OPTIONAL else f
            for f in findings
            if f.code is not Code.SIG_UNSIGNED
        ]
    return check.status.value, findings
