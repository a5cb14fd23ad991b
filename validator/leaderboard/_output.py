"""Writes leaderboard output atomically, and never over existing output without `force`.

A file is written to a temporary sibling and renamed into place; a site folder is built in a
temporary sibling folder and swapped in (`schemas.atomic`), so a reader sees the old site or the
new one, never a mix. Even with `force`, only a folder that holds a previous site (or nothing)
is replaced: a mistyped --out must not delete someone's data.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from schemas import UsageError
from schemas.atomic import OnExisting, atomic_folder, write_file_atomically

SITE_MARKER = "leaderboard.json.gz"
# Sites written before the data was compressed hold this one: --force may still replace them.
EARLIER_SITE_MARKER = "leaderboard.json"


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
    write_file_atomically(target, text)


def _replaceable(target: Path) -> bool:
    """An empty folder, or one holding a site this command wrote."""
    return (
        target.is_dir()
        and not target.is_symlink()
        and (
            not any(target.iterdir())
            or any((target / marker).is_file() for marker in (SITE_MARKER, EARLIER_SITE_MARKER))
        )
    )


def write_tree(target: Path, files: Mapping[str, bytes], *, force: bool = False) -> None:
    """Writes a folder of files (names may hold '/'), swapping it in whole."""
    _refuse_existing(target, force)
    if target.exists() and not _replaceable(target):
        raise UsageError(
            f"{target} exists and does not hold a leaderboard site; --force will not replace it",
            where="--out",
            fix="choose a new folder for the site",
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    policy = OnExisting.REPLACE if force else OnExisting.REFUSE
    with atomic_folder(target, on_existing=policy) as staging:
        for name, content in sorted(files.items()):
            path = staging / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
