"""The Debian base image, made locally: no image registry is needed, only a Debian mirror.

Sites that benchmark are often air-gapped from registries but not from a package mirror, so the cpu
image starts from `debootstrap --variant=minbase bookworm` imported into the engine, made once and
then found by name.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

import docker

from containers._engine import docker_errors, has_image
from schemas import ContainerRunError

DEBIAN_SUITE = "bookworm"
DEFAULT_MIRROR = "http://deb.debian.org/debian"
# What debootstrap leaves that an image never needs: the downloaded .debs and the package lists.
_CACHES = ("var/cache/apt/archives", "var/lib/apt/lists")


def ensure_base(
    client: docker.DockerClient, name: str, note: Callable[[str], None] = lambda _: None
) -> bool:
    """Makes the base image `name` unless the engine has it; True when it was made now."""
    if has_image(client, name):
        return False
    debootstrap = shutil.which("debootstrap") or shutil.which("debootstrap", path="/usr/sbin")
    if debootstrap is None:
        raise ContainerRunError(
            f"the base image {name} is missing and debootstrap is not installed",
            fix="`make engine` installs it (or: apt-get install debootstrap)",
        )
    if os.geteuid() != 0:
        raise ContainerRunError(
            f"the base image {name} is missing and only root can run debootstrap",
            fix="run `kernelperf container build cpu` once as root, or `docker load` a base",
        )
    mirror = os.environ.get("KERNELPERF_DEBIAN_MIRROR", DEFAULT_MIRROR)
    with tempfile.TemporaryDirectory(prefix="kernelperf-rootfs-") as scratch:
        rootfs = Path(scratch) / "rootfs"
        note(f"debootstrap {DEBIAN_SUITE} from {mirror}")
        _debootstrap(debootstrap, rootfs, mirror)
        for cache in _CACHES:
            for entry in (rootfs / cache).glob("*"):
                if entry.is_file():
                    entry.unlink()
        note(f"importing {name}")
        _import(client, rootfs, name)
    return True


def _debootstrap(debootstrap: str, rootfs: Path, mirror: str) -> None:
    """Runs debootstrap; a failure carries the tail of its log."""
    command = [debootstrap, "--variant=minbase", DEBIAN_SUITE, str(rootfs), mirror]
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        tail = " | ".join((completed.stdout + completed.stderr).strip().splitlines()[-3:])
        raise ContainerRunError(
            f"debootstrap failed: {tail}",
            where=mirror,
            fix="check that the Debian mirror answers, or set KERNELPERF_DEBIAN_MIRROR",
        )


def _import(client: docker.DockerClient, rootfs: Path, name: str) -> None:
    """Streams the root filesystem into the engine as a one-layer image."""
    repository, _, tag = name.rpartition(":")
    tar = subprocess.Popen(
        ["tar", "--numeric-owner", "-C", str(rootfs), "-c", "."], stdout=subprocess.PIPE
    )
    assert tar.stdout is not None  # stdout=PIPE always gives one
    try:
        with docker_errors(name):
            response = client.api.import_image_from_stream(
                tar.stdout,
                repository=repository,
                tag=tag,
                changes=["ENV LANG=C.UTF-8", 'CMD ["/bin/bash"]'],
            )
    finally:
        tar.stdout.close()
        tar_status = tar.wait()
    if tar_status != 0 or not has_image(client, name):
        raise ContainerRunError(
            f"importing the base image failed: {' '.join(str(response).split())[:200]}",
            where=name,
            fix="check free disk space of the engine's data root (`docker info`)",
        )
