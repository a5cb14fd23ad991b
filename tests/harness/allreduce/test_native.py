"""Which native loop the harness takes: the image's prebuilt one, only if built from this source.

A stand-in mpicc (a shell script named by $MPICC) logs each call and, when told to, "builds" by
touching its -o file, so no compiler is needed and a test sees whether mpicc ran at all.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from importlib.resources import files
from pathlib import Path

import pytest

from harness.allreduce._native import (
    COMPILE_FLAGS,
    LIBRARY_NAME,
    PREBUILT_ENV,
    SOURCE_HASH_SUFFIX,
    SOURCE_NAME,
    build_library,
    prebuilt_library,
)

SOURCE = files("harness.allreduce").joinpath(SOURCE_NAME).read_bytes()
SOURCE_SHA256 = hashlib.sha256(SOURCE).hexdigest()
# Logs its arguments; builds (the last argument is -o's file) unless $FAKE_MPICC_FAILS is set.
FAKE_MPICC = """#!/bin/sh
echo "$@" >> "$FAKE_MPICC_LOG"
[ -z "$FAKE_MPICC_FAILS" ] || { echo "cc: not found" >&2; exit 1; }
for last; do :; done
touch "$last"
"""


@pytest.fixture
def mpicc_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The stand-in mpicc's call log; the build cache in tmp_path; build_library's memo cleared."""
    mpicc = tmp_path / "mpicc"
    mpicc.write_text(FAKE_MPICC)
    mpicc.chmod(0o755)
    log = tmp_path / "mpicc.log"
    monkeypatch.setenv("MPICC", str(mpicc))
    monkeypatch.setenv("FAKE_MPICC_LOG", str(log))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("FAKE_MPICC_FAILS", raising=False)
    monkeypatch.delenv(PREBUILT_ENV, raising=False)
    build_library.cache_clear()
    yield log
    build_library.cache_clear()


def prebuilt(folder: Path, source_sha256: str | None) -> Path:
    """A prebuilt library in `folder`, with the source hash beside it unless None."""
    folder.mkdir()
    library = folder / LIBRARY_NAME
    library.write_bytes(b"\x7fELF stand-in")
    if source_sha256 is not None:
        stamp = library.with_name(library.name + SOURCE_HASH_SUFFIX)
        stamp.write_text(f"{source_sha256}\n", encoding="ascii")
    return library


def test_a_prebuilt_loop_of_this_source_is_used_without_calling_mpicc(
    mpicc_log: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    library = prebuilt(tmp_path / "image", SOURCE_SHA256)
    monkeypatch.setenv(PREBUILT_ENV, str(library))
    assert build_library("MPICH 5.0.2") == library
    assert not mpicc_log.exists()


@pytest.mark.parametrize(
    ("source_sha256", "named", "reason"),
    [
        (hashlib.sha256(b"another loop").hexdigest(), LIBRARY_NAME, "built from another"),
        (None, LIBRARY_NAME, "has no source hash"),
        ("", LIBRARY_NAME, "has no source hash"),
        (SOURCE_SHA256, "missing.so", "is not a file"),
    ],
)
def test_a_prebuilt_loop_not_of_this_source_is_refused_and_mpicc_builds_one(
    mpicc_log: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    source_sha256: str | None,
    named: str,
    reason: str,
) -> None:
    named_path = str(prebuilt(tmp_path / "image", source_sha256).with_name(named))
    refusal = prebuilt_library(SOURCE, {PREBUILT_ENV: named_path})
    assert isinstance(refusal, str) and reason in refusal
    monkeypatch.setenv(PREBUILT_ENV, named_path)
    built = build_library("MPICH 5.0.2")
    assert isinstance(built, Path) and built.is_file() and str(built) != named_path
    assert mpicc_log.read_text().count("\n") == 1


def test_a_refused_prebuilt_loop_and_a_failed_build_give_both_reasons(
    mpicc_log: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    library = prebuilt(tmp_path / "image", hashlib.sha256(b"another loop").hexdigest())
    monkeypatch.setenv(PREBUILT_ENV, str(library))
    monkeypatch.setenv("FAKE_MPICC_FAILS", "1")
    reason = build_library("MPICH 5.0.2")
    assert isinstance(reason, str)
    assert f"{library} was built from another {SOURCE_NAME}" in reason
    assert "could not build the loop: cc: not found" in reason


def test_without_a_prebuilt_loop_mpicc_builds_with_the_compile_flags(mpicc_log: Path) -> None:
    built = build_library("MPICH 5.0.2")
    assert isinstance(built, Path) and built.name == LIBRARY_NAME
    assert mpicc_log.read_text().split()[: len(COMPILE_FLAGS)] == list(COMPILE_FLAGS)
