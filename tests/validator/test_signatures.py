"""The validator's side of signatures: a code per problem kind, and the round's key registry."""

from __future__ import annotations

import shutil
from pathlib import Path

from attestation import ProblemKind, SignatureStatus, read_public_key, sign_bundle, verify_bundle
from schemas import ATTESTATION_NAME
from tests.attestation.fixtures import DOCKER_IMAGE, key_pair, write_signable_bundle
from validator._findings import CATALOGUE, Code
from validator.signatures import (
    CODES,
    SignatureCheck,
    registered_key_path,
    signature_check,
    verify_registered,
)


def codes(check: SignatureCheck) -> list[Code]:
    return [f.code for f in check.findings]


def test_every_problem_kind_has_its_own_signature_code() -> None:
    assert set(CODES) == set(ProblemKind)
    assert len(set(CODES.values())) == len(CODES)
    assert all(code.value.startswith("KP-SIG-") and code in CATALOGUE for code in CODES.values())


def test_a_problem_keeps_its_file_and_values_in_the_finding(tmp_path: Path) -> None:
    bundle = write_signable_bundle(tmp_path / "a", container=DOCKER_IMAGE)
    sign_bundle(bundle, key_pair(tmp_path / "keys", "acme")[1])
    other, _ = key_pair(tmp_path / "other", "globex")
    check = signature_check(verify_bundle(bundle, read_public_key(other.public_path)))
    assert check.status is SignatureStatus.BAD
    assert codes(check) == [Code.SIG_WRONG_KEY]
    assert (check.findings[0].file, check.findings[0].expected) == (
        ATTESTATION_NAME,
        other.keyid,
    )


def test_the_round_registry_key_is_used(tmp_path: Path) -> None:
    signed = write_signable_bundle(tmp_path / "a", container=DOCKER_IMAGE)
    pair, private_key = key_pair(tmp_path / "keys", "acme")
    sign_bundle(signed, private_key)
    round_root = tmp_path / "2026.1"
    missing = verify_registered(signed, round_root, "acme")
    assert missing.status is SignatureStatus.UNVERIFIED
    assert codes(missing) == [Code.SIG_NO_KEY]
    assert missing.findings[0].file == "keys/acme.pub"
    key_file = registered_key_path(round_root, "acme")
    assert key_file == round_root / "keys" / "acme.pub"
    key_file.parent.mkdir(parents=True)
    key_file.write_text("not a key")
    invalid = verify_registered(signed, round_root, "acme")
    assert invalid.status is SignatureStatus.UNVERIFIED
    assert codes(invalid) == [Code.SIG_KEY_INVALID]
    assert invalid.findings[0].file == "keys/acme.pub"
    shutil.copyfile(pair.public_path, key_file)
    assert verify_registered(signed, round_root, "acme").status is SignatureStatus.SIGNED
