"""Atomic writes: a reader sees the old file (or folder) or the complete new one, never a part.

Both helpers build the new content in a temporary sibling (same folder, so the same file
system, where a rename is atomic) and rename it into place last. On any error, or an interrupt,
the temporary sibling is removed and the target is left as it was.

`write_file_atomically(path, data)` for one file, `atomic_folder(path, on_existing=...)` for a
folder built in place of the yielded staging path. Errors are the OS's (`OSError`); callers
translate them into their own `KernelPerfError` with a fix.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from enum import StrEnum
from pathlib import Path

# mkstemp and mkdtemp make 0600 files and 0700 folders; what is written should read like any other
# file (a published leaderboard, a schema, a bundle): 0644 and 0755 unless the caller asks for less
# (a private key).
DEFAULT_FILE_MODE = 0o644
DEFAULT_FOLDER_MODE = 0o755


class OnExisting(StrEnum):
    """What `atomic_folder` does when the target folder already exists."""

    REFUSE = "refuse"
    """Raise FileExistsError, before and after building: never touch what is there."""
    REPLACE = "replace"
    """Move the old folder aside, rename the new one in, then delete the old one."""


def _temporary_sibling(target: Path, tag: str) -> Path:
    """A free name beside `target`, hidden (dot) so a listing or a manifest skips it."""
    made = Path(tempfile.mkdtemp(prefix=f".{target.name}.{tag}", dir=target.parent))
    made.rmdir()
    return made


def write_file_atomically(
    target: Path, data: bytes | str, *, mode: int = DEFAULT_FILE_MODE
) -> None:
    """Writes `data` (str as UTF-8) to `target` with permission bits `mode`, atomically.

    The temporary file has `mode` from its first byte (a private key is never briefly readable
    by others) and is fsynced before the rename, so a crash leaves the old file or the new one.
    """
    payload = data.encode("utf-8") if isinstance(data, str) else data
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    temporary = Path(name)
    try:
        os.fchmod(handle, mode)
        with os.fdopen(handle, "wb") as sink:
            sink.write(payload)
            sink.flush()
            os.fsync(sink.fileno())
        temporary.replace(target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


@contextmanager
def atomic_folder(
    target: Path, *, on_existing: OnExisting, mode: int = DEFAULT_FOLDER_MODE
) -> Iterator[Path]:
    """Yields an empty staging folder; when the block ends without error, it becomes `target`.

    The parent of `target` must exist. With `OnExisting.REPLACE`, an existing target is moved to
    a temporary sibling, the staging folder is renamed in, and the old one is deleted; if that
    rename fails, the old folder is put back. The folder gets `mode` (copying into it with
    `shutil.copytree(..., dirs_exist_ok=True)` gives it the source's mode instead).
    """
    if on_existing is OnExisting.REFUSE and (target.exists() or target.is_symlink()):
        raise FileExistsError(f"{target} already exists")
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        staging.chmod(mode)
        yield staging
        _rename_into_place(staging, target, on_existing)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _rename_into_place(staging: Path, target: Path, on_existing: OnExisting) -> None:
    """The last step of `atomic_folder`: one rename, or a swap with the old folder."""
    if not (target.exists() or target.is_symlink()):
        # rename() onto an empty folder succeeds on Linux; the check above keeps REFUSE honest.
        staging.rename(target)
        return
    if on_existing is OnExisting.REFUSE:
        raise FileExistsError(f"{target} already exists")
    retired = _temporary_sibling(target, "old.")
    target.rename(retired)
    try:
        staging.rename(target)
    except BaseException:
        retired.rename(target)
        raise
    if retired.is_dir() and not retired.is_symlink():
        shutil.rmtree(retired, ignore_errors=True)
    else:
        with suppress(FileNotFoundError):
            retired.unlink()
