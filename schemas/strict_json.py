"""Reads untrusted JSON strictly: bounded size, UTF-8 only, no NaN/Infinity, no repeated keys.

Python's `json` accepts `NaN`, `Infinity` and `1e999` (as inf) and keeps the last of repeated
keys; another reader may keep the first. A benchmark result, or a signed statement, must mean
one thing to every reader, so each of these is a `StrictJsonError` here rather than a value.
The validator turns the error's fault into a finding code; attestation into a malformed verdict.
"""

from __future__ import annotations

import json
import math
import re
from enum import StrEnum
from pathlib import Path

# Big enough for the raw samples of a full run; small enough that a hostile file is refused
# before it is read.
DEFAULT_MAX_JSON_BYTES = 256 << 20


class JsonFault(StrEnum):
    """Why a JSON text is not trusted."""

    ENCODING = "encoding"
    NONFINITE = "nonfinite"
    DUPLICATE_KEY = "duplicate-key"
    SYNTAX = "syntax"
    DEPTH = "depth"
    TOO_LARGE = "too-large"


class StrictJsonError(ValueError):
    """A JSON text that cannot be trusted: the fault, and what was found where, if known."""

    def __init__(self, fault: JsonFault, message: str, found: str | None = None) -> None:
        super().__init__(message)
        self.fault = fault
        self.found = found


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def _reject_constant(name: str) -> object:
    raise StrictJsonError(JsonFault.NONFINITE, "not a JSON number", f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise StrictJsonError(JsonFault.NONFINITE, "not finite", f"{text} overflows to infinity")
    return value


def _unique_object(pairs: list[tuple[str, object]]) -> dict[str, object]:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        repeated = next(k for k, _ in pairs if k in seen or seen.add(k))  # type: ignore[func-returns-value]
        found = f"key {repeated!r} appears twice"
        raise StrictJsonError(JsonFault.DUPLICATE_KEY, "a repeated key", found)
    return result


_DECODER = json.JSONDecoder(parse_float=_finite_float, object_pairs_hook=_unique_object)
# A parse_constant hook makes CPython's decoder about 4x slower on every document, so it is used
# only for a text that contains one of the constants' names at all (a plain substring search).
_CAREFUL_DECODER = json.JSONDecoder(
    parse_constant=_reject_constant, parse_float=_finite_float, object_pairs_hook=_unique_object
)
_CONSTANTS = ("NaN", "Infinity")


def parse_strict(raw: bytes) -> object:
    """The JSON value of `raw`; raises StrictJsonError when it cannot be trusted."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        found = f"byte {raw[exc.start]:#04x} at offset {exc.start}"
        raise StrictJsonError(JsonFault.ENCODING, "not UTF-8", found) from None
    try:
        careful = any(name in text for name in _CONSTANTS)
        value = (_CAREFUL_DECODER if careful else _DECODER).decode(text)
        if _SURROGATE_ESCAPE.search(text):
            # Only a lone surrogate fails to encode; a proper pair decodes to one character.
            json.dumps(value, ensure_ascii=False).encode("utf-8")
        return value
    except UnicodeEncodeError:
        found = "a lone UTF-16 surrogate escape"
        raise StrictJsonError(JsonFault.ENCODING, "not UTF-8", found) from None
    except json.JSONDecodeError as exc:
        found = f"line {exc.lineno} column {exc.colno}"
        raise StrictJsonError(JsonFault.SYNTAX, f"invalid JSON: {exc.msg}", found) from None
    except RecursionError:
        raise StrictJsonError(JsonFault.DEPTH, "nested too deeply") from None


def read_bounded(path: Path, max_bytes: int) -> bytes:
    """The bytes of a file, never more than `max_bytes`: a giant file is an error, not a read.

    Raises StrictJsonError (TOO_LARGE, found: the size in bytes) or the OSError of the read.
    """
    size_bytes = path.lstat().st_size
    if size_bytes > max_bytes:
        raise StrictJsonError(JsonFault.TOO_LARGE, "too large", str(size_bytes))
    with path.open("rb") as handle:
        raw = handle.read(max_bytes + 1)
    if len(raw) > max_bytes:
        raise StrictJsonError(JsonFault.TOO_LARGE, "too large", str(len(raw)))
    return raw
