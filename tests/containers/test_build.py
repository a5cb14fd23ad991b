"""The build context, the labels and the reading of the builder's log, without an engine."""

from __future__ import annotations

import io
import re
import subprocess
import tarfile
from pathlib import Path

import pytest

from containers import SPECS, spec_for, write_context
from containers._build import DOCKERFILE, count_steps, image_labels, source_digest
from containers._images import SOURCE_ROOT, harness_version
from containers._lock import sha256_of
from harness.allreduce._native import (
    COMPILE_FLAGS,
    LIBRARY_NAME,
    PREBUILT_ENV,
    SOURCE_HASH_SUFFIX,
    SOURCE_NAME,
)


def _context(kind: str, wheels: tuple[Path, ...] = ()) -> bytes:
    buffer = io.BytesIO()
    write_context(buffer, spec_for(kind), wheels)
    return buffer.getvalue()


def _members(context: bytes) -> dict[str, bytes]:
    with tarfile.open(fileobj=io.BytesIO(context)) as tar:
        return {
            member.name: tar.extractfile(member).read()  # type: ignore[union-attr]
            for member in tar.getmembers()
        }


@pytest.mark.parametrize("kind", sorted(SPECS))
def test_the_context_holds_dockerfile_lock_and_source_only(kind: str) -> None:
    members = _members(_context(kind))
    assert members["Dockerfile"] == DOCKERFILE.read_bytes()
    assert members["wheelhouse/requirements.lock"] == spec_for(kind).lock_path.read_bytes()
    for needed in ("src/pyproject.toml", "src/README.md", "src/containers/Dockerfile"):
        assert needed in members
    assert any(name.startswith("src/schemas/suites/gemm/") for name in members)
    assert not [
        name
        for name in members
        if "__pycache__" in name or name.endswith(".pyc") or "/wheelhouse/" in name[4:]
    ]
    assert not any(name.startswith("src/tests/") for name in members)


def test_every_copy_source_of_the_dockerfile_is_in_the_context() -> None:
    names = set(_members(_context("cuda")))
    sources = re.findall(r"^COPY (?!--from)(\S+)", DOCKERFILE.read_text(), flags=re.MULTILINE)
    assert sources == ["wheelhouse/", f"src/harness/allreduce/{SOURCE_NAME}", "src/"]
    for source in sources:
        assert any(name.startswith(source) for name in names), source


def test_the_base_is_a_build_argument_with_the_cpu_base_as_default() -> None:
    text = DOCKERFILE.read_text()
    assert f"ARG BASE_IMAGE={spec_for('cpu').default_base}" in text
    assert re.search(r"^FROM \$\{BASE_IMAGE\} AS runtime$", text, flags=re.MULTILINE)


def test_the_prebuilt_loop_is_compiled_and_named_as_the_harness_expects() -> None:
    text = " ".join(DOCKERFILE.read_text().replace("\\\n", " ").split())
    assert f"/opt/kernelperf/bin/mpicc {' '.join(COMPILE_FLAGS)} /tmp/{SOURCE_NAME} " in text
    (library,) = re.findall(rf"{PREBUILT_ENV}=(\S+)", text)
    assert library.endswith(f"/{LIBRARY_NAME}")
    stamp = f"{library}{SOURCE_HASH_SUFFIX}"
    assert f'sha256sum /tmp/{SOURCE_NAME} | cut -d " " -f 1 > {stamp}' in text
    # The compiler stays in its stage: the image receives the library's folder, nothing more.
    final_stage = text.rsplit("FROM ", 1)[1]
    assert "gcc" not in final_stage
    assert re.findall(r"COPY --from=native (\S+)", final_stage) == [library.rsplit("/", 1)[0]]


def test_an_unchanged_tree_gives_the_same_context_bytes(tmp_path: Path) -> None:
    wheel = tmp_path / "demo-1.0-py3-none-any.whl"
    wheel.write_bytes(b"not really a wheel")
    first = _context("cpu", (wheel,))
    wheel.touch()  # a new mtime alone must not change the context (and miss the cache)
    assert _context("cpu", (wheel,)) == first
    assert _members(first)["wheelhouse/demo-1.0-py3-none-any.whl"] == b"not really a wheel"


def test_labels_name_version_revision_lock_and_source() -> None:
    spec = spec_for("cpu")
    labels = image_labels(spec, spec.default_base)
    head = subprocess.run(
        ["git", "-C", str(SOURCE_ROOT), "rev-parse", "HEAD"], capture_output=True, text=True
    )
    expected_revision = head.stdout.strip() if head.returncode == 0 else "unknown"
    assert labels["org.opencontainers.image.revision"] == expected_revision
    assert labels["org.opencontainers.image.version"] == harness_version()
    assert labels["org.kernelperf.lock.sha256"] == sha256_of(spec.lock_path)
    assert labels["org.kernelperf.source.sha256"] == source_digest()
    assert labels["org.opencontainers.image.base.name"] == spec.default_base
    assert all(isinstance(value, str) and value for value in labels.values())


def test_the_creation_date_comes_from_source_date_epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    labels = image_labels(spec_for("cpu"), "base")
    assert labels["org.opencontainers.image.created"] == "2023-11-14T22:13:20+00:00"


CACHED_LOG = """Step 1/5 : ARG BASE_IMAGE=kernelperf/base:bookworm
Step 2/5 : FROM ${BASE_IMAGE} AS runtime
 ---> 8196534564a5
Step 3/5 : RUN apt-get update
 ---> Using cache
 ---> 1a2b3c4d5e6f
Step 4/5 : COPY src/ /tmp/kernelperf-src/
 ---> Using cache
 ---> 2b3c4d5e6f7a
Step 5/5 : LABEL org.kernelperf.kind=cpu
 ---> Using cache
 ---> 3c4d5e6f7a8b
Successfully built 3c4d5e6f7a8b"""


def test_count_steps_of_a_fully_cached_build() -> None:
    assert count_steps(CACHED_LOG.splitlines()) == (0, 3)


def test_count_steps_of_a_build_whose_source_changed() -> None:
    changed = CACHED_LOG.replace(
        "Step 4/5 : COPY src/ /tmp/kernelperf-src/\n ---> Using cache",
        "Step 4/5 : COPY src/ /tmp/kernelperf-src/",
    ).replace("Step 5/5 : LABEL org.kernelperf.kind=cpu\n ---> Using cache", "Step 5/5 : LABEL x")
    assert count_steps(changed.splitlines()) == (2, 1)


def test_the_cuda_lock_pins_nvml_and_the_cpu_image_does_not_need_it() -> None:
    """GPU state needs NVML's bindings in the cuda image; the CPU image has no GPU to read."""
    from containers._lock import check_lock_covers_project, read_lock

    cuda = spec_for("cuda")
    entries = read_lock(cuda.lock_path)
    check_lock_covers_project(cuda, entries)
    assert "nvidia-ml-py" in {entry.name for entry in entries}
    assert not spec_for("cpu").extra_requirements
