"""Builds an official image through the Docker SDK from a context assembled here, offline.

The context holds only what the image needs (the Dockerfile, the locked wheels, the harness's
source), with fixed tar metadata, so an unchanged tree gives an unchanged context and the engine's
layer cache answers every step. The labels are derived from the source, never from the clock, for
the same reason.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import tarfile
import tempfile
import time
import tomllib
from collections.abc import Callable, Iterable, Iterator
from contextlib import closing, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import docker
import docker.errors

from containers._base import ensure_base
from containers._engine import connect, docker_errors, has_image
from containers._images import (
    PACKAGE_DIR,
    SOURCE_ROOT,
    ImageSpec,
    harness_version,
    image_name,
    spec_for,
)
from containers._lock import fetch_wheelhouse, sha256_of
from schemas import ContainerRunError

# (what is happening, steps done, steps in all); total 0 means "unknown yet".
Progress = Callable[[str, int, int], None]
DOCKERFILE = PACKAGE_DIR / "Dockerfile"
_STEP = re.compile(r"^Step (\d+)/(\d+) : (\S+)(.*)$")
_SKIPPED_DIRS = {"__pycache__", "wheelhouse", "build"}


@dataclass(frozen=True)
class BuildReport:
    """What a build made, and how much of it the layer cache answered."""

    image: str
    image_id: str
    size_bytes: int
    labels: dict[str, str]
    steps_run: int
    steps_cached: int
    base_made: bool
    seconds: float
    log: tuple[str, ...] = field(repr=False)

    @property
    def cache_hit(self) -> bool:
        """Every cacheable step came from the cache."""
        return self.steps_run == 0 and self.steps_cached > 0


def build_image(
    kind: str,
    *,
    rebuild: bool = False,
    base: str | None = None,
    progress: Progress = lambda *_: None,
) -> BuildReport:
    """Builds `kernelperf/<kind>:<version>`: base, wheelhouse, context, then `docker build`."""
    spec = spec_for(kind)
    started_s = time.perf_counter()
    base = base or spec.default_base
    with closing(connect()) as client:
        return _build(client, spec, base, rebuild, progress, started_s)


def _build(
    client: docker.DockerClient,
    spec: ImageSpec,
    base: str,
    rebuild: bool,
    progress: Progress,
    started_s: float,
) -> BuildReport:
    """The steps of `build_image` once connected."""
    base_made = _ensure_base(client, spec, base, progress)
    progress("checking the wheelhouse", 0, 0)
    wheels = fetch_wheelhouse(spec)
    name = image_name(spec.kind)
    labels = image_labels(spec, base, base_digest=base_digest(client, base))
    previous_id = _image_id_or_none(client, name)
    with tempfile.TemporaryFile(prefix="kernelperf-context-") as context:
        progress("assembling the build context", 0, 0)
        write_context(context, spec, wheels)
        context.seek(0)
        log = _run_build(client, context, name, base, labels, rebuild, progress)
    with docker_errors(name):
        image = client.images.get(name)
    if previous_id not in (None, image.id):
        _retire(client, previous_id)
    steps_run, steps_cached = count_steps(log)
    return BuildReport(
        image=name,
        image_id=str(image.id),
        size_bytes=int(image.attrs["Size"]),
        labels=dict(image.labels),
        steps_run=steps_run,
        steps_cached=steps_cached,
        base_made=base_made,
        seconds=time.perf_counter() - started_s,
        log=tuple(log),
    )


def ensure_image(kind: str, progress: Progress = lambda *_: None) -> str:
    """The name of the official image of `kind`, built first if the engine lacks it."""
    name = image_name(kind)
    with closing(connect()) as client:
        missing = not has_image(client, name)
    if missing:
        build_image(kind, progress=progress)
    return name


def base_digest(client: docker.DockerClient, base: str) -> str:
    """The base's content digest: its registry digest (name@sha256:...) where it was pulled, else
    its local image id. A tag can move; this cannot, so the image records what it was built on."""
    with docker_errors(base):
        image = client.images.get(base)
    repo_digests = list(image.attrs.get("RepoDigests") or [])
    return str(repo_digests[0]) if repo_digests else str(image.id)


def image_labels(spec: ImageSpec, base: str, *, base_digest: str = "") -> dict[str, str]:
    """OCI labels: version, source revision and time, the base's digest, the lock's hash, the
    source tree's hash."""
    digest = {"org.opencontainers.image.base.digest": base_digest} if base_digest else {}
    return digest | {
        "org.opencontainers.image.title": f"kernelperf-{spec.kind}",
        "org.opencontainers.image.version": harness_version(),
        "org.opencontainers.image.revision": _git("rev-parse", "HEAD") or "unknown",
        "org.opencontainers.image.created": _source_date(),
        "org.opencontainers.image.licenses": "Apache-2.0",
        "org.opencontainers.image.base.name": base,
        "org.kernelperf.kind": spec.kind,
        "org.kernelperf.lock.sha256": sha256_of(spec.lock_path),
        "org.kernelperf.source.sha256": source_digest(),
    }


def write_context(out: IO[bytes], spec: ImageSpec, wheels: Iterable[Path]) -> None:
    """Writes the build context tar: Dockerfile, wheelhouse/ with the lock, src/."""
    with tarfile.open(fileobj=out, mode="w") as tar:
        _add(tar, DOCKERFILE, "Dockerfile")
        _add(tar, spec.lock_path, "wheelhouse/requirements.lock")
        for wheel in wheels:
            _add(tar, wheel, f"wheelhouse/{wheel.name}")
        for path, arcname in source_files():
            _add(tar, path, f"src/{arcname}")


def source_files() -> Iterator[tuple[Path, str]]:
    """The files that make the harness installable: pyproject, README, the packages."""
    if not (SOURCE_ROOT / "pyproject.toml").is_file():
        raise ContainerRunError(
            "building an image needs a KernelPerf source checkout",
            where=str(SOURCE_ROOT),
            fix="run the build from a clone of the repository (pip install -e .)",
        )
    with (SOURCE_ROOT / "pyproject.toml").open("rb") as handle:
        pyproject = tomllib.load(handle)
    yield SOURCE_ROOT / "pyproject.toml", "pyproject.toml"
    yield SOURCE_ROOT / pyproject["project"]["readme"], pyproject["project"]["readme"]
    for pattern in pyproject["tool"]["setuptools"]["packages"]["find"]["include"]:
        package = SOURCE_ROOT / pattern.rstrip("*")
        for path in sorted(package.rglob("*")):
            relative = path.relative_to(SOURCE_ROOT)
            hidden = any(part.startswith(".") or part in _SKIPPED_DIRS for part in relative.parts)
            if path.is_file() and not hidden and path.suffix != ".pyc":
                yield path, relative.as_posix()


def source_digest() -> str:
    """One sha256 over the source files' names and contents: which tree the image holds."""
    digest = hashlib.sha256()
    for path, arcname in source_files():
        digest.update(f"{arcname}\0{sha256_of(path)}\n".encode())
    return digest.hexdigest()


def count_steps(log: Iterable[str]) -> tuple[int, int]:
    """(steps run, steps answered by the cache) from a classic-builder log.

    FROM and ARG steps have no cache line either way, so only the others count.
    """
    run = cached = 0
    pending = False
    for line in log:
        step = _STEP.match(line.strip())
        if step is not None:
            run += pending
            pending = step.group(3).upper() not in {"FROM", "ARG"}
        elif pending and "Using cache" in line:
            cached += 1
            pending = False
    return run + pending, cached


def _ensure_base(
    client: docker.DockerClient, spec: ImageSpec, base: str, progress: Progress
) -> bool:
    """Makes the Debian base when this kind bootstraps its own; otherwise it must be loaded."""
    if spec.bootstraps_base and base == spec.default_base:
        return ensure_base(client, base, lambda text: progress(text, 0, 0))
    if not has_image(client, base):
        raise ContainerRunError(
            f"the base image {base} is not in the Docker engine, and no registry can be assumed",
            where=f"the {spec.kind} image",
            fix=f"on a connected machine `docker pull {base}` and `docker save {base}`, then "
            "`docker load` the archive here (or pass --base IMAGE)",
        )
    return False


def _run_build(
    client: docker.DockerClient,
    context: IO[bytes],
    name: str,
    base: str,
    labels: dict[str, str],
    rebuild: bool,
    progress: Progress,
) -> list[str]:
    """Streams the classic builder's output into `progress`; an error carries the failing step."""
    log: list[str] = []
    current = "the first step"
    with docker_errors(name):
        chunks: Iterator[dict[str, Any]] = client.api.build(
            fileobj=context,
            custom_context=True,
            tag=name,
            buildargs={"BASE_IMAGE": base},
            labels=labels,
            network_mode="host",  # apt only; pip installs from the context
            nocache=rebuild,
            pull=False,
            rm=True,
            forcerm=True,
            decode=True,
        )
        # Read to the end even after an error: the engine closes the stream, and the connection
        # goes back to the client instead of leaking.
        failure = None
        for chunk in chunks:
            if "error" in chunk and failure is None:
                failure = f"image build failed at {current}: {' '.join(chunk['error'].split())}"
            for line in str(chunk.get("stream", "")).splitlines():
                log.append(line)
                step = _STEP.match(line.strip())
                if step is not None:
                    current = line.strip()
                    progress(current[:80], int(step.group(1)) - 1, int(step.group(2)))
    _write_log(name, log)
    if failure is not None:
        raise ContainerRunError(
            failure,
            where=str(_log_path(name)),
            fix="read the build log there; fix the step, then build again",
        )
    return log


def _image_id_or_none(client: docker.DockerClient, name: str) -> str | None:
    """The ID of the image of that name, if the engine has one."""
    return str(client.images.get(name).id) if has_image(client, name) else None


def _retire(client: docker.DockerClient, image_id: str) -> None:
    """Removes the image a rebuild untagged, so rebuilds do not pile up unnamed images.

    Its layers shared with the new image stay; one still used by a container stays too.
    """
    with suppress(docker.errors.APIError):
        client.images.remove(image_id)


def _log_path(name: str) -> Path:
    """Where the last build log of an image is kept."""
    return Path(tempfile.gettempdir()) / f"kernelperf-build-{name.replace('/', '_')}.log"


def _write_log(name: str, log: list[str]) -> None:
    """Keeps the build log for the user to read; best effort, it only helps diagnose."""
    with suppress(OSError):
        _log_path(name).write_text("\n".join(log) + "\n", encoding="utf-8")


def _add(tar: tarfile.TarFile, path: Path, arcname: str) -> None:
    """Adds a file with fixed owner and time, so equal files give equal tars."""
    info = tarfile.TarInfo(arcname)
    info.size = path.stat().st_size
    info.mode = 0o755 if os.access(path, os.X_OK) else 0o644
    with path.open("rb") as handle:
        tar.addfile(info, handle)


def _git(*args: str) -> str | None:
    """A git answer about the source checkout, or None outside one."""
    try:
        completed = subprocess.run(
            ["git", "-C", str(SOURCE_ROOT), *args], capture_output=True, text=True, check=False
        )
    except OSError:
        return None
    return completed.stdout.strip() if completed.returncode == 0 else None


def _source_date() -> str:
    """The image's creation date, reproducible: SOURCE_DATE_EPOCH, else the commit's time."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch is not None and epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), tz=UTC).isoformat()
    return _git("log", "-1", "--format=%cI") or "unknown"
