"""Signs a result bundle: an in-toto Statement of its files, in a DSSE envelope, with Ed25519.

The subjects are the files MANIFEST.json lists plus MANIFEST.json itself, so one signature covers
every byte of the bundle. The bundle is checked against its manifest first: signing a bundle that
changed after the run would vouch for bytes the harness never wrote.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pydantic import BaseModel, ValidationError

from attestation._dsse import canonical_json, pae
from attestation._keys import public_key_id
from schemas import (
    ATTESTATION_NAME,
    MANIFEST_NAME,
    RESULT_NAME,
    SYSTEM_NAME,
    BundleError,
    Manifest,
    RunResult,
    SystemDescription,
    manifest_of,
    sha256_of,
)
from schemas.atomic import write_file_atomically
from schemas.attestation import (
    FINGERPRINT_FIELDS,
    PAYLOAD_TYPE,
    PREDICATE_TYPE,
    STATEMENT_TYPE,
    UNPUSHED,
    ContainerProvenance,
    DigestSet,
    Envelope,
    RunPredicate,
    Runtime,
    Signature,
    Statement,
    Subject,
)


@dataclass(frozen=True)
class SignedBundle:
    """What `sign_bundle` wrote: the envelope's path, the signing key's id, and the statement."""

    attestation_path: Path
    keyid: str
    statement: Statement


M = TypeVar("M", bound=BaseModel)


def system_fingerprint(system: SystemDescription) -> str:
    """`sha256:<hex>` of the system's probed facts: equal machines and images share it."""
    facts = system.model_dump(mode="json", include=set(FINGERPRINT_FIELDS))
    return "sha256:" + hashlib.sha256(canonical_json(facts)).hexdigest()


def _read_model(root: Path, name: str, model: type[M]) -> M:
    """One document of the bundle as its model; a missing or invalid one is a BundleError."""
    path = root / name
    try:
        return model.model_validate_json(path.read_bytes())
    except OSError as exc:
        raise BundleError(
            f"cannot read {name}: {exc.strerror}",
            where=str(path),
            fix="sign a bundle written by `kernelperf run`",
        ) from exc
    except ValidationError as exc:
        raise BundleError(
            f"{name} is not a valid {model.__name__} ({exc.error_count()} errors)",
            where=str(path),
            fix="run `kernelperf validate` on the bundle, then re-create it with `kernelperf run`",
        ) from exc


def _check_unchanged(root: Path, manifest: Manifest) -> None:
    """The files on disk are exactly those the manifest lists, byte for byte."""
    on_disk = {
        entry.path: entry.sha256
        for entry in manifest_of(root).files
        if entry.path != ATTESTATION_NAME
    }
    listed = {entry.path: entry.sha256 for entry in manifest.files}
    changed = sorted(
        path for path in on_disk.keys() | listed.keys() if on_disk.get(path) != listed.get(path)
    )
    if changed:
        more = f" and {len(changed) - 3} more" if len(changed) > 3 else ""
        shown = ", ".join(changed[:3]) + more
        raise BundleError(
            f"the bundle differs from its manifest: {shown}",
            where=str(root),
            fix="never edit a bundle after the run; re-create it with `kernelperf run`, then sign",
        )


def build_statement(root: Path) -> Statement:
    """The statement a signature of this bundle asserts: its files, its run and its system."""
    if not (root / MANIFEST_NAME).is_file():
        raise BundleError(
            f"no {MANIFEST_NAME} here: not a bundle folder",
            where=str(root),
            fix="pass the folder `kernelperf run --out` wrote (unpack a .tar.gz bundle first)",
        )
    manifest = _read_model(root, MANIFEST_NAME, Manifest)
    _check_unchanged(root, manifest)
    run = _read_model(root, RESULT_NAME, RunResult)
    system = _read_model(root, SYSTEM_NAME, SystemDescription)
    files = [(entry.path, entry.sha256) for entry in manifest.files]
    files.append((MANIFEST_NAME, sha256_of(root / MANIFEST_NAME)))
    container = system.container
    return Statement(
        statement_type=STATEMENT_TYPE,
        predicate_type=PREDICATE_TYPE,
        subject=tuple(
            Subject(name=name, digest=DigestSet(sha256=digest)) for name, digest in sorted(files)
        ),
        predicate=RunPredicate(
            run_id=run.run_id,
            harness_version=run.harness_version,
            rules_version=run.rules_version,
            runtime=Runtime(container.runtime) if container else Runtime.NATIVE,
            container=ContainerProvenance(
                image=container.image,
                image_id=container.image_id,
                repo_digest=container.repo_digest or UNPUSHED,
            )
            if container
            else None,
            system_fingerprint=system_fingerprint(system),
        ),
    )


def sign_statement(statement: Statement, private_key: Ed25519PrivateKey) -> Envelope:
    """Wraps the statement in a DSSE envelope signed over PAE(payloadType, payload)."""
    payload = canonical_json(statement.model_dump(mode="json"))
    signature = private_key.sign(pae(PAYLOAD_TYPE, payload))
    return Envelope(
        payload=base64.b64encode(payload).decode("ascii"),
        payload_type=PAYLOAD_TYPE,
        signatures=(
            Signature(
                keyid=public_key_id(private_key.public_key()),
                sig=base64.b64encode(signature).decode("ascii"),
            ),
        ),
    )


def sign_bundle(root: Path, private_key: Ed25519PrivateKey) -> SignedBundle:
    """Signs the bundle folder `root`, writing (or replacing) its attestation atomically."""
    statement = build_statement(root)
    envelope = sign_statement(statement, private_key)
    path = root / ATTESTATION_NAME
    try:
        write_file_atomically(path, envelope.model_dump_json(indent=2) + "\n")
    except OSError as exc:
        raise BundleError(
            f"cannot write the attestation: {exc.strerror}",
            where=str(path),
            fix="check permissions of the bundle folder",
        ) from exc
    return SignedBundle(path, envelope.signatures[0].keyid, statement)
