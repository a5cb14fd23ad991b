"""The checked-in reference round (submissions/2026.1, made by the real harness) validates clean."""

from __future__ import annotations

from pathlib import Path

from validator import Severity, validate

ROUND = Path(__file__).resolve().parents[2] / "submissions" / "2026.1"


def test_reference_round_validates_clean() -> None:
    report = validate(ROUND, jobs=1, cache_dir=None)
    errors = [f for f in report.all_findings() if f.severity is Severity.ERROR]
    assert errors == []
    assert report.ok
    divisions = sorted({b.division for b in report.bundles if b.division})
    assert divisions == ["closed", "open"]
    assert all(b.valid and b.signature == "signed" for b in report.bundles)
    closed_suites = sorted(
        b.run.suite.value for b in report.bundles if b.division == "closed" and b.run
    )
    assert closed_suites == ["conv", "gemm", "rnn"]
