"""Reads untrusted JSON strictly: bounded size, UTF-8 only, no NaN/Infinity, no repeated keys.

Python's `json` accepts `NaN`, `Infinity` and `1e999` (as inf) and keeps the last of repeated
keys; another reader may keep the first. A benchmark result must mean one thing to every reader,
so all of these are findings here rather than silently accepted values.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path

from validator._findings import Code, Finding, finding

DEFAULT_MAX_JSON_BYTES = 256 << 20
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


@dataclass(frozen=True)
class ParsedJson:
    """A JSON document read from a file, with the bytes it came from (for hashing and caching)."""

    value: object
    raw: bytes


class _RejectedError(ValueError):
    """Raised inside the decoder hooks; carries the finding code."""

    def __init__(self, code: Code, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


def _reject_constant(name: str) -> object:
    raise _RejectedError(Code.JSON_NONFINITE, f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _RejectedError(Code.JSON_NONFINITE, f"{text} overflows to infinity")
    return value


def _unique_object(pairs: list[tuple[str, object]]) -> dict[str, object]:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        repeated = next(k for k, _ in pairs if k in seen or seen.add(k))  # type: ignore[func-returns-value]
        raise _RejectedError(Code.JSON_DUPLICATE_KEY, f"key {repeated!r} appears twice")
    return result


_DECODER = json.JSONDecoder(parse_float=_finite_float, object_pairs_hook=_unique_object)
# A parse_constant hook makes CPython's decoder about 4x slower on every document, so it is used
# only for a text that contains one of the constants' names at all (a plain substring search).
_CAREFUL_DECODER = json.JSONDecoder(
    parse_constant=_reject_constant, parse_float=_finite_float, object_pairs_hook=_unique_object
)
_CONSTANTS = ("NaN", "Infinity")


def parse_json_bytes(raw: bytes, file: str) -> object | Finding:
    """The JSON value of `raw`, or the finding that says why it cannot be trusted."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return finding(
            Code.JSON_ENCODING, file=file, found=f"byte {raw[exc.start]:#04x} at offset {exc.start}"
        )
    try:
        careful = any(name in text for name in _CONSTANTS)
        value = (_CAREFUL_DECODER if careful else _DECODER).decode(text)
        if _SURROGATE_ESCAPE.search(text):
            # Only a lone surrogate fails to encode; a proper pair decodes to one character.
            json.dumps(value, ensure_ascii=False).encode("utf-8")
        return value  # type: ignore[no-any-return]
    except UnicodeEncodeError:
        return finding(Code.JSON_ENCODING, file=file, found="a lone UTF-16 surrogate escape")
    except _RejectedError as exc:
        return finding(exc.code, file=file, found=exc.detail)
    except json.JSONDecodeError as exc:
        return finding(
            Code.JSON_SYNTAX,
            file=file,
            message=f"invalid JSON: {exc.msg}",
            found=f"line {exc.lineno} column {exc.colno}",
        )
    except RecursionError:
        return finding(Code.JSON_DEPTH, file=file)


def read_limited(path: Path, file: str, max_bytes: int = DEFAULT_MAX_JSON_BYTES) -> bytes | Finding:
    """The bytes of a file, never more than `max_bytes` (a giant file is a finding, not a read)."""
    try:
        size_bytes = path.lstat().st_size
        if size_bytes > max_bytes:
            return finding(
                Code.JSON_TOO_LARGE, file=file, expected=f"<= {max_bytes} bytes", found=size_bytes
            )
        with path.open("rb") as handle:
            raw = handle.read(max_bytes + 1)
    except OSError as exc:
        return finding(Code.BUNDLE_FILE_MISSING, file=file, message=f"cannot read: {exc.strerror}")
    if len(raw) > max_bytes:
        return finding(
            Code.JSON_TOO_LARGE, file=file, expected=f"<= {max_bytes} bytes", found=len(raw)
        )
    return raw


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
