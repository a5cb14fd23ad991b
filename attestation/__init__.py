"""Attestation of result bundles: Ed25519 keys and key ids, signing and verifying, in one place.

Both sides need it: the vendor signs what the harness wrote (`kernelperf sign`), the reviewer
verifies it (`kernelperf verify`, and the validator's round checks). It sits beside them, not in
either, because harness and validator never import each other; it imports only `schemas` (whose
`schemas.attestation` holds the DSSE envelope and in-toto statement formats) and `cryptography`.

    generate_key_pair(out_dir, name) -> KeyPair
    load_private_key(path), read_public_key(path), public_key_id(public_key)
    sign_bundle(root, private_key) -> SignedBundle
    verify_bundle(root, public_key | None) -> Verdict
    sign_audit(root, private_key) -> keyid, audit_signed_by(root, public_keys) -> keyid | None
"""

from __future__ import annotations

from attestation._audit import audit_signed_by, sign_audit
from attestation._dsse import canonical_json, pae
from attestation._keys import (
    KeyPair,
    generate_key_pair,
    load_private_key,
    public_key_id,
    read_public_key,
    readable_by_others,
)
from attestation._sign import (
    SignedBundle,
    build_statement,
    sign_bundle,
    sign_statement,
    system_fingerprint,
)
from attestation._verify import Problem, ProblemKind, SignatureStatus, Verdict, verify_bundle

__all__ = [
    "KeyPair",
    "Problem",
    "ProblemKind",
    "SignatureStatus",
    "SignedBundle",
    "Verdict",
    "audit_signed_by",
    "build_statement",
    "canonical_json",
    "generate_key_pair",
    "load_private_key",
    "pae",
    "public_key_id",
    "read_public_key",
    "readable_by_others",
    "sign_audit",
    "sign_bundle",
    "sign_statement",
    "system_fingerprint",
    "verify_bundle",
]
