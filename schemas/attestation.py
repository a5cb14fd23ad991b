"""The signed provenance of a bundle: an in-toto Statement (v1) in a DSSE envelope, and its PAE.

The envelope lives in the bundle as `attestation.dsse.json` (`schemas.bundle_files`), beside
MANIFEST.json and not listed in it: it signs the manifest (and every file the manifest lists), so
it cannot be one of them. Keys, signing and checking live in the `attestation` package; this
module is the format it writes and reads, so a third party can check a bundle from the exported
JSON Schema alone.

Formats followed: in-toto Attestation Framework, Statement v1
(https://github.com/in-toto/attestation/blob/main/spec/v1/statement.md) and DSSE v1.0
(https://github.com/secure-systems-lab/dsse/blob/master/envelope.md, protocol.md).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final, Literal

from pydantic import BaseModel, ConfigDict, Field

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
