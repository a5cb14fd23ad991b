"""Remembers each bundle's findings by the hash of its files, so an unchanged bundle is not
re-checked.

The key covers every byte that the per-bundle checks read (all files of the bundle), the division
the bundle is judged in, and a fingerprint of the code that judges it: the validator (its code,
rules and device table), `schemas` (FLOP formulas, `summarize`, the JSON Schemas) and
`attestation`, so a new rule, formula or fix never serves a stale verdict. Signatures are not
cached: they depend on key files outside the bundle. The cache lives in the user's cache folder,
never beside the submission (the validator does not write into what it checks).
"""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Sequence
from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

import attestation
import schemas
from schemas.atomic import write_file_atomically
from validator._findings import Finding

CACHE_FORMAT = "1"
# Every file a verdict can depend on: code, rules, JSON Schemas, the device table.
FINGERPRINTED_SUFFIXES = (".py", ".json", ".csv")


class CachedBundle(BaseModel):
    """What a bundle's checks concluded: findings (bundle-relative) and which documents parsed."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    findings: tuple[Finding, ...]
    parsed: tuple[str, ...]


def default_cache_dir() -> Path | None:
    """$KERNELPERF_CACHE_DIR, else $XDG_CACHE_HOME or ~/.cache, + kernelperf/validate; "" = off."""
    configured = os.environ.get("KERNELPERF_CACHE_DIR")
    if configured is not None:
        return Path(configured) if configured else None
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "kernelperf" / "validate"


def judging_packages() -> tuple[Path, ...]:
    """The folders of the packages whose code and data decide a verdict."""
    return tuple(
        Path(module.__file__).resolve().parent
        for module in (sys.modules[__package__], schemas, attestation)
        if module.__file__ is not None
    )


def code_fingerprint(packages: Sequence[Path]) -> str:
    """Hash of every code and data file under `packages`, named by package and relative path."""
    digest = hashlib.sha256(CACHE_FORMAT.encode())
    for package in packages:
        for path in sorted(package.rglob("*")):
            if path.suffix in FINGERPRINTED_SUFFIXES and path.is_file():
                digest.update(f"{package.name}/{path.relative_to(package).as_posix()}\0".encode())
                digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


@cache
def validator_fingerprint() -> str:
    """The fingerprint of the judging code, computed once per process (a few ms)."""
    return code_fingerprint(judging_packages())


def cache_key(file_digests: dict[str, str], division: str | None) -> str:
    """The key of a bundle's verdict: its files' contents, its division, the validator."""
    digest = hashlib.sha256(validator_fingerprint().encode())
    digest.update(f"division={division}\n".encode())
    for name in sorted(file_digests):
        digest.update(f"{name}\0{file_digests[name]}\n".encode())
    return digest.hexdigest()


def load_cached(folder: Path | None, key: str) -> CachedBundle | None:
    """The cached verdict, or None (absent, unreadable or from another format)."""
    if folder is None:
        return None
    try:
        return CachedBundle.model_validate_json((folder / key[:2] / f"{key}.json").read_bytes())
    except (OSError, ValidationError):
        return None


def store_cached(folder: Path | None, key: str, verdict: CachedBundle) -> None:
    """Writes a verdict atomically; a cache that cannot be written is silently skipped."""
    if folder is None:
        return
    target = folder / key[:2] / f"{key}.json"
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        write_file_atomically(target, verdict.model_dump_json())
    except OSError:
        return
