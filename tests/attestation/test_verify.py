"""Signature checks: a signed bundle verifies, and each way of breaking it has its own problem."""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from attestation import (
    ProblemKind,
    SignatureStatus,
    Verdict,
    pae,
    public_key_id,
    read_public_key,
    sign_bundle,
    sign_statement,
    verify_bundle,
)
from schemas import ATTESTATION_NAME
from schemas.attestation import PAYLOAD_TYPE, Envelope, Signature
from tests.attestation.fixtures import DOCKER_IMAGE, key_pair, write_signable_bundle

BUNDLE_FILES = ("MANIFEST.json", "logs/harness.jsonl", "result.json", "system.json")


@pytest.fixture
def acme(tmp_path: Path) -> tuple[Path, Ed25519PrivateKey]:
    """The public key file and private key of the submitter 'acme'."""
    pair, private_key = key_pair(tmp_path / "keys", "acme")
    return pair.public_path, private_key


@pytest.fixture
def signed(tmp_path: Path, acme: tuple[Path, Ed25519PrivateKey]) -> Path:
    """A bundle of run 'run-a', signed by acme."""
    bundle = write_signable_bundle(tmp_path / "a", run_id="run-a", container=DOCKER_IMAGE)
    sign_bundle(bundle, acme[1])
    return bundle


def kinds(check: Verdict) -> list[ProblemKind]:
    return [p.kind for p in check.problems]


def verify(bundle: Path, public_path: Path) -> Verdict:
    return verify_bundle(bundle, read_public_key(public_path))


def test_a_signed_bundle_verifies(signed: Path, acme: tuple[Path, Ed25519PrivateKey]) -> None:
    check = verify(signed, acme[0])
    assert check.status is SignatureStatus.SIGNED
    assert check.problems == ()
    assert check.statement is not None
    assert check.statement.predicate.run_id == "run-a"


@pytest.mark.parametrize("name", BUNDLE_FILES)
def test_one_changed_byte_in_any_file_is_a_subject_mismatch(
    signed: Path, acme: tuple[Path, Ed25519PrivateKey], name: str
) -> None:
    path = signed / name
    data = bytearray(path.read_bytes())
    data[-1] ^= 0x01  # the last byte: never inside result.json's run_id (that would be a replay)
    path.write_bytes(bytes(data))
    check = verify(signed, acme[0])
    assert check.status is SignatureStatus.BAD
    assert kinds(check) == [ProblemKind.SUBJECT_MISMATCH]
    assert check.problems[0].file == name


def test_an_added_or_removed_file_is_a_subject_mismatch(
    signed: Path, acme: tuple[Path, Ed25519PrivateKey]
) -> None:
    (signed / "logs" / "harness.jsonl").unlink()
    (signed / "notes.txt").write_text("added later")
    check = verify(signed, acme[0])
    assert kinds(check) == [ProblemKind.SUBJECT_MISMATCH, ProblemKind.SUBJECT_MISMATCH]
    assert sorted(f.file for f in check.problems) == ["logs/harness.jsonl", "notes.txt"]


def test_another_submitters_key_is_a_wrong_key(signed: Path, tmp_path: Path) -> None:
    other_pair, _ = key_pair(tmp_path / "other", "globex")
    check = verify(signed, other_pair.public_path)
    assert check.status is SignatureStatus.BAD
    assert kinds(check) == [ProblemKind.WRONG_KEY]
    assert check.problems[0].expected == other_pair.keyid


def test_signing_with_another_key_under_our_keyid_is_a_bad_signature(
    tmp_path: Path, acme: tuple[Path, Ed25519PrivateKey]
) -> None:
    bundle = write_signable_bundle(tmp_path / "b")
    sign_bundle(bundle, key_pair(tmp_path / "mallory", "mallory")[1])
    envelope = Envelope.model_validate_json((bundle / ATTESTATION_NAME).read_bytes())
    acme_keyid = public_key_id(read_public_key(acme[0]))
    relabelled = envelope.model_copy(
        update={"signatures": (Signature(keyid=acme_keyid, sig=envelope.signatures[0].sig),)}
    )
    (bundle / ATTESTATION_NAME).write_text(relabelled.model_dump_json())
    assert kinds(verify(bundle, acme[0])) == [ProblemKind.BAD_SIGNATURE]


def test_a_statement_changed_after_signing_is_a_bad_signature(
    signed: Path, acme: tuple[Path, Ed25519PrivateKey]
) -> None:
    path = signed / ATTESTATION_NAME
    envelope = json.loads(path.read_text())
    statement = json.loads(base64.b64decode(envelope["payload"]))
    statement["predicate"]["runtime"] = "native"
    envelope["payload"] = base64.b64encode(json.dumps(statement).encode()).decode()
    path.write_text(json.dumps(envelope))
    check = verify(signed, acme[0])
    assert check.status is SignatureStatus.BAD
    assert kinds(check) == [ProblemKind.BAD_SIGNATURE]
    assert check.statement is None  # nothing an unverified payload says is returned


def test_a_signature_replayed_on_another_bundle_is_a_replay(
    signed: Path, tmp_path: Path, acme: tuple[Path, Ed25519PrivateKey]
) -> None:
    other = write_signable_bundle(tmp_path / "b", run_id="run-b", container=DOCKER_IMAGE)
    shutil.copyfile(signed / ATTESTATION_NAME, other / ATTESTATION_NAME)
    check = verify(other, acme[0])
    assert check.status is SignatureStatus.BAD
    assert kinds(check) == [ProblemKind.REPLAY]
    assert (check.problems[0].expected, check.problems[0].found) == ("run-b", "run-a")


def test_an_unsigned_bundle_is_unsigned(
    tmp_path: Path, acme: tuple[Path, Ed25519PrivateKey]
) -> None:
    bundle = write_signable_bundle(tmp_path / "b")
    check = verify(bundle, acme[0])
    assert check.status is SignatureStatus.UNSIGNED
    assert kinds(check) == [ProblemKind.UNSIGNED]


@pytest.mark.parametrize(
    "content",
    [
        b"not json",
        b'{"payload": "e30=", "payloadType": "application/vnd.in-toto+json", "signatures": []}',
        b'{"payload": "%%%", "payloadType": "application/vnd.in-toto+json",'
        b' "signatures": [{"keyid": "", "sig": "AA=="}]}',
        b'{"payload": "e30=", "payloadType": "text/plain",'
        b' "signatures": [{"keyid": "", "sig": "AA=="}]}',
    ],
    ids=["not-json", "no-signatures", "payload-not-base64", "wrong-payload-type"],
)
def test_an_unreadable_envelope_is_malformed(
    signed: Path, acme: tuple[Path, Ed25519PrivateKey], content: bytes
) -> None:
    (signed / ATTESTATION_NAME).write_bytes(content)
    check = verify(signed, acme[0])
    assert check.status is SignatureStatus.BAD
    assert kinds(check) == [ProblemKind.MALFORMED]


def test_a_validly_signed_payload_that_is_no_statement_is_malformed(
    signed: Path, acme: tuple[Path, Ed25519PrivateKey]
) -> None:
    payload = b'{"_type": "https://in-toto.io/Statement/v1"}'
    sig = base64.b64encode(acme[1].sign(pae(PAYLOAD_TYPE, payload))).decode()
    envelope = Envelope(
        payload=base64.b64encode(payload).decode(),
        payload_type=PAYLOAD_TYPE,
        signatures=(Signature(sig=sig),),
    )
    (signed / ATTESTATION_NAME).write_text(envelope.model_dump_json())
    assert kinds(verify(signed, acme[0])) == [ProblemKind.MALFORMED]


def test_a_linked_attestation_is_malformed(
    tmp_path: Path, signed: Path, acme: tuple[Path, Ed25519PrivateKey]
) -> None:
    elsewhere = tmp_path / "elsewhere.json"
    (signed / ATTESTATION_NAME).rename(elsewhere)
    (signed / ATTESTATION_NAME).symlink_to(elsewhere)
    assert kinds(verify(signed, acme[0])) == [ProblemKind.MALFORMED]


def test_without_a_key_a_matching_signature_is_only_unverified(signed: Path) -> None:
    check = verify_bundle(signed, None)
    assert check.status is SignatureStatus.UNVERIFIED
    assert kinds(check) == [ProblemKind.NO_KEY]
    (signed / "result.json").write_text("{}")
    assert kinds(verify_bundle(signed, None)) == [ProblemKind.SUBJECT_MISMATCH]


def test_a_second_signature_by_the_registered_key_is_enough(
    tmp_path: Path, acme: tuple[Path, Ed25519PrivateKey]
) -> None:
    bundle = write_signable_bundle(tmp_path / "b")
    first = sign_bundle(bundle, key_pair(tmp_path / "ci", "ci")[1])
    ours = sign_statement(first.statement, acme[1]).signatures
    envelope = Envelope.model_validate_json((bundle / ATTESTATION_NAME).read_bytes())
    both = envelope.model_copy(update={"signatures": envelope.signatures + ours})
    (bundle / ATTESTATION_NAME).write_text(both.model_dump_json())
    assert verify(bundle, acme[0]).status is SignatureStatus.SIGNED


def by_hand_recipe() -> str:
    """The shell block of docs/ATTESTATION.md that follows its verify-by-hand marker."""
    text = (Path(__file__).resolve().parents[2] / "docs" / "ATTESTATION.md").read_text()
    after_marker = text.split("<!-- verify-by-hand:", 1)[1]
    return after_marker.split("```sh\n", 1)[1].split("\n```", 1)[0]


def run_recipe(tmp_path: Path, bundle: Path, public_path: Path) -> subprocess.CompletedProcess[str]:
    script = tmp_path / "verify-by-hand.sh"
    script.write_text(by_hand_recipe())
    command = ["sh", str(script), str(bundle), str(public_path)]
    return subprocess.run(command, capture_output=True, text=True, check=False)


@pytest.mark.skipif(
    any(shutil.which(tool) is None for tool in ("openssl", "jq", "base64", "sha256sum")),
    reason="the by-hand recipe needs openssl, jq, base64 and sha256sum",
)
def test_the_documented_by_hand_recipe_accepts_signed_and_rejects_broken_bundles(
    signed: Path, tmp_path: Path, acme: tuple[Path, Ed25519PrivateKey]
) -> None:
    good = run_recipe(tmp_path, signed, acme[0])
    if good.returncode != 0 and "rawin" in good.stderr:
        pytest.skip(f"this openssl has no -rawin for Ed25519 (needs 3.0+): {good.stderr}")
    assert good.returncode == 0, good.stdout + good.stderr
    assert "Signature Verified Successfully" in good.stdout
    other_pair, _ = key_pair(tmp_path / "other", "globex")
    assert run_recipe(tmp_path, signed, other_pair.public_path).returncode != 0
    replayed = write_signable_bundle(tmp_path / "b", run_id="run-b", container=DOCKER_IMAGE)
    shutil.copyfile(signed / ATTESTATION_NAME, replayed / ATTESTATION_NAME)
    assert run_recipe(tmp_path, replayed, acme[0]).returncode != 0
    (signed / "notes.txt").write_text("added after signing")
    assert run_recipe(tmp_path, signed, acme[0]).returncode != 0
    (signed / "notes.txt").unlink()
    with (signed / "result.json").open("ab") as handle:
        handle.write(b" ")
    tampered = run_recipe(tmp_path, signed, acme[0])
    assert tampered.returncode != 0
    assert "result.json: FAILED" in tampered.stdout
