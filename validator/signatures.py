"""Turns attestation's verdict on a bundle's signature into KP-SIG-* findings.

The check itself is `attestation.verify_bundle`; here each problem kind gets its finding code,
and the round's key registry (`<round>/keys/<submitter>.pub`) says which key to check with.
Severities come from the catalogue (all errors: a closed submission must be signed); a caller
that tolerates unsigned bundles (the open division) may lower them.

The attestation file is not listed in MANIFEST.json (it signs the manifest), so it is one of
`validator._documents.UNLISTED`: files whose absence from the manifest is no KP-INTEGRITY-EXTRA.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from attestation import (
    Problem,
    ProblemKind,
    SignatureStatus,
    Verdict,
    read_public_key,
    verify_bundle,
)
from schemas import SubmissionError
from schemas.attestation import Statement
from validator._findings import Code, Finding, finding
from validator._layout import KEYS_DIR

KEY_SUFFIX = ".pub"
CODES = {
    ProblemKind.UNSIGNED: Code.SIG_UNSIGNED,
    ProblemKind.MALFORMED: Code.SIG_MALFORMED,
    ProblemKind.BAD_SIGNATURE: Code.SIG_BAD,
    ProblemKind.WRONG_KEY: Code.SIG_WRONG_KEY,
    ProblemKind.SUBJECT_MISMATCH: Code.SIG_SUBJECT_MISMATCH,
    ProblemKind.REPLAY: Code.SIG_REPLAY,
    ProblemKind.NO_KEY: Code.SIG_NO_KEY,
}


class SignatureCheck(BaseModel):
    """A signature verdict as the validator reports it: status, key, statement and findings."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    status: SignatureStatus = Field(description="signed, unsigned, bad or unverified.")
    keyid: str | None = Field(default=None, description="keyid of the registered key used.")
    statement: Statement | None = Field(
        default=None, description="The signed statement, once its signature held (or no key)."
    )
    findings: tuple[Finding, ...] = Field(default=(), description="Every KP-SIG-* finding.")


def _finding(problem: Problem) -> Finding:
    return finding(
        CODES[problem.kind],
        file=problem.file,
        message=problem.message,
        expected=problem.expected,
        found=problem.found,
    )


def signature_check(verdict: Verdict, no_key: Finding | None = None) -> SignatureCheck:
    """The verdict with a finding per problem; `no_key` replaces a NO_KEY one (names the key)."""
    findings = tuple(
        no_key if no_key is not None and p.kind is ProblemKind.NO_KEY else _finding(p)
        for p in verdict.problems
    )
    return SignatureCheck(
        status=verdict.status, keyid=verdict.keyid, statement=verdict.statement, findings=findings
    )


def registered_key_path(round_root: Path, submitter: str) -> Path:
    """Where a submitter registers its public key for a round."""
    return round_root / KEYS_DIR / f"{submitter}{KEY_SUFFIX}"


def verify_registered(root: Path, round_root: Path, submitter: str) -> SignatureCheck:
    """Checks the bundle against the submitter's key registered in the round (if any)."""
    path = registered_key_path(round_root, submitter)
    where = path.relative_to(round_root).as_posix()
    if not path.exists():
        return signature_check(verify_bundle(root, None), finding(Code.SIG_NO_KEY, file=where))
    try:
        public_key = read_public_key(path)
    except SubmissionError as exc:
        invalid = finding(Code.SIG_KEY_INVALID, file=where, message=exc.what)
        return signature_check(verify_bundle(root, None), invalid)
    return signature_check(verify_bundle(root, public_key))
