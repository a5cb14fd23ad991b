"""Atomic writes: the target is the old content or the new, and no temporary file is left behind."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from schemas.atomic import OnExisting, atomic_folder, write_file_atomically


class InterruptedWriteError(Exception):
    """Stands for anything that stops a write half-way (a full disk, ^C, a bug)."""


def listing(folder: Path) -> list[str]:
    """Every name in `folder`, hidden temporary siblings included."""
    return sorted(path.name for path in folder.iterdir())


def test_a_file_is_written_with_its_mode(tmp_path: Path) -> None:
    target = tmp_path / "a.json"
    write_file_atomically(target, "é\n")
    assert target.read_bytes() == "é\n".encode()
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    write_file_atomically(target, b"secret", mode=0o600)
    assert (target.read_bytes(), stat.S_IMODE(target.stat().st_mode)) == (b"secret", 0o600)
    assert listing(tmp_path) == ["a.json"]


def test_a_file_write_that_fails_mid_way_leaves_the_original_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "a.json"
    target.write_text("original")

    def fail(_fd: int) -> None:
        raise InterruptedWriteError

    monkeypatch.setattr("os.fsync", fail)  # after the bytes are written, before the rename
    with pytest.raises(InterruptedWriteError):
        write_file_atomically(target, "new content")
    assert target.read_text() == "original"
    assert listing(tmp_path) == ["a.json"]


def test_a_file_write_that_fails_leaves_no_target_when_there_was_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(_fd: int) -> None:
        raise InterruptedWriteError

    monkeypatch.setattr("os.fsync", fail)
    with pytest.raises(InterruptedWriteError):
        write_file_atomically(tmp_path / "a.json", "new content")
    assert listing(tmp_path) == []


def test_a_folder_appears_whole(tmp_path: Path) -> None:
    target = tmp_path / "bundle"
    with atomic_folder(target, on_existing=OnExisting.REFUSE) as staging:
        (staging / "result.json").write_text("{}")
        assert not target.exists()
    assert listing(target) == ["result.json"]
    assert stat.S_IMODE(target.stat().st_mode) == 0o755  # as mkdir makes it, not mkdtemp's 0700
    assert listing(tmp_path) == ["bundle"]


@pytest.mark.parametrize("policy", list(OnExisting))
def test_a_folder_build_that_fails_leaves_the_original_and_no_temporary(
    tmp_path: Path, policy: OnExisting
) -> None:
    target = tmp_path / "bundle"
    target.mkdir()
    (target / "old.json").write_text("original")
    if policy is OnExisting.REFUSE:
        target = tmp_path / "fresh"
    with pytest.raises(InterruptedWriteError), atomic_folder(target, on_existing=policy) as staging:
        (staging / "half.json").write_text("{")
        raise InterruptedWriteError
    assert (tmp_path / "bundle" / "old.json").read_text() == "original"
    assert listing(tmp_path) == ["bundle"]


def test_replace_swaps_the_old_folder_for_the_new(tmp_path: Path) -> None:
    target = tmp_path / "site"
    target.mkdir()
    (target / "old.html").write_text("old")
    with atomic_folder(target, on_existing=OnExisting.REPLACE) as staging:
        (staging / "new.html").write_text("new")
        assert listing(target) == ["old.html"]  # readers see the old site until the end
    assert listing(target) == ["new.html"]
    assert listing(tmp_path) == ["site"]


def test_a_failed_swap_puts_the_old_folder_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "site"
    target.mkdir()
    (target / "old.html").write_text("old")
    real_rename = Path.rename

    def rename(self: Path, destination: Path) -> Path:
        if self.name.startswith(".site.") and not self.name.startswith(".site.old."):
            raise InterruptedWriteError  # the staging folder cannot be renamed in
        return real_rename(self, destination)

    monkeypatch.setattr(Path, "rename", rename)
    replace = OnExisting.REPLACE
    with pytest.raises(InterruptedWriteError), atomic_folder(target, on_existing=replace) as new:
        (new / "new.html").write_text("new")
    assert listing(target) == ["old.html"]
    assert listing(tmp_path) == ["site"]


def test_refuse_never_touches_an_existing_target(tmp_path: Path) -> None:
    target = tmp_path / "bundle"
    target.mkdir()
    (target / "old.json").write_text("original")
    with pytest.raises(FileExistsError):
        atomic_folder(target, on_existing=OnExisting.REFUSE).__enter__()
    with (
        pytest.raises(FileExistsError),
        atomic_folder(tmp_path / "late", on_existing=OnExisting.REFUSE) as staging,
    ):
        (staging / "new.json").write_text("new")
        (tmp_path / "late").mkdir()  # someone else made it meanwhile
    assert listing(tmp_path) == ["bundle", "late"]
    assert listing(tmp_path / "late") == []
    assert (target / "old.json").read_text() == "original"
