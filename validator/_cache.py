"""Remembers each bundle's findings by the hash of its files, so an unchanged bundle is not
re-checked.

The key covers every byte that the per-bundle checks read (all files of the bundle), the division
the bundle is judged in, and a fingerprint of the validator itself (its code, rules and device
table), so a new rule or fix never serves a stale verdict. Signatures are not cached: they depend
on key files outside the bundle. The cache lives in the user's cache folder, never beside the
submission (the validator does not write into what it checks).
"""

from __future__ import annotations

import hashlib
import os
from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from schemas.atomic import write_file_atomically
from validator._findings import Finding

CACHE_FORMAT = "1"


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


@cache
def validator_fingerprint() -> str:
    """Hash of the validator's own code and data: a change invalidates every cached verdict."""
    package = Path(__file__).resolve().parent
    digest = hashlib.sha256(CACHE_FORMAT.encode())
    for path in sorted(package.rglob("*")):
        if path.suffix in (".py", ".json", ".csv") and path.is_file():
            digest.update(path.relative_to(package).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


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
