"""The connection to the Docker engine, and the one place where Docker's errors become ours.

Every call into the Docker SDK runs inside `docker_errors()`, so a user sees one line with a fix
(start the engine, build the image, install the NVIDIA toolkit) instead of an SDK traceback.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import closing, contextmanager

import docker
import docker.errors
import docker.utils
import requests
from docker.context import ContextAPI

from schemas import ContainerRunError

ENGINE_FIX = "start one: `make engine` (as root), or `sudo systemctl start docker`"


def engine_address() -> str:
    """Where the SDK looks for the engine: DOCKER_HOST, else the current Docker context."""
    address = docker.utils.kwargs_from_env().get("base_url")
    if not address:
        address = ContextAPI.kwargs_from_context().get("base_url")
    return str(address or "unix:///var/run/docker.sock")


@contextmanager
def docker_errors(where: str) -> Iterator[None]:
    """Translates Docker SDK and transport errors raised inside into ContainerRunError."""
    try:
        yield
    except docker.errors.ImageNotFound as exc:
        raise ContainerRunError(
            f"image not found: {_explanation(exc)}",
            where=where,
            fix="build it with `kernelperf container build KIND`",
        ) from exc
    except docker.errors.APIError as exc:
        raise ContainerRunError(
            f"the Docker engine refused: {_explanation(exc)}", where=where, fix=_api_fix(exc)
        ) from exc
    except (docker.errors.DockerException, requests.exceptions.ConnectionError) as exc:
        raise ContainerRunError(
            f"no Docker engine answers ({type(exc).__name__})",
            where=engine_address(),
            fix=ENGINE_FIX,
        ) from exc


def connect() -> docker.DockerClient:
    """A client of the local engine, checked with a ping; the API version is negotiated.

    The caller closes it (`contextlib.closing`).
    """
    address = engine_address()
    if address.startswith("unix://") and not _unix_socket_answers(address.removeprefix("unix://")):
        raise ContainerRunError("no Docker engine answers", where=address, fix=ENGINE_FIX)
    with docker_errors(address):
        client = docker.from_env(version="auto", timeout=600)
    try:
        with docker_errors(address):
            client.ping()
    except ContainerRunError:
        client.close()
        raise
    return client


def image_id(name: str) -> str:
    """The image ID exactly as `docker image inspect` shows it ('sha256:...')."""
    with closing(connect()) as client, docker_errors(name):
        return str(client.images.get(name).id)


def has_image(client: docker.DockerClient, name: str) -> bool:
    """Whether the engine holds an image of that name."""
    with docker_errors(name):
        try:
            client.images.get(name)
        except docker.errors.ImageNotFound:
            return False
    return True


def _unix_socket_answers(path: str) -> bool:
    """Whether something accepts connections on the socket.

    Checked here because the SDK leaks its socket when the connection is refused.
    """
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
        probe.settimeout(5)
        try:
            probe.connect(path)
        except OSError:
            return False
    return True


def _explanation(exc: docker.errors.DockerException) -> str:
    """The engine's own words, on one line."""
    text = getattr(exc, "explanation", None) or str(exc)
    return " ".join(str(text).split())


def _api_fix(exc: docker.errors.APIError) -> str:
    """A fix for the engine refusals users run into."""
    text = _explanation(exc).lower()
    if "could not select device driver" in text:
        return "install the NVIDIA Container Toolkit, or run without --gpus"
    if "permission denied" in text:
        return "run as root or as a member of the docker group"
    return "read the engine's message above; `docker info` shows the engine's state"
