"""Runs a command in an image, hardened, with the output directory as its only writable place.

The container gets no network, a read-only root with a tmpfs for /tmp (also HOME), a non-root user,
no capabilities, no-new-privileges, and memory and pids limits. The probe inside learns the image
and these settings from KERNELPERF_CONTAINER_* variables (`schemas.container_env`), so the bundle
records what ran it.

The output directory is mounted as itself: the harness writes each bundle atomically there, as it
does natively, so a stopped run leaves whole bundles that `--resume` can finish.

GPUs: unless told, a cuda image gets every GPU (`--gpus all`) and any other image none. "None"
is enforced, not just left out: with the NVIDIA runtime as the host's default, an image carrying
NVIDIA_VISIBLE_DEVICES=all would see every GPU while the bundle recorded "none", so the variable
is set to `void`. A launcher (e.g. `torchrun --no-python --standalone --nproc-per-node 2`) can be
put in front of `kernelperf`, so that ranks start inside the container.
"""

from __future__ import annotations

import errno
import os
import socket
import sys
from collections.abc import Sequence
from contextlib import closing
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO, Any

import docker
from docker.types import DeviceRequest, Mount

from containers._engine import connect, docker_errors
from schemas import RESULT_NAME, ContainerImage, UsageError, container_env

CONTAINER_OUT = "/kp/out"
# Harness options naming the directory it writes bundles into.
OUTPUT_FLAGS = ("--out", "--resume")
# Root outside must not mean root inside: a root caller's container runs as nobody instead.
NOBODY_UID = 65534
# What `--gpus` accepts to mean "no GPU"; the NVIDIA runtime's value that hides them all.
NO_GPUS = ("none", "0")
HIDDEN_GPUS = {"NVIDIA_VISIBLE_DEVICES": "void"}


def default_memory() -> str:
    """Three quarters of the host's memory, in whole GiB: room for the benchmark, not the host."""
    total_bytes = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return f"{max(1, total_bytes * 3 // 4 // 2**30)}g"


def container_user() -> tuple[int, int]:
    """The uid and gid the container runs as: the caller's, or nobody's for root."""
    if os.getuid() == 0:
        return NOBODY_UID, NOBODY_UID
    return os.getuid(), os.getgid()


@dataclass(frozen=True)
class RunSettings:
    """The hardening and limits of one container run."""

    memory: str = field(default_factory=default_memory)
    pids_limit: int = 4096
    shm_size: str = "1g"
    tmp_size: str = "2g"
    gpus: str | None = None
    """'all', a count, 'none'; None means the image's default (all for cuda, else none)."""

    def for_image(self, kind: str) -> RunSettings:
        """These settings with the GPU default of an image of `kind` filled in."""
        if self.gpus is not None:
            return self
        return replace(self, gpus="all" if kind == "cuda" else "none")

    @property
    def hides_gpus(self) -> bool:
        """No GPU was asked for: the container must see none, whatever its runtime."""
        return self.gpus is None or self.gpus in NO_GPUS

    def environment(self) -> dict[str, str]:
        """Variables the settings impose on the container (hiding the GPUs)."""
        return dict(HIDDEN_GPUS) if self.hides_gpus else {}

    def recorded(self) -> dict[str, str]:
        """The settings as the bundle records them (system.json's container.settings)."""
        uid, gid = container_user()
        return {
            "network": "none",
            "read_only_root": "true",
            "tmpfs": f"/tmp size={self.tmp_size}",
            "user": f"{uid}:{gid}",
            "cap_drop": "ALL",
            "security_opt": "no-new-privileges",
            "memory": self.memory,
            "pids_limit": str(self.pids_limit),
            "shm_size": self.shm_size,
            "gpus": "none" if self.hides_gpus else str(self.gpus),
            "writable": CONTAINER_OUT,
        }

    def docker_options(self) -> dict[str, Any]:
        """The same settings as Docker SDK keyword arguments of `containers.create`."""
        uid, gid = container_user()
        options: dict[str, Any] = {
            "network_mode": "none",
            "read_only": True,
            "tmpfs": {"/tmp": f"rw,nosuid,nodev,size={self.tmp_size},mode=1777"},
            "user": f"{uid}:{gid}",
            "cap_drop": ["ALL"],
            "security_opt": ["no-new-privileges"],
            "mem_limit": self.memory,
            "memswap_limit": self.memory,  # equal: no swap, which would distort timings
            "pids_limit": self.pids_limit,
            "shm_size": self.shm_size,
            "init": True,
            "working_dir": "/tmp",
            # The host's name: the probe derives the default system id from it, as natively.
            "hostname": socket.gethostname(),
        }
        if not self.hides_gpus:
            options["device_requests"] = [_gpu_request(str(self.gpus))]
        return options


def run_container(
    image: str,
    argv: Sequence[str],
    *,
    settings: RunSettings,
    out_dir: Path | None = None,
    stdout: IO[bytes] | None = None,
    stderr: IO[bytes] | None = None,
    client: docker.DockerClient | None = None,
) -> int:
    """Runs `argv` in `image` with `settings`, streams its output, returns its exit code.

    `out_dir`, when given, is mounted read-write at CONTAINER_OUT: the only writable volume.
    """
    if client is None:
        with closing(connect()) as own:
            return run_container(
                image,
                argv,
                settings=settings,
                out_dir=out_dir,
                stdout=stdout,
                stderr=stderr,
                client=own,
            )
    out = stdout or sys.stdout.buffer
    err = stderr or sys.stderr.buffer
    with docker_errors(image):
        found = client.images.get(image)
        settings = settings.for_image(dict(found.labels or {}).get(KIND_LABEL, ""))
        mounts = [Mount(CONTAINER_OUT, str(out_dir), type="bind")] if out_dir else []
        container = client.containers.create(
            image,
            command=list(argv),
            environment=container_environment(container_image(image, found, settings))
            | settings.environment(),
            mounts=mounts,
            labels={"org.kernelperf.run": "true"},
            **settings.docker_options(),
        )
        try:
            stream = client.api.attach(
                container.id, stdout=True, stderr=True, stream=True, logs=True, demux=True
            )
            try:
                container.start()
                for out_chunk, err_chunk in stream:
                    for sink, chunk in ((out, out_chunk), (err, err_chunk)):
                        if chunk:
                            sink.write(chunk)
                            sink.flush()
            finally:
                stream.close()
                # The SDK closes the socket but not the response that owns it, which leaks it.
                stream._response.close()
            status = container.wait()
        finally:
            container.remove(force=True)
    return int(status["StatusCode"])


def run_harness(
    image: str,
    harness_args: Sequence[str],
    *,
    settings: RunSettings,
    stdout: IO[bytes] | None = None,
    stderr: IO[bytes] | None = None,
    launcher: Sequence[str] = (),
) -> int:
    """Runs `[LAUNCHER] kernelperf HARNESS_ARGS` in `image`, its --out (or --resume) directory
    mounted; a launcher such as torchrun starts the ranks inside the container."""
    args, target = rewrite_output(harness_args)
    argv = [*launcher, "kernelperf", *args]
    with closing(connect()) as client:
        with docker_errors(image):
            client.images.get(image)  # before any directory is made for it
        created = target is not None and _prepare_output(target)
        try:
            return run_container(
                image,
                argv,
                settings=settings,
                out_dir=target,
                stdout=stdout,
                stderr=stderr,
                client=client,
            )
        finally:
            if target is not None:
                _give_back(target)
                if created and not any(target.iterdir()):
                    target.rmdir()


def rewrite_output(
    harness_args: Sequence[str], inside: str = CONTAINER_OUT
) -> tuple[list[str], Path | None]:
    """The arguments with the output directory moved to `inside`, and the host path.

    The output directory is --out, or --resume's (a bundle given to --resume means its parent).
    `inside` is where the container sees it: the mount of `container run`, or a folder of the
    share of `cluster run`.
    """
    args = list(harness_args)
    places = [i for i, arg in enumerate(args) if arg.split("=", 1)[0] in OUTPUT_FLAGS]
    if not places:
        return args, None
    if len(places) > 1:
        raise UsageError(
            "more than one output directory is given", fix="give one --out DIR (or --resume DIR)"
        )
    index = places[0]
    flag, has_value, value = args[index].partition("=")
    if not has_value:
        if index + 1 >= len(args):
            raise UsageError(f"{flag} needs a directory", fix=f"write {flag} DIR")
        value = args.pop(index + 1)
    target = Path(value).expanduser().resolve()
    if flag == "--resume" and (target / RESULT_NAME).is_file():
        target = target.parent
    args[index : index + 1] = [flag, inside]
    return args, target


def container_image(
    name: str, image: docker.models.images.Image, settings: RunSettings
) -> ContainerImage:
    """The container section of system.json for a run of `image` with `settings`."""
    return ContainerImage(
        image=name,
        image_id=str(image.id),
        labels=dict(image.labels),
        runtime="docker",
        settings=settings.recorded(),
    )


def container_environment(described: ContainerImage) -> dict[str, str]:
    """The environment of a run: what the probe inside reads, and a writable HOME."""
    return container_env.to_env(described) | {"HOME": "/tmp", "TMPDIR": "/tmp"}


# The label `kernelperf container build` gives an image (containers/_build.py).
KIND_LABEL = "org.kernelperf.kind"


def _gpu_request(gpus: str) -> DeviceRequest:
    """`--gpus all` or `--gpus N`, as Docker's device request for the NVIDIA runtime."""
    if gpus == "all":
        return DeviceRequest(count=-1, capabilities=[["gpu"]])
    if gpus.isdigit() and int(gpus) > 0:
        return DeviceRequest(count=int(gpus), capabilities=[["gpu"]])
    raise UsageError(f"--gpus {gpus!r} is not understood", fix="use --gpus all or --gpus N")


def _prepare_output(target: Path) -> bool:
    """Makes the output directory writable for the container user; True when it was created."""
    if target.exists() and not target.is_dir():
        raise UsageError(
            "the output path is a file", where=str(target), fix="name a directory instead"
        )
    created = not target.exists()
    try:
        target.mkdir(parents=True, exist_ok=True)
        if not os.access(target, os.W_OK | os.X_OK):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))
        if os.getuid() == 0:
            _chown_tree(target, NOBODY_UID, NOBODY_UID)
    except OSError as exc:
        raise UsageError(
            f"the output directory is not writable: {exc.strerror}",
            where=str(target),
            fix="choose an --out directory you can write to",
        ) from exc
    return created


def _give_back(target: Path) -> None:
    """A root caller's container wrote as nobody; the caller owns what it asked for."""
    if os.getuid() == 0:
        _chown_tree(target, os.getuid(), os.getgid())


def _chown_tree(root: Path, uid: int, gid: int) -> None:
    """chown -R, without following links."""
    for path in (root, *root.rglob("*")):
        os.chown(path, uid, gid, follow_symlinks=False)
