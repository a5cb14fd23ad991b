"""Writes and reads an audit bundle: audit.json, the auditor's system.json, MANIFEST.json.

Written like a result bundle (build in a sibling, rename into place), so an interrupted audit
leaves the last whole checkpoint. The auditor's signature (attestation.dsse.json) is added once
the audit is complete, by `attestation.sign_audit`.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from schemas import (
    AUDIT_NAME,
    MANIFEST_NAME,
    SYSTEM_NAME,
    Audit,
    BundleError,
    SystemDescription,
    manifest_of,
)
from schemas.atomic import OnExisting, atomic_folder


def write_audit_bundle(target: Path, audit: Audit, auditor: SystemDescription) -> Path:
    """Writes the audit bundle into `target`, replacing what was there."""
    target = target.resolve()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with atomic_folder(target, on_existing=OnExisting.REPLACE) as staging:
            (staging / AUDIT_NAME).write_text(audit.model_dump_json(indent=2) + "\n", "utf-8")
            (staging / SYSTEM_NAME).write_text(auditor.model_dump_json(indent=2) + "\n", "utf-8")
            (staging / MANIFEST_NAME).write_text(
                manifest_of(staging).model_dump_json(indent=2) + "\n", "utf-8"
            )
    except OSError as exc:
        raise BundleError(
            f"cannot write the audit: {exc.strerror}",
            where=str(target),
            fix="check free disk space and permissions of the --out directory",
        ) from exc
    return target


def read_audit(folder: Path) -> tuple[Audit, SystemDescription]:
    """An audit bundle as written, to resume it; BundleError when it is not one."""
    try:
        audit = Audit.model_validate_json((folder / AUDIT_NAME).read_bytes())
        auditor = SystemDescription.model_validate_json((folder / SYSTEM_NAME).read_bytes())
    except (OSError, ValueError, ValidationError) as exc:
        raise BundleError(
            f"cannot read the audit to resume: {exc}",
            where=str(folder),
            fix="pass the --out folder of an interrupted `kernelperf audit`",
        ) from exc
    return audit, auditor
