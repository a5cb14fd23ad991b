"""Checks a bundle's signature: is it signed, by the registered key, for these very bytes and run?

A note for validator/bundle.py: the signature of a bundle is the file
`schemas.attestation.ATTESTATION_NAME` ("attestation.dsse.json") beside MANIFEST.json. It is not
listed in MANIFEST.json (it signs the manifest), so it belongs in the set of unlisted files that
are not KP-INTEGRITY-EXTRA findings.

Public API (small on purpose; the validator's round checks and `kernelperf verify` use only these):

    verify_bundle(root, public_key) -> SignatureCheck      key given, or None when there is none
    verify_registered(root, round_root, submitter) -> SignatureCheck
                                                           key from <round>/keys/<submitter>.pub
    read_public_key(path) -> Ed25519PublicKey              raises SubmissionError
    registered_key_path(round_root, submitter) -> Path

`SignatureCheck.status` is signed, unsigned, bad or unverified (a signature but no key to check it
with); each problem is a KP-SIG-* finding with the bundle-relative file it concerns. Severities
come from the catalogue (all errors: a closed submission must be signed); a caller that tolerates
unsigned bundles (the open division) may lower them. Signatures are checked before the payload is
parsed, as DSSE asks: nothing an unverified payload says is trusted.
"""

from __future__ import annotations

import base64
import binascii
import os
import stat
from enum import StrEnum
from pathlib import Path

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from schemas import SubmissionError, sha256_of
from schemas.attestation import ATTESTATION_NAME, Envelope, Statement, key_id, pae
from validator.findings import Code, Finding, finding, shown
from validator.jsonio import parse_json_bytes, read_json
from validator.layout import KEYS_DIR

RESULT_NAME = "result.json"  # the document whose run_id a statement must carry
KEY_SUFFIX = ".pub"
MAX_ATTESTATION_BYTES = 16 << 20


class SignatureStatus(StrEnum):
    """What a reviewer can say about a bundle's signature."""

    SIGNED = "signed"
    UNSIGNED = "unsigned"
    BAD = "bad"
    UNVERIFIED = "unverified"


class SignatureCheck(BaseModel):
    """The answer of a signature check: its status, the key that signed, and every finding."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    status: SignatureStatus = Field(description="signed, unsigned, bad or unverified.")
    keyid: str | None = Field(default=None, description="keyid of the registered key used.")
    statement: Statement | None = Field(
        default=None, description="The signed statement, once its signature held (or no key)."
    )
    findings: tuple[Finding, ...] = Field(default=(), description="Every KP-SIG-* finding.")


def public_key_id(public_key: Ed25519PublicKey) -> str:
    """The keyid of a public key (hex sha256 of its DER SubjectPublicKeyInfo)."""
    der = public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return key_id(der)


def registered_key_path(round_root: Path, submitter: str) -> Path:
    """Where a submitter registers its public key for a round."""
    return round_root / KEYS_DIR / f"{submitter}{KEY_SUFFIX}"


def read_public_key(path: Path) -> Ed25519PublicKey:
    """Reads a PEM Ed25519 public key (SubjectPublicKeyInfo), as `kernelperf keys` writes it."""
    fix = "register the .pub file that `kernelperf keys generate` wrote"
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SubmissionError(
            f"cannot read the public key: {exc.strerror}", where=str(path), fix=fix
        ) from exc
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise SubmissionError("not a PEM public key", where=str(path), fix=fix) from exc
    if not isinstance(key, Ed25519PublicKey):
        raise SubmissionError(
            f"the public key is {type(key).__name__}, not Ed25519", where=str(path), fix=fix
        )
    return key


def _malformed(message: str, found: str | None = None) -> SignatureCheck:
    """A failed check: the attestation cannot even be read as a signed statement."""
    item = finding(Code.SIG_MALFORMED, file=ATTESTATION_NAME, message=message, found=found)
    return SignatureCheck(status=SignatureStatus.BAD, findings=(item,))


def _verifies(public_key: Ed25519PublicKey, sig_b64: str, message: bytes) -> bool:
    try:
        public_key.verify(base64.b64decode(sig_b64, validate=True), message)
    except (binascii.Error, InvalidSignature):
        return False
    return True


def _signature_findings(
    envelope: Envelope, payload: bytes, public_key: Ed25519PublicKey
) -> list[Finding]:
    """Empty when one of the envelope's signatures verifies with the key."""
    message = pae(envelope.payload_type, payload)
    if any(_verifies(public_key, s.sig, message) for s in envelope.signatures):
        return []
    expected = public_key_id(public_key)
    keyids = sorted({s.keyid for s in envelope.signatures})
    if expected in keyids or keyids == [""]:
        # The registered key's own signature fails: the envelope changed after signing.
        return [finding(Code.SIG_BAD, file=ATTESTATION_NAME, expected=expected)]
    return [
        finding(
            Code.SIG_WRONG_KEY,
            file=ATTESTATION_NAME,
            message="signed by another key than the submitter's registered one",
            expected=expected,
            found=", ".join(keyids),
        )
    ]


def _bundle_files(root: Path) -> dict[str, Path]:
    """Regular files of the bundle but the attestation; links are not followed (nor signed)."""
    files: dict[str, Path] = {}
    for folder, _dirnames, filenames in os.walk(root, followlinks=False):
        for name in filenames:
            path = Path(folder, name)
            relative = path.relative_to(root).as_posix()
            if relative != ATTESTATION_NAME and stat.S_ISREG(path.lstat().st_mode):
                files[relative] = path
    return files


def _replay_findings(root: Path, statement: Statement) -> list[Finding]:
    """A statement about another run: its signature was copied here from another bundle."""
    parsed = read_json(root / RESULT_NAME, RESULT_NAME)
    value = None if isinstance(parsed, Finding) else parsed.value
    run_id = value.get("run_id") if isinstance(value, dict) else None
    signed_run = statement.predicate.run_id
    if not isinstance(run_id, str) or run_id == signed_run:
        return []  # an unreadable result.json fails its subject digest instead
    return [
        finding(
            Code.SIG_REPLAY,
            file=ATTESTATION_NAME,
            message=f"the signature is for run {shown(signed_run)}, not this bundle's run",
            expected=run_id,
            found=signed_run,
        )
    ]


def _subject_findings(root: Path, statement: Statement) -> list[Finding]:
    """Every file signed and unchanged, and no file added since."""
    files = _bundle_files(root)
    found: list[Finding] = []
    signed: set[str] = set()
    for subject in statement.subject:
        signed.add(subject.name)
        path = files.get(subject.name)
        digest = sha256_of(path) if path else "absent"
        if digest != subject.digest.sha256:
            found.append(
                finding(
                    Code.SIG_SUBJECT_MISMATCH,
                    file=subject.name,
                    message=f"{subject.name} differs from the signed file",
                    expected=subject.digest.sha256,
                    found=digest,
                )
            )
    found.extend(
        finding(
            Code.SIG_SUBJECT_MISMATCH,
            file=name,
            message=f"{name} was added after the bundle was signed",
            expected="absent",
            found=sha256_of(files[name]),
        )
        for name in sorted(files.keys() - signed)
    )
    return found


def _read_envelope(root: Path) -> tuple[Envelope, bytes] | SignatureCheck:
    """The envelope and its decoded payload, or the check that says why there is none."""
    path = root / ATTESTATION_NAME
    try:
        mode = path.lstat().st_mode
    except FileNotFoundError:
        return SignatureCheck(
            status=SignatureStatus.UNSIGNED,
            findings=(finding(Code.SIG_UNSIGNED, file=ATTESTATION_NAME),),
        )
    if not stat.S_ISREG(mode):
        return _malformed("the attestation is a link or special file")
    parsed = read_json(path, ATTESTATION_NAME, MAX_ATTESTATION_BYTES)
    if isinstance(parsed, Finding):
        return _malformed(parsed.message, parsed.found)
    try:
        envelope = Envelope.model_validate(parsed.value)
        payload = base64.b64decode(envelope.payload, validate=True)
    except ValidationError as exc:
        error = exc.errors(include_url=False)[0]
        where = ".".join(str(part) for part in error["loc"])
        return _malformed(f"not a DSSE envelope: {where}: {error['msg']}")
    except binascii.Error:
        return _malformed("the payload is not base64")
    return envelope, payload


def _read_statement(payload: bytes) -> Statement | Finding:
    value = parse_json_bytes(payload, ATTESTATION_NAME)
    if isinstance(value, Finding):
        return finding(Code.SIG_MALFORMED, file=ATTESTATION_NAME, message=value.message)
    try:
        statement = Statement.model_validate(value)
    except ValidationError as exc:
        error = exc.errors(include_url=False)[0]
        where = ".".join(str(part) for part in error["loc"])
        return finding(
            Code.SIG_MALFORMED,
            file=ATTESTATION_NAME,
            message=f"not a KernelPerf in-toto statement: {where}: {error['msg']}",
        )
    names = [subject.name for subject in statement.subject]
    if len(set(names)) != len(names):
        return finding(Code.SIG_MALFORMED, file=ATTESTATION_NAME, message="a subject is repeated")
    return statement


def _check(root: Path, public_key: Ed25519PublicKey | None, no_key: Finding) -> SignatureCheck:
    read = _read_envelope(root)
    if isinstance(read, SignatureCheck):
        return read
    envelope, payload = read
    if public_key is not None:
        problems = _signature_findings(envelope, payload, public_key)
        if problems:
            return SignatureCheck(status=SignatureStatus.BAD, findings=tuple(problems))
    statement = _read_statement(payload)
    if isinstance(statement, Finding):
        return SignatureCheck(status=SignatureStatus.BAD, findings=(statement,))
    # A replayed statement also mismatches most subjects; one REPLAY says what really happened.
    problems = _replay_findings(root, statement) or _subject_findings(root, statement)
    keyid = public_key_id(public_key) if public_key is not None else None
    if problems:
        status = SignatureStatus.BAD
    elif public_key is None:
        status, problems = SignatureStatus.UNVERIFIED, [no_key]
    else:
        status = SignatureStatus.SIGNED
    return SignatureCheck(status=status, keyid=keyid, statement=statement, findings=tuple(problems))


def verify_bundle(root: Path, public_key: Ed25519PublicKey | None) -> SignatureCheck:
    """Checks the signature of the unpacked bundle folder `root` against `public_key`.

    With no key, the statement is still matched with the bundle, but the status is at best
    unverified: anyone can write an envelope; only the key says who did.
    """
    return _check(root, public_key, finding(Code.SIG_NO_KEY, file=ATTESTATION_NAME))


def verify_registered(root: Path, round_root: Path, submitter: str) -> SignatureCheck:
    """Checks the bundle against the submitter's key registered in the round (if any)."""
    path = registered_key_path(round_root, submitter)
    where = path.relative_to(round_root).as_posix()
    if not path.exists():
        return _check(root, None, finding(Code.SIG_NO_KEY, file=where))
    try:
        public_key = read_public_key(path)
    except SubmissionError as exc:
        return _check(root, None, finding(Code.SIG_KEY_INVALID, file=where, message=exc.what))
    return _check(root, public_key, finding(Code.SIG_NO_KEY, file=where))
