"""Reads untrusted JSON for the validator: `schemas.strict_json`'s faults become findings.

What is refused and why (NaN, repeated keys, invalid UTF-8, giant files) is said in
`schemas.strict_json`; here each fault gets its finding code.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from schemas.strict_json import (
    DEFAULT_MAX_JSON_BYTES,
    JsonFault,
    StrictJsonError,
    parse_strict,
    read_bounded,
)
from validator._findings import Code, Finding, finding

_CODES = {
    JsonFault.ENCODING: Code.JSON_ENCODING,
    JsonFault.NONFINITE: Code.JSON_NONFINITE,
    JsonFault.DUPLICATE_KEY: Code.JSON_DUPLICATE_KEY,
    JsonFault.SYNTAX: Code.JSON_SYNTAX,
    JsonFault.DEPTH: Code.JSON_DEPTH,
    JsonFault.TOO_LARGE: Code.JSON_TOO_LARGE,
}


@dataclass(frozen=True)
class ParsedJson:
    """A JSON document read from a file, with the bytes it came from (for hashing and caching)."""

    value: object
    raw: bytes


def _finding(exc: StrictJsonError, file: str, expected: str | None = None) -> Finding:
    """The finding of one fault; the catalogue's meaning says what is wrong but for syntax."""
    message = str(exc) if exc.fault is JsonFault.SYNTAX else ""
    return finding(
        _CODES[exc.fault], file=file, message=message, expected=expected, found=exc.found
    )


def parse_json_bytes(raw: bytes, file: str) -> object | Finding:
    """The JSON value of `raw`, or the finding that says why it cannot be trusted."""
    try:
        return parse_strict(raw)
    except StrictJsonError as exc:
        return _finding(exc, file)


def read_limited(path: Path, file: str, max_bytes: int = DEFAULT_MAX_JSON_BYTES) -> bytes | Finding:
    """The bytes of a file, never more than `max_bytes` (a giant file is a finding, not a read)."""
    try:
        return read_bounded(path, max_bytes)
    except StrictJsonError as exc:
        return _finding(exc, file, expected=f"<= {max_bytes} bytes")
    except OSError as exc:
        return finding(Code.BUNDLE_FILE_MISSING, file=file, message=f"cannot read: {exc.strerror}")


def read_json(
    path: Path, file: str, max_bytes: int = DEFAULT_MAX_JSON_BYTES
) -> ParsedJson | Finding:
    """Reads and parses one JSON file without following links or reading past `max_bytes`."""
    raw = read_limited(path, file, max_bytes)
    if isinstance(raw, Finding):
        return raw
    value = parse_json_bytes(raw, file)
    if isinstance(value, Finding):
        return value
    return ParsedJson(value=value, raw=raw)
