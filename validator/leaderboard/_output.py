"""Writes leaderboard output atomically, and never over existing output without `force`.

A file is written to a temporary sibling and renamed into place; a site folder is built in a
temporary sibling folder and swapped in, so a reader sees the old site or the new one, never a
mix. Even with `force`, only a folder that holds a previous site (or nothing) is replaced: a
mistyped --out must not delete someone's data.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

from schemas import UsageError

SITE_MARKER = "leaderboard.json"


def _refuse_existing(target: Path, force: bool) -> None:
    if (target.exists() or target.is_symlink()) and not force:
        raise UsageError(
            f"{target} already exists",
            where="--out",
            fix="choose a new path, or add --force to replace it",
        )


def write_file(target: Path, text: str, *, force: bool = False) -> None:
    """Writes one text file via a temporary sibling and a rename."""
    _refuse_existing(target, force)
    if target.is_dir():
        raise UsageError(f"{target} is a folder", where="--out", fix="name a file to write")
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as sink:
            sink.write(text)
        Path(temporary).replace(target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _replaceable(target: Path) -> bool:
    """An empty folder, or one holding a site this command wrote."""
    return (
        target.is_dir()
        and not target.is_symlink()
        and (not any(target.iterdir()) or (target / SITE_MARKER).is_file())
    )


def write_tree(target: Path, files: Mapping[str, str], *, force: bool = False) -> None:
    """Writes a folder of text files (names may hold '/'), swapping it in whole."""
    _refuse_existing(target, force)
    if target.exists() and not _replaceable(target):
        raise UsageError(
            f"{target} exists and does not hold a leaderboard site; --force will not replace it",
            where="--out",
            fix="choose a new folder for the site",
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        for name, text in sorted(files.items()):
            path = staging / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8", newline="")
        staging.chmod(0o755)
        if target.exists():
            retired = Path(tempfile.mkdtemp(prefix=f".{target.name}.old.", dir=target.parent))
            retired.rmdir()
            target.rename(retired)
            staging.rename(target)
            shutil.rmtree(retired, ignore_errors=True)
        else:
            staging.rename(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
