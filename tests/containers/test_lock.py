"""The checked-in wheelhouse locks: complete, canonical, and read strictly."""

from __future__ import annotations

from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

from containers import SPECS, LockEntry, read_lock, spec_for
from containers._lock import check_lock_covers_project, lock_text, normalized, project_requirements
from schemas import ContainerRunError


@pytest.mark.parametrize("kind", sorted(SPECS))
def test_the_lock_pins_every_project_requirement_within_its_range(kind: str) -> None:
    pins = {entry.name: Version(entry.version) for entry in read_lock(spec_for(kind).lock_path)}
    for text in project_requirements():
        requirement = Requirement(text)
        name = normalized(requirement.name)
        assert name in pins, f"{kind} lock lacks {name}: run `kernelperf container lock {kind}`"
        assert requirement.specifier.contains(pins[name], prereleases=True), (name, pins[name])


@pytest.mark.parametrize("kind", sorted(SPECS))
def test_the_checked_in_lock_is_in_canonical_form(kind: str) -> None:
    spec = spec_for(kind)
    entries = read_lock(spec.lock_path)
    assert lock_text(spec, entries) == spec.lock_path.read_text(encoding="utf-8")
    assert [entry.name for entry in entries] == sorted({entry.name for entry in entries})


def test_the_cpu_image_takes_the_cpu_torch_and_the_cuda_image_the_cuda_one() -> None:
    cpu = {entry.name: entry.version for entry in read_lock(spec_for("cpu").lock_path)}
    cuda = {entry.name: entry.version for entry in read_lock(spec_for("cuda").lock_path)}
    assert cpu["torch"].endswith("+cpu")
    assert not any(name.startswith("nvidia-") for name in cpu)
    assert "+" not in cuda["torch"] and "nvidia-cudnn-cu13" in cuda and "nvidia-nccl-cu13" in cuda
    for needed in ("mpi4py", "mpich", "numpy", "setuptools"):
        assert needed in cpu and needed in cuda


def test_a_lock_round_trips_through_its_text(tmp_path: Path) -> None:
    entries = (
        LockEntry("numpy", "2.4.6", "a" * 64),
        LockEntry("torch", "2.13.0+cpu", "0123456789abcdef" * 4),
    )
    path = tmp_path / "wheelhouse-cpu.lock"
    path.write_text(lock_text(spec_for("cpu"), entries), encoding="utf-8")
    assert read_lock(path) == entries


def test_a_malformed_entry_names_its_place(tmp_path: Path) -> None:
    path = tmp_path / "broken.lock"
    path.write_text("# header\nnumpy>=2 \\\n    --hash=sha256:" + "a" * 64 + "\n")
    with pytest.raises(ContainerRunError) as caught:
        read_lock(path)
    assert "numpy>=2" in caught.value.what and "entry 2" in caught.value.where


def test_a_missing_lock_says_how_to_write_one(tmp_path: Path) -> None:
    with pytest.raises(ContainerRunError) as caught:
        read_lock(tmp_path / "absent.lock")
    assert "kernelperf container lock" in caught.value.fix


def test_a_dependency_added_without_relocking_stops_the_build_early() -> None:
    spec = spec_for("cpu")
    entries = [entry for entry in read_lock(spec.lock_path) if entry.name != "rich"]
    with pytest.raises(ContainerRunError) as caught:
        check_lock_covers_project(spec, entries)
    assert "rich" in caught.value.what
    assert "kernelperf container lock cpu" in caught.value.fix
