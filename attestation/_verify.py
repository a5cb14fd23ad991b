"""Checks a bundle's signature: is it signed, by this key, for these very bytes and this run?

The answer is a `Verdict`: a status (signed, unsigned, bad, or unverified when there is a
signature but no key to check it with) and every problem found, each with the bundle-relative
file it concerns. Problems are data, not errors; the validator gives each kind its KP-SIG-* code.
Signatures are checked before the payload is parsed, as DSSE asks: nothing an unverified payload
says is trusted.
"""

from __future__ import annotations

import base64
import binascii
import os
import stat
from enum import StrEnum
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from attestation._dsse import pae
from attestation._keys import public_key_id
from schemas import ATTESTATION_NAME, RESULT_NAME, sha256_of
from schemas.attestation import Envelope, Statement
from schemas.strict_json import (
    DEFAULT_MAX_JSON_BYTES,
    StrictJsonError,
    parse_strict,
    read_bounded,
)

MAX_ATTESTATION_BYTES = 16 << 20
FROZEN = ConfigDict(frozen=True, extra="forbid")


class SignatureStatus(StrEnum):
    """What a reviewer can say about a bundle's signature."""

    SIGNED = "signed"
    UNSIGNED = "unsigned"
    BAD = "bad"
    UNVERIFIED = "unverified"


class ProblemKind(StrEnum):
    """Each way a signature check can fail."""

    UNSIGNED = "unsigned"
    """There is no attestation file."""
    MALFORMED = "malformed"
    """The attestation is no DSSE envelope of a KernelPerf in-toto statement."""
    BAD_SIGNATURE = "bad-signature"
    """The key's own signature fails: the envelope changed after signing."""
    WRONG_KEY = "wrong-key"
    """Signed, but by another key than the one checked against."""
    SUBJECT_MISMATCH = "subject-mismatch"
    """A file differs from the signed one, or was added or removed since."""
    REPLAY = "replay"
    """The statement is about another run: copied from another bundle."""
    NO_KEY = "no-key"
    """There is no key to check the signature with."""


class Problem(BaseModel):
    """One thing wrong with a bundle's signature, and where."""

    model_config = FROZEN
    kind: ProblemKind = Field(description="What is wrong.")
    file: str = Field(description="Bundle-relative file it concerns.")
    message: str = Field(default="", description="Details beyond the kind, if any.")
    expected: str | None = Field(default=None, description="What the check expected.")
    found: str | None = Field(default=None, description="What the bundle holds.")


class Verdict(BaseModel):
    """The answer of a signature check: its status, the key that signed, and every problem."""

    model_config = FROZEN
    status: SignatureStatus = Field(description="signed, unsigned, bad or unverified.")
    keyid: str | None = Field(default=None, description="keyid of the key checked against.")
    statement: Statement | None = Field(
        default=None, description="The signed statement, once its signature held (or no key)."
    )
    problems: tuple[Problem, ...] = Field(default=(), description="Every problem found.")


def _malformed(message: str, found: str | None = None) -> Verdict:
    """A failed check: the attestation cannot even be read as a signed statement."""
    problem = Problem(
        kind=ProblemKind.MALFORMED, file=ATTESTATION_NAME, message=message, found=found
    )
    return Verdict(status=SignatureStatus.BAD, problems=(problem,))


def _verifies(public_key: Ed25519PublicKey, sig_b64: str, message: bytes) -> bool:
    try:
        public_key.verify(base64.b64decode(sig_b64, validate=True), message)
    except (binascii.Error, InvalidSignature):
        return False
    return True


def _signature_problems(
    envelope: Envelope, payload: bytes, public_key: Ed25519PublicKey
) -> list[Problem]:
    """Empty when one of the envelope's signatures verifies with the key."""
    message = pae(envelope.payload_type, payload)
    if any(_verifies(public_key, s.sig, message) for s in envelope.signatures):
        return []
    expected = public_key_id(public_key)
    keyids = sorted({s.keyid for s in envelope.signatures})
    if expected in keyids or keyids == [""]:
        # The key's own signature fails: the envelope changed after signing.
        return [Problem(kind=ProblemKind.BAD_SIGNATURE, file=ATTESTATION_NAME, expected=expected)]
    return [
        Problem(
            kind=ProblemKind.WRONG_KEY,
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


def _run_id(root: Path) -> str | None:
    """result.json's run_id, or None when it cannot be read (its subject digest fails then)."""
    try:
        value = parse_strict(read_bounded(root / RESULT_NAME, DEFAULT_MAX_JSON_BYTES))
    except (OSError, StrictJsonError):
        return None
    run_id = value.get("run_id") if isinstance(value, dict) else None
    return run_id if isinstance(run_id, str) else None


def _replay_problems(root: Path, statement: Statement) -> list[Problem]:
    """A statement about another run: its signature was copied here from another bundle."""
    run_id = _run_id(root)
    signed_run = statement.predicate.run_id
    if run_id is None or run_id == signed_run:
        return []
    return [
        Problem(
            kind=ProblemKind.REPLAY,
            file=ATTESTATION_NAME,
            message=f"the signature is for run {signed_run}, not this bundle's run",
            expected=run_id,
            found=signed_run,
        )
    ]


def _subject_problems(root: Path, statement: Statement) -> list[Problem]:
    """Every file signed and unchanged, and no file added since."""
    files = _bundle_files(root)
    found: list[Problem] = []
    signed: set[str] = set()
    for subject in statement.subject:
        signed.add(subject.name)
        path = files.get(subject.name)
        digest = sha256_of(path) if path else "absent"
        if digest != subject.digest.sha256:
            found.append(
                Problem(
                    kind=ProblemKind.SUBJECT_MISMATCH,
                    file=subject.name,
                    message=f"{subject.name} differs from the signed file",
                    expected=subject.digest.sha256,
                    found=digest,
                )
            )
    found.extend(
        Problem(
            kind=ProblemKind.SUBJECT_MISMATCH,
            file=name,
            message=f"{name} was added after the bundle was signed",
            expected="absent",
            found=sha256_of(files[name]),
        )
        for name in sorted(files.keys() - signed)
    )
    return found


def _validation_message(exc: ValidationError) -> str:
    """The first error of a model check, as `place: message`."""
    error = exc.errors(include_url=False)[0]
    return ".".join(str(part) for part in error["loc"]) + f": {error['msg']}"


def _read_envelope(root: Path) -> tuple[Envelope, bytes] | Verdict:
    """The envelope and its decoded payload, or the verdict that says why there is none."""
    path = root / ATTESTATION_NAME
    try:
        mode = path.lstat().st_mode
    except FileNotFoundError:
        problem = Problem(kind=ProblemKind.UNSIGNED, file=ATTESTATION_NAME)
        return Verdict(status=SignatureStatus.UNSIGNED, problems=(problem,))
    if not stat.S_ISREG(mode):
        return _malformed("the attestation is a link or special file")
    try:
        value = parse_strict(read_bounded(path, MAX_ATTESTATION_BYTES))
    except StrictJsonError as exc:
        return _malformed(f"the attestation is {exc}", exc.found)
    except OSError as exc:
        return _malformed(f"cannot read the attestation: {exc.strerror}")
    try:
        envelope = Envelope.model_validate(value)
        payload = base64.b64decode(envelope.payload, validate=True)
    except ValidationError as exc:
        return _malformed(f"not a DSSE envelope: {_validation_message(exc)}")
    except binascii.Error:
        return _malformed("the payload is not base64")
    return envelope, payload


def _read_statement(payload: bytes) -> Statement | Problem:
    """The signed payload as a statement, or the MALFORMED problem that says why it is none."""
    try:
        statement = Statement.model_validate(parse_strict(payload))
    except StrictJsonError as exc:
        message = f"the payload is {exc}"
        return Problem(kind=ProblemKind.MALFORMED, file=ATTESTATION_NAME, message=message)
    except ValidationError as exc:
        message = f"not a KernelPerf in-toto statement: {_validation_message(exc)}"
        return Problem(kind=ProblemKind.MALFORMED, file=ATTESTATION_NAME, message=message)
    names = [subject.name for subject in statement.subject]
    if len(set(names)) != len(names):
        message = "a subject is repeated"
        return Problem(kind=ProblemKind.MALFORMED, file=ATTESTATION_NAME, message=message)
    return statement


def verify_bundle(root: Path, public_key: Ed25519PublicKey | None) -> Verdict:
    """Checks the signature of the unpacked bundle folder `root` against `public_key`.

    With no key, the statement is still matched with the bundle, but the status is at best
    unverified (with a NO_KEY problem): anyone can write an envelope; only the key says who did.
    """
    read = _read_envelope(root)
    if isinstance(read, Verdict):
        return read
    envelope, payload = read
    if public_key is not None:
        problems = _signature_problems(envelope, payload, public_key)
        if problems:
            return Verdict(status=SignatureStatus.BAD, problems=tuple(problems))
    statement = _read_statement(payload)
    if isinstance(statement, Problem):
        return Verdict(status=SignatureStatus.BAD, problems=(statement,))
    # A replayed statement also mismatches most subjects; one REPLAY says what really happened.
    problems = _replay_problems(root, statement) or _subject_problems(root, statement)
    keyid = public_key_id(public_key) if public_key is not None else None
    if problems:
        status = SignatureStatus.BAD
    elif public_key is None:
        status = SignatureStatus.UNVERIFIED
        problems = [Problem(kind=ProblemKind.NO_KEY, file=ATTESTATION_NAME)]
    else:
        status = SignatureStatus.SIGNED
    return Verdict(status=status, keyid=keyid, statement=statement, problems=tuple(problems))
