"""The validator's answer: per-bundle status with findings, round-level findings, and counts.

The parsed `RunResult` and `SystemDescription`, and the counted audits, ride along for callers
such as the leaderboard but are left out of the JSON report, which stays small enough to read.
"""

from __future__ import annotations

from collections import Counter
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, computed_field

from schemas import Audit, RunResult, SystemDescription
from validator._findings import Finding, Severity


class BundleStatus(StrEnum):
    """A bundle is valid when no error-severity finding concerns it."""

    VALID = "valid"
    INVALID = "invalid"


class BundleReport(BaseModel):
    """One bundle: where it is, its status and findings, and its parsed documents."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    path: str = Field(description="Bundle folder or archive, relative to the validated path.")
    status: BundleStatus = Field(description="valid or invalid.")
    findings: tuple[Finding, ...] = Field(description="Every finding about this bundle.")
    round: str | None = Field(default=None, description="Round, from the submission layout.")
    division: str | None = Field(default=None, description="Division, from the layout.")
    submitter: str | None = Field(default=None, description="Submitter, from the layout.")
    system_id: str | None = Field(default=None, description="System id, from the layout.")
    result_sha256: str | None = Field(default=None, description="sha256 of result.json.")
    signature: str | None = Field(
        default=None, description="signed, unsigned or bad, once signatures are checked."
    )
    run: RunResult | None = Field(default=None, exclude=True, description="Parsed result.json.")
    system: SystemDescription | None = Field(
        default=None, exclude=True, description="Parsed system.json."
    )

    @property
    def valid(self) -> bool:
        """No error-severity finding."""
        return self.status is BundleStatus.VALID


def status_of(findings: tuple[Finding, ...]) -> BundleStatus:
    """Invalid as soon as one finding is an error."""
    has_error = any(f.severity is Severity.ERROR for f in findings)
    return BundleStatus.INVALID if has_error else BundleStatus.VALID


class Report(BaseModel):
    """Everything `kernelperf validate` found under one path."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    root: str = Field(description="The validated path.")
    bundles: tuple[BundleReport, ...] = Field(description="Every bundle found, in path order.")
    findings: tuple[Finding, ...] = Field(
        default=(), description="Findings about the round, not about one bundle."
    )
    audits: dict[str, str] = Field(
        default_factory=dict,
        description="Each audited system ('division/submitter/system_id'): passed or failed.",
    )
    audited_bundles: dict[str, Audit] = Field(
        default_factory=dict,
        exclude=True,
        description="The counted audit of each bundle it drew from, by bundle path.",
    )

    def all_findings(self) -> list[Finding]:
        """Round-level findings, then each bundle's, in order."""
        return [*self.findings, *(f for b in self.bundles for f in b.findings)]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def ok(self) -> bool:
        """No error anywhere: the exit code is 0."""
        return not any(f.severity is Severity.ERROR for f in self.all_findings())

    @computed_field  # type: ignore[prop-decorator]
    @property
    def counts(self) -> dict[str, int]:
        """Bundles valid and invalid, and findings per severity."""
        severities = Counter(f.severity.value for f in self.all_findings())
        valid = sum(b.valid for b in self.bundles)
        return {
            "bundles": len(self.bundles),
            "valid": valid,
            "invalid": len(self.bundles) - valid,
            **{s.value: severities.get(s.value, 0) for s in Severity},
        }

    @computed_field  # type: ignore[prop-decorator]
    @property
    def codes(self) -> dict[str, int]:
        """How often each finding code occurs."""
        return dict(sorted(Counter(f.code.value for f in self.all_findings()).items()))

    def valid_bundles(self) -> list[BundleReport]:
        """The bundles a leaderboard may score: valid, with their parsed documents."""
        return [b for b in self.bundles if b.valid and b.run is not None and b.system is not None]
