"""Key pairs and signing: what a signature covers, and that keys never leak or get overwritten."""

from __future__ import annotations

import base64
import hashlib
import json
import stat
from pathlib import Path

import jsonschema
import pytest
from cryptography.hazmat.primitives import serialization
from hypothesis import given
from hypothesis import strategies as st

from attestation import (
    build_statement,
    generate_key_pair,
    load_private_key,
    pae,
    readable_by_others,
    sign_bundle,
    system_fingerprint,
)
from schemas import ATTESTATION_NAME, MANIFEST_NAME, BundleError, UsageError, sha256_of
from schemas.attestation import PAYLOAD_TYPE, UNPUSHED, Envelope, Runtime, Statement
from schemas.export import schema_path
from tests.attestation.fixtures import (
    DOCKER_IMAGE,
    key_pair,
    system,
    write_signable_bundle,
)


def test_generated_private_key_is_0600_and_public_key_is_pem(tmp_path: Path) -> None:
    pair = generate_key_pair(tmp_path / "keys", "acme")
    assert stat.S_IMODE(pair.private_path.stat().st_mode) == 0o600
    assert not readable_by_others(pair.private_path)
    assert pair.private_path.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    public_pem = pair.public_path.read_bytes()
    assert public_pem.startswith(b"-----BEGIN PUBLIC KEY-----")
    der = serialization.load_pem_public_key(public_pem).public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    assert pair.keyid == hashlib.sha256(der).hexdigest()
    assert sorted(p.name for p in pair.private_path.parent.iterdir()) == ["acme.key", "acme.pub"]


def test_an_existing_key_is_never_overwritten(tmp_path: Path) -> None:
    pair = generate_key_pair(tmp_path, "acme")
    before = pair.private_path.read_bytes()
    with pytest.raises(UsageError, match="already exists"):
        generate_key_pair(tmp_path, "acme")
    assert pair.private_path.read_bytes() == before


@pytest.mark.parametrize("name", ["", "../evil", "a/b", ".hidden", "x" * 65])
def test_key_names_that_are_not_plain_file_stems_are_refused(tmp_path: Path, name: str) -> None:
    with pytest.raises(UsageError, match="invalid key name"):
        generate_key_pair(tmp_path, name)


def test_loading_a_public_key_as_private_fails_without_quoting_it(tmp_path: Path) -> None:
    pair = generate_key_pair(tmp_path, "acme")
    with pytest.raises(UsageError) as caught:
        load_private_key(pair.public_path)
    body = pair.public_path.read_text().splitlines()[1]
    assert body not in str(caught.value)
    assert caught.value.__cause__ is None


def test_pae_matches_the_dsse_specification_example() -> None:
    # The worked example of DSSE protocol.md.
    encoded = pae("http://example.com/HelloWorld", b"hello world")
    assert encoded == b"DSSEv1 29 http://example.com/HelloWorld 11 hello world"


@given(st.text(max_size=40), st.binary(max_size=200))
def test_pae_can_be_split_back_into_type_and_payload(payload_type: str, payload: bytes) -> None:
    encoded = pae(payload_type, payload)
    prefix, type_length, rest = encoded.split(b" ", 2)
    assert prefix == b"DSSEv1"
    type_bytes, rest = rest[: int(type_length)], rest[int(type_length) + 1 :]
    payload_length, body = rest.split(b" ", 1)
    assert type_bytes.decode("utf-8") == payload_type
    assert (int(payload_length), body) == (len(payload), payload)


def test_statement_subjects_are_every_file_and_the_manifest(tmp_path: Path) -> None:
    bundle = write_signable_bundle(tmp_path / "b", run_id="run-42")
    statement = build_statement(bundle)
    names = [subject.name for subject in statement.subject]
    assert names == sorted([MANIFEST_NAME, "logs/harness.jsonl", "result.json", "system.json"])
    for subject in statement.subject:
        assert subject.digest.sha256 == sha256_of(bundle / subject.name)
    predicate = statement.predicate
    assert (predicate.run_id, predicate.harness_version, predicate.rules_version) == (
        "run-42",
        "0.1.0",
        "2026.1",
    )
    assert predicate.runtime is Runtime.NATIVE
    assert predicate.container is None
    assert predicate.system_fingerprint == system_fingerprint(system())


def test_a_container_run_records_image_id_and_unpushed_digest(tmp_path: Path) -> None:
    bundle = write_signable_bundle(tmp_path / "b", container=DOCKER_IMAGE)
    predicate = build_statement(bundle).predicate
    assert predicate.runtime is Runtime.DOCKER
    assert predicate.container is not None
    assert predicate.container.image_id == DOCKER_IMAGE.image_id
    assert predicate.container.repo_digest == UNPUSHED


def test_fingerprint_covers_probed_facts_but_not_declared_identity() -> None:
    base = system_fingerprint(system())
    assert system_fingerprint(system(system_id="other", submitter="Other Org")) == base
    changed_host = system().host.model_copy(update={"cores": 4})
    assert system_fingerprint(system(host=changed_host)) != base
    assert system_fingerprint(system(DOCKER_IMAGE)) != base


def test_signature_covers_the_pae_of_the_statement(tmp_path: Path) -> None:
    bundle = write_signable_bundle(tmp_path / "b")
    pair, private_key = key_pair(tmp_path / "keys", "acme")
    signed = sign_bundle(bundle, private_key)
    assert signed.attestation_path == bundle / ATTESTATION_NAME
    envelope = Envelope.model_validate_json(signed.attestation_path.read_bytes())
    assert envelope.payload_type == PAYLOAD_TYPE
    assert [s.keyid for s in envelope.signatures] == [pair.keyid]
    payload = base64.b64decode(envelope.payload)
    assert Statement.model_validate_json(payload) == signed.statement
    signature = base64.b64decode(envelope.signatures[0].sig)
    private_key.public_key().verify(signature, pae(PAYLOAD_TYPE, payload))  # raises if wrong


def test_envelope_uses_the_dsse_and_in_toto_field_names(tmp_path: Path) -> None:
    bundle = write_signable_bundle(tmp_path / "b")
    sign_bundle(bundle, key_pair(tmp_path / "keys", "acme")[1])
    envelope = json.loads((bundle / ATTESTATION_NAME).read_text())
    assert sorted(envelope) == ["payload", "payloadType", "signatures"]
    statement = json.loads(base64.b64decode(envelope["payload"]))
    assert sorted(statement) == ["_type", "predicate", "predicateType", "subject"]
    assert statement["_type"] == "https://in-toto.io/Statement/v1"


def test_envelope_and_statement_pass_their_exported_json_schemas(tmp_path: Path) -> None:
    bundle = write_signable_bundle(tmp_path / "b", container=DOCKER_IMAGE)
    sign_bundle(bundle, key_pair(tmp_path / "keys", "acme")[1])
    envelope = json.loads((bundle / ATTESTATION_NAME).read_text())
    statement = json.loads(base64.b64decode(envelope["payload"]))
    for name, document in (("attestation", envelope), ("statement", statement)):
        schema = json.loads(schema_path(name).read_text())
        jsonschema.Draft202012Validator(schema).validate(document)
    del statement["predicateType"]
    with pytest.raises(jsonschema.ValidationError, match="predicateType"):
        jsonschema.validate(statement, json.loads(schema_path("statement").read_text()))


def test_signing_again_replaces_the_attestation(tmp_path: Path) -> None:
    bundle = write_signable_bundle(tmp_path / "b")
    sign_bundle(bundle, key_pair(tmp_path / "k1", "first")[1])
    second = sign_bundle(bundle, key_pair(tmp_path / "k2", "second")[1])
    envelope = Envelope.model_validate_json((bundle / ATTESTATION_NAME).read_bytes())
    assert [s.keyid for s in envelope.signatures] == [second.keyid]
    assert sorted(p.name for p in bundle.iterdir()) == sorted(
        [ATTESTATION_NAME, MANIFEST_NAME, "logs", "result.json", "system.json"]
    )


@pytest.mark.parametrize("change", ["edit", "add"])
def test_a_bundle_that_differs_from_its_manifest_is_not_signed(tmp_path: Path, change: str) -> None:
    bundle = write_signable_bundle(tmp_path / "b")
    if change == "edit":
        with (bundle / "result.json").open("ab") as handle:
            handle.write(b" ")
    else:
        (bundle / "extra.txt").write_text("planted")
    with pytest.raises(BundleError, match="differs from its manifest"):
        sign_bundle(bundle, key_pair(tmp_path / "keys", "acme")[1])
    assert not (bundle / ATTESTATION_NAME).exists()


def test_a_folder_without_a_manifest_is_not_a_bundle(tmp_path: Path) -> None:
    with pytest.raises(BundleError, match="not a bundle folder"):
        sign_bundle(tmp_path, key_pair(tmp_path / "keys", "acme")[1])
