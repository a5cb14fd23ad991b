"""The integrity record of a bundle: every other file with its size and sha256."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from schemas.bundle_files import MANIFEST_NAME
from schemas.versioned import DOCUMENT

FROZEN = ConfigDict(frozen=True, extra="forbid")


class ManifestEntry(BaseModel):
    """One file of a bundle."""

    model_config = FROZEN
    path: str = Field(
        pattern=r"^[A-Za-z0-9_-][A-Za-z0-9._-]*(/[A-Za-z0-9_-][A-Za-z0-9._-]*)*$",
        description="Path relative to the bundle root, '/'-separated; no part starts with a dot.",
    )
    size_bytes: int = Field(ge=0, description="Size of the file.")
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="Hex sha256 of the file.")


class Manifest(BaseModel):
    """The document `MANIFEST.json`: lists every other file of the bundle, sorted by path."""

    model_config = DOCUMENT
    schema_version: Literal["1.0"] = Field(default="1.0", description="Version of this format.")
    files: tuple[ManifestEntry, ...] = Field(description="Every file but the manifest itself.")


def sha256_of(path: Path) -> str:
    """Hex sha256 of a file, read in chunks so large logs do not fill memory."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def manifest_of(root: Path) -> Manifest:
    """The manifest a bundle directory should carry: every regular file but the manifest."""
    entries = [
        ManifestEntry(
            path=path.relative_to(root).as_posix(),
            size_bytes=path.stat().st_size,
            sha256=sha256_of(path),
        )
        for path in sorted(root.rglob("*"))
        if path.is_file() and path.relative_to(root).as_posix() != MANIFEST_NAME
    ]
    return Manifest(files=tuple(entries))
