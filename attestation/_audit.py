"""Signs and verifies an audit bundle: its manifest's digest in a DSSE envelope, Ed25519.

An audit is not a run, so it gets its own payload type rather than the run statement: the
signature covers MANIFEST.json, which covers every other file (audit.json, system.json). The
envelope lies where a result bundle's does (attestation.dsse.json).
"""

from __future__ import annotations

import base64
import binascii
import json
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from attestation._dsse import canonical_json, pae
from attestation._keys import public_key_id
from schemas import ATTESTATION_NAME, AUDIT_NAME, MANIFEST_NAME, BundleError, sha256_of
from schemas.atomic import write_file_atomically

AUDIT_PAYLOAD_TYPE = "application/vnd.kernelperf.audit+json"


def _payload(root: Path) -> bytes:
    """What the auditor vouches for: the audit's id and the manifest's digest."""
    audit = json.loads((root / AUDIT_NAME).read_bytes())
    manifest = sha256_of(root / MANIFEST_NAME)
    return canonical_json({"audit_id": audit.get("audit_id"), "manifest_sha256": manifest})


def sign_audit(root: Path, private_key: Ed25519PrivateKey) -> str:
    """Signs the audit bundle `root`; returns the signing key's id."""
    try:
        payload = _payload(root)
    except (OSError, ValueError) as exc:
        raise BundleError(
            f"cannot read the audit to sign: {exc}",
            where=str(root),
            fix="sign the folder `kernelperf audit --out` wrote",
        ) from exc
    keyid = public_key_id(private_key.public_key())
    signature = private_key.sign(pae(AUDIT_PAYLOAD_TYPE, payload))
    # A DSSE envelope in its plain JSON form: `schemas.attestation.Envelope` admits only the
    # in-toto payload type of a run.
    envelope = {
        "payload": base64.b64encode(payload).decode("ascii"),
        "payloadType": AUDIT_PAYLOAD_TYPE,
        "signatures": [{"keyid": keyid, "sig": base64.b64encode(signature).decode("ascii")}],
    }
    write_file_atomically(root / ATTESTATION_NAME, json.dumps(envelope, indent=2) + "\n")
    return keyid


def audit_signed_by(root: Path, public_keys: list[Ed25519PublicKey]) -> str | None:
    """The id of the key among `public_keys` that signed this audit as it is now, or None."""
    try:
        envelope = json.loads((root / ATTESTATION_NAME).read_bytes())
        payload = base64.b64decode(envelope["payload"], validate=True)
        signatures = [base64.b64decode(s["sig"], validate=True) for s in envelope["signatures"]]
        expected = _payload(root)
    except (OSError, ValueError, KeyError, TypeError, binascii.Error):
        return None
    if envelope.get("payloadType") != AUDIT_PAYLOAD_TYPE or payload != expected:
        return None
    message = pae(AUDIT_PAYLOAD_TYPE, payload)
    for key in public_keys:
        for signature in signatures:
            try:
                key.verify(signature, message)
            except InvalidSignature:
                continue
            return public_key_id(key)
    return None
