"""Audits of fresh bundles: an honest one holds up, each forged kind is caught (issue 13)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest

import harness.audit
from harness.probe import describe_system
from schemas import Audit, AuditVerdict, DType, KernelResult, ResultKey, UsageError, draw_sample
from tests.harness.audit.bundles import MID_IDS, make_bundle
from tests.harness.audit.forgeries import forge, keep_fastest, relabelled, scaled
from tests.harness.audit.quiet import Quiet

TOLERANCE = 0.2
FAILING = {AuditVerdict.SLOWER, AuditVerdict.NOT_REPRODUCED}


@pytest.fixture(scope="module")
def fp32_bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_bundle(tmp_path_factory.mktemp("fp32"), DType.FP32)


@pytest.fixture(scope="module")
def bf16_bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_bundle(tmp_path_factory.mktemp("bf16"), DType.BF16)


def audit_of(
    bundle: Path, out: Path, remeasure: harness.audit.Remeasure = harness.audit.fresh_process
) -> Audit:
    target = harness.audit.read_target(bundle)
    audit = harness.audit.start_audit(
        target, sample_size=10, seed=13, tolerance=TOLERANCE, runtime="native"
    )
    auditor = describe_system(system_id="auditor-box", submitter="reviewers")
    return harness.audit.run_audit(audit, target, out, auditor, remeasure, Quiet())


def test_an_honest_fresh_bundle_audits_consistent(fp32_bundle: Path, tmp_path: Path) -> None:
    audit = audit_of(fp32_bundle, tmp_path / "audit")
    failed = [
        f"{r.key.label}: {r.verdict.value} ({r.ratio})"
        for r in audit.results
        if r.verdict in FAILING
    ]
    assert audit.complete and audit.passed, failed
    assert (tmp_path / "audit" / "audit.json").is_file()


@pytest.mark.parametrize(
    ("change", "source"),
    [(keep_fastest, "fp32"), (scaled, "fp32"), (relabelled, "bf16")],
    ids=["five-fastest-kept", "samples-times-0.7", "bf16-labelled-fp32"],
)
def test_each_forged_kind_is_caught(
    change: Callable[[KernelResult], KernelResult],
    source: str,
    request: pytest.FixtureRequest,
    tmp_path: Path,
) -> None:
    forged = forge(request.getfixturevalue(f"{source}_bundle"), tmp_path / "forged", change)
    audit = audit_of(forged, tmp_path / "audit")
    assert audit.complete and not audit.passed
    assert any(r.verdict in FAILING for r in audit.results)


def test_an_interrupted_audit_resumes_where_it_stopped(fp32_bundle: Path, tmp_path: Path) -> None:
    def stops_after_two(drawn: Sequence[harness.audit.Drawn]) -> Iterator[harness.audit.Remeasured]:
        for count, done in enumerate(harness.audit.fresh_process(drawn)):
            if count == 2:
                raise KeyboardInterrupt
            yield done

    out = tmp_path / "audit"
    with pytest.raises(KeyboardInterrupt):
        audit_of(fp32_bundle, out, stops_after_two)
    partial, auditor = harness.audit.read_audit(out)
    assert not partial.complete and len(partial.results) == 2
    target = harness.audit.read_target(Path(partial.target))
    done = harness.audit.run_audit(
        partial, target, out, auditor, harness.audit.fresh_process, Quiet()
    )
    assert done.complete and [r.key for r in done.results] == list(done.selected)
    assert done.audit_id == partial.audit_id


def test_a_sample_of_nothing_is_a_usage_error(fp32_bundle: Path) -> None:
    target = harness.audit.read_target(fp32_bundle)
    with pytest.raises(UsageError, match="draws nothing"):
        harness.audit.start_audit(target, sample_size=0, seed=1, tolerance=0.1, runtime="native")


def test_an_unknown_bundle_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no such bundle"):
        harness.audit.read_target(tmp_path / "missing")


def test_a_result_judged_slower_meets_a_fast_process_before_it_is_called_slower(
    fp32_bundle: Path, tmp_path: Path
) -> None:
    """Processes can be bimodal (gemm/train/129 ran 1.3x slower in 9 of 12 here): a result
    whose first rounds all land in the slow mode is re-measured until one reaches its time."""
    target = harness.audit.read_target(fp32_bundle)
    keys = list(target.results())
    seed = next(s for s in range(100) if draw_sample(keys, 1, s)[0].problem_id in MID_IDS)
    audit = harness.audit.start_audit(
        target, sample_size=1, seed=seed, tolerance=TOLERANCE, runtime="native"
    )
    slow_rounds = 5

    def bimodal(drawn: Sequence[harness.audit.Drawn]) -> Iterator[harness.audit.Remeasured]:
        for done in harness.audit.fresh_process(drawn):
            rounds_so_far = len(rounds.get(done.key, []))
            factor = 1.5 if rounds_so_far < slow_rounds else 1.0
            slowed = tuple(int(s * factor) for s in done.samples_ns)
            rounds.setdefault(done.key, []).append(slowed)
            yield done.model_copy(update={"samples_ns": slowed})

    rounds: dict[ResultKey, list[tuple[int, ...]]] = {}
    auditor = describe_system(system_id="auditor-box", submitter="reviewers")
    done = harness.audit.run_audit(audit, target, tmp_path / "audit", auditor, bimodal, Quiet())
    (result,) = done.results
    assert len(result.audit_rounds_ns) == slow_rounds + 1
    assert result.verdict is AuditVerdict.CONSISTENT
