"""The validator reads audits: signed by a registered auditor, re-judged, striking what failed."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import attestation
import harness.audit
from harness.probe import describe_system
from schemas import (
    ATTESTATION_NAME,
    AUDIT_NAME,
    MANIFEST_NAME,
    SYSTEM_NAME,
    DType,
    Manifest,
    manifest_of,
)
from tests.harness.audit.bundles import make_bundle
from tests.harness.audit.forgeries import forge, scaled
from tests.harness.audit.quiet import Quiet
from validator import Code, validate

SYSTEM = "audited-box"


def place(bundle: Path, round_root: Path) -> Path:
    """The bundle as acme's open submission of round 2026.1."""
    submitter = round_root / "open" / "acme"
    target = submitter / "results" / SYSTEM / "gemm" / "run1"
    shutil.copytree(bundle, target)
    (submitter / "systems").mkdir(parents=True)
    shutil.copy(bundle / SYSTEM_NAME, submitter / "systems" / f"{SYSTEM}.json")
    (submitter / "code").mkdir()
    (submitter / "code" / "README.md").write_text("# Open\n\n## Changes\nnone\n\n## Why\n-\n")
    return target


def audited(round_root: Path, bundle: Path, keys: Path) -> Path:
    """Audits the placed bundle into the round and signs it as a registered auditor."""
    out = round_root / "audits" / "acme" / SYSTEM
    target = harness.audit.read_target(bundle.parent.parent)
    audit = harness.audit.start_audit(
        target, sample_size=10, seed=3, tolerance=0.2, runtime="native"
    )
    auditor = describe_system(system_id="auditor-box", submitter="reviewers")
    harness.audit.run_audit(audit, target, out, auditor, harness.audit.fresh_process, Quiet())
    pair = attestation.generate_key_pair(keys, "reviewer")
    registry = round_root / "keys" / "auditors"
    registry.mkdir(parents=True, exist_ok=True)
    shutil.copy(pair.public_path, registry / "reviewer.pub")
    attestation.sign_audit(out, attestation.load_private_key(pair.private_path))
    return out


@pytest.fixture(scope="module")
def honest_round(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("honest") / "2026.1"
    bundle = place(make_bundle(tmp_path_factory.mktemp("run"), DType.FP32), root)
    audited(root, bundle, tmp_path_factory.mktemp("keys"))
    return root


def codes(root: Path) -> set[Code]:
    return {f.code for f in validate(root, jobs=1, cache_dir=None).all_findings()}


def test_a_signed_passing_audit_is_read(honest_round: Path) -> None:
    report = validate(honest_round, jobs=1, cache_dir=None)
    assert report.audits == {f"open/acme/{SYSTEM}": "passed"}
    assert not {c for c in codes(honest_round) if c.value.startswith("KP-AUDIT")}


def test_an_unregistered_signature_is_refused(honest_round: Path, tmp_path: Path) -> None:
    copy = tmp_path / "2026.1"
    shutil.copytree(honest_round, copy)
    shutil.rmtree(copy / "keys" / "auditors")
    assert Code.AUDIT_SIGNATURE in codes(copy)


def test_a_verdict_its_samples_do_not_give_is_invalid(honest_round: Path, tmp_path: Path) -> None:
    copy = tmp_path / "2026.1"
    shutil.copytree(honest_round, copy)
    folder = copy / "audits" / "acme" / SYSTEM
    document = json.loads((folder / AUDIT_NAME).read_text())
    document["results"][0]["ratio"] *= 0.5
    (folder / AUDIT_NAME).write_text(json.dumps(document))
    files = tuple(e for e in manifest_of(folder).files if e.path != ATTESTATION_NAME)
    (folder / MANIFEST_NAME).write_text(Manifest(files=files).model_dump_json())
    assert Code.AUDIT_SIGNATURE in codes(copy)  # the auditor never signed this one
    keys = tmp_path / "keys"
    keys.mkdir()
    pair = attestation.generate_key_pair(keys, "other")
    shutil.copy(pair.public_path, copy / "keys" / "auditors" / "other.pub")
    attestation.sign_audit(folder, attestation.load_private_key(pair.private_path))
    assert Code.AUDIT_INVALID in codes(copy)


def test_a_failed_audit_strikes_the_audited_bundles(tmp_path: Path) -> None:
    root = tmp_path / "2026.1"
    honest = make_bundle(tmp_path / "run", DType.FP32)
    bundle = place(forge(honest, tmp_path / "forged", scaled), root)
    audited(root, bundle, tmp_path / "keys")
    report = validate(root, jobs=1, cache_dir=None)
    assert report.audits == {f"open/acme/{SYSTEM}": "failed"}
    (placed,) = report.bundles
    assert not placed.valid and Code.AUDIT_SLOWER in {f.code for f in placed.findings}
