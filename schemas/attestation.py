"""The signed provenance of a bundle: an in-toto Statement (v1) in a DSSE envelope, and its PAE.

The envelope lives in the bundle as `attestation.dsse.json`, beside MANIFEST.json and not listed
in it: it signs the manifest (and every file the manifest lists), so it cannot be one of them.
Signing and checking live in harness/signing.py and validator/signatures.py; this module is the
format both read, so a third party can check a bundle from the exported JSON Schema alone.

Formats followed: in-toto Attestation Framework, Statement v1
(https://github.com/in-toto/attestation/blob/main/spec/v1/statement.md) and DSSE v1.0
(https://github.com/secure-systems-lab/dsse/blob/master/envelope.md, protocol.md).
"""

from __future__ import annotations

import hashlib
import json
from enum import StrEnum
from typing import Final, Literal

from pydantic import BaseModel, ConfigDict, Field

from schemas.system import SystemDescription

ATTESTATION_NAME = "attestation.dsse.json"
STATEMENT_TYPE: Final = "https://in-toto.io/Statement/v1"
PAYLOAD_TYPE: Final = "application/vnd.in-toto+json"
PREDICATE_TYPE: Final = "https://kernelperf.org/attestation/run/v1"
UNPUSHED = "unpushed"
# The parts of system.json that the harness probes: what the machine and its software are.
# Identity (system_id, submitter, status) is declared, so it stays out of the fingerprint.
FINGERPRINT_FIELDS = ("host", "accelerators", "software", "container")

FROZEN = ConfigDict(frozen=True, extra="forbid")


class Runtime(StrEnum):
    """How the harness was started: on the host, or in one of the supported container runtimes."""

    NATIVE = "native"
    DOCKER = "docker"
    APPTAINER = "apptainer"
    PYXIS = "pyxis"


class DigestSet(BaseModel):
    """Digests of one subject; KernelPerf writes and accepts sha256 only."""

    model_config = FROZEN
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="Hex sha256 of the file.")


class Subject(BaseModel):
    """One signed file of the bundle."""

    model_config = FROZEN
    name: str = Field(min_length=1, description="Path relative to the bundle root, '/'-separated.")
    digest: DigestSet = Field(description="Digest of the file's bytes.")


class ContainerProvenance(BaseModel):
    """The image a containerised run came from."""

    model_config = FROZEN
    image: str = Field(description="Image name and tag.")
    image_id: str = Field(description="Image ID (sha256 of its config).")
    repo_digest: str = Field(
        description="Registry digest, or 'unpushed' for an image never pushed to a registry."
    )


class RunPredicate(BaseModel):
    """What KernelPerf asserts about the run that produced the subjects."""

    model_config = FROZEN
    run_id: str = Field(
        min_length=1, description="run_id of result.json; ties the signature to it."
    )
    harness_version: str = Field(description="Version of KernelPerf that ran.")
    rules_version: str = Field(description="Version of the rules the run was made under.")
    runtime: Runtime = Field(description="How the harness was started.")
    container: ContainerProvenance | None = Field(
        description="The image, for a containerised run; null for a native one."
    )
    system_fingerprint: str = Field(
        pattern=r"^sha256:[0-9a-f]{64}$",
        description="sha256 of the canonical JSON of system.json's probed facts "
        "(host, accelerators, software, container).",
    )


class Statement(BaseModel):
    """An in-toto Statement v1: these files, with these digests, came from this run."""

    # Aliases keep the specs' spelling; spelled out here so mypy's pydantic plugin sees it.
    model_config = ConfigDict(
        frozen=True, extra="forbid", populate_by_name=True, serialize_by_alias=True
    )
    statement_type: Literal["https://in-toto.io/Statement/v1"] = Field(
        alias="_type", description="The in-toto Statement version."
    )
    subject: tuple[Subject, ...] = Field(
        min_length=1, description="Every file of the bundle, MANIFEST.json included, by name."
    )
    predicate_type: Literal["https://kernelperf.org/attestation/run/v1"] = Field(
        alias="predicateType", description="The predicate's format."
    )
    predicate: RunPredicate = Field(description="The run's provenance.")


class Signature(BaseModel):
    """One signature of a DSSE envelope."""

    model_config = FROZEN
    keyid: str = Field(
        default="", description="Hint: hex sha256 of the signer's public key (DER SPKI)."
    )
    sig: str = Field(
        min_length=1, description="Base64 Ed25519 signature of PAE(payloadType, payload)."
    )


class Envelope(BaseModel):
    """A DSSE envelope: the document `attestation.dsse.json` of a signed bundle."""

    # Aliases keep the specs' spelling; spelled out here so mypy's pydantic plugin sees it.
    model_config = ConfigDict(
        frozen=True, extra="forbid", populate_by_name=True, serialize_by_alias=True
    )
    payload: str = Field(min_length=1, description="Base64 of the Statement's JSON bytes.")
    payload_type: Literal["application/vnd.in-toto+json"] = Field(
        alias="payloadType", description="Media type of the payload."
    )
    signatures: tuple[Signature, ...] = Field(min_length=1, description="One or more signatures.")


def pae(payload_type: str, payload: bytes) -> bytes:
    """DSSE's pre-authentication encoding: the exact bytes a signature covers.

    `DSSEv1 SP LEN(type) SP type SP LEN(body) SP body`, lengths as ASCII decimal byte counts, so a
    signature can never be moved to a payload of another type.
    """
    type_bytes = payload_type.encode("utf-8")
    return b"DSSEv1 %d %b %d %b" % (len(type_bytes), type_bytes, len(payload), payload)


def key_id(public_key_der: bytes) -> str:
    """The keyid of a public key: hex sha256 of its DER SubjectPublicKeyInfo.

    By hand: `openssl pkey -pubin -in KEY.pub -outform DER | sha256sum`.
    """
    return hashlib.sha256(public_key_der).hexdigest()


def canonical_json(value: object) -> bytes:
    """Sorted keys, no whitespace, UTF-8: the same value always gives the same bytes."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.encode("utf-8")


def system_fingerprint(system: SystemDescription) -> str:
    """`sha256:<hex>` of the system's probed facts: equal machines and images share it."""
    facts = system.model_dump(mode="json", include=set(FINGERPRINT_FIELDS))
    return "sha256:" + hashlib.sha256(canonical_json(facts)).hexdigest()
