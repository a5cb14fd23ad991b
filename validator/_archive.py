"""Unpacks a `.tar.gz` bundle into a private temporary folder, refusing anything unsafe.

A submission is untrusted input: a member may try to escape the folder (`..`, an absolute path),
plant a link or a device, or exhaust the disk. Every member is checked before a byte is written,
and only regular files and folders are ever created; nothing is written next to the archive.
"""

from __future__ import annotations

import shutil
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from validator._findings import Code, Finding, finding

ARCHIVE_SUFFIX = ".tar.gz"


@dataclass(frozen=True)
class ArchiveLimits:
    """Bounds on what one archive may unpack to."""

    max_members: int = 10_000
    max_member_bytes: int = 256 << 20
    max_total_bytes: int = 1 << 30


class _UnsafeError(Exception):
    def __init__(self, item: Finding) -> None:
        super().__init__(item.message)
        self.finding = item


def _member_path(member: tarfile.TarInfo, file: str) -> PurePosixPath:
    """The member's path if it stays inside the archive root, else the finding that says why."""
    path = PurePosixPath(member.name)
    if path.is_absolute() or ".." in path.parts or "\\" in member.name or "\x00" in member.name:
        raise _UnsafeError(finding(Code.ARCHIVE_UNSAFE, file=file, found=member.name))
    if not (member.isfile() or member.isdir()):
        raise _UnsafeError(
            finding(
                Code.ARCHIVE_UNSAFE, file=file, message="link or special file", found=member.name
            )
        )
    return path


def _extract(archive: Path, into: Path, file: str, limits: ArchiveLimits) -> None:
    total_bytes = 0
    with tarfile.open(archive, mode="r:gz") as tar:
        for count, member in enumerate(tar, start=1):
            if count > limits.max_members:
                raise _UnsafeError(
                    finding(
                        Code.ARCHIVE_LIMIT, file=file, expected=f"<= {limits.max_members} members"
                    )
                )
            path = _member_path(member, file)
            total_bytes += member.size
            if member.size > limits.max_member_bytes or total_bytes > limits.max_total_bytes:
                raise _UnsafeError(
                    finding(
                        Code.ARCHIVE_LIMIT,
                        file=file,
                        found=f"{member.name}: {member.size} bytes",
                        expected=f"<= {limits.max_member_bytes} per member, "
                        f"<= {limits.max_total_bytes} in all",
                    )
                )
            target = into.joinpath(*path.parts) if path.parts else into
            if member.isdir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            source = tar.extractfile(member)
            if source is None:
                raise _UnsafeError(finding(Code.ARCHIVE_UNSAFE, file=file, found=member.name))
            with source, target.open("xb") as sink:
                shutil.copyfileobj(source, sink, length=1 << 20)


@contextmanager
def unpacked(
    archive: Path, file: str, limits: ArchiveLimits | None = None
) -> Iterator[Path | Finding]:
    """Yields the folder the archive unpacked to (removed afterwards), or why it could not be."""
    workdir = Path(tempfile.mkdtemp(prefix="kernelperf-validate-"))
    try:
        try:
            _extract(archive, workdir, file, limits or ArchiveLimits())
        except _UnsafeError as exc:
            yield exc.finding
            return
        except (tarfile.TarError, OSError, EOFError, ValueError) as exc:
            yield finding(Code.ARCHIVE_CORRUPT, file=file, found=str(exc) or type(exc).__name__)
            return
        yield bundle_root(workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def bundle_root(folder: Path) -> Path:
    """The bundle inside an unpacked archive: the folder itself, or its single top folder."""
    entries = list(folder.iterdir())
    if len(entries) == 1 and entries[0].is_dir() and not entries[0].is_symlink():
        return entries[0]
    return folder
