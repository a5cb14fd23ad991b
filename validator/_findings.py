"""Findings: what the validator reports, as data, each with a stable code, a place and a fix.

The codes and their default severities and fixes live in `validator._codes`.
"""

from __future__ import annotations

import json

from pydantic import BaseModel, ConfigDict, Field

from validator._codes import CATALOGUE, Code, CodeInfo, Severity

SHOWN_CHARS = 160
__all__ = ["CATALOGUE", "Code", "CodeInfo", "Finding", "Severity", "finding", "relocated", "shown"]


def shown(value: object) -> str:
    """A short, ASCII-safe rendering of a value for a finding (surrogates and controls escaped)."""
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    text = text.encode("ascii", "backslashreplace").decode("ascii")
    text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
    return text if len(text) <= SHOWN_CHARS else text[: SHOWN_CHARS - 1] + "…"


class Finding(BaseModel):
    """One problem in a submission: where it is, what was expected, what was found, the fix."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    code: Code = Field(description="Stable code, e.g. KP-INTEGRITY-HASH.")
    severity: Severity = Field(description="error rejects the bundle; warning and note do not.")
    message: str = Field(description="What is wrong, in one line.")
    file: str = Field(default="", description="File, relative to the validated path.")
    json_path: str = Field(default="", description="Place in the file, e.g. results[3].stats.")
    expected: str | None = Field(default=None, description="What the check expected.")
    found: str | None = Field(default=None, description="What the file holds.")
    fix: str = Field(description="How to fix it.")


def finding(
    code: Code,
    *,
    file: str = "",
    json_path: str = "",
    message: str = "",
    expected: object = None,
    found: object = None,
    fix: str = "",
    severity: Severity | None = None,
) -> Finding:
    """A finding with the catalogue's severity, meaning and fix unless the check knows better."""
    info = CATALOGUE[code]
    return Finding(
        code=code,
        severity=severity or info.severity,
        message=shown(message or info.meaning),
        file=shown(file),
        json_path=shown(json_path),
        expected=None if expected is None else shown(expected),
        found=None if found is None else shown(found),
        fix=fix or info.fix,
    )


def relocated(item: Finding, prefix: str) -> Finding:
    """The same finding with its file named relative to an outer folder."""
    file = f"{prefix}/{item.file}" if item.file else prefix
    return item.model_copy(update={"file": file})
