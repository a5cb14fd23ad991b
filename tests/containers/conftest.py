"""The real Docker engine and the cpu image, shared by the container tests.

CI must run these tests, never skip them: there, a missing engine fails (`make test` starts one
through `make engine`). Elsewhere they are skipped with the reason and the fix.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass

import docker
import pytest

import containers
from schemas import ContainerRunError


def in_ci() -> bool:
    """Whether this is a CI run, as CI services announce it."""
    return os.environ.get("CI", "").lower() not in {"", "0", "false"}


def require_engine(what: str) -> None:
    """Skips (fails under CI) the calling fixture when no Docker engine answers."""
    try:
        with closing(containers.connect()):
            pass
    except ContainerRunError as exc:
        reason = f"no Docker engine answers ({exc.what}); `make engine` starts one"
        if in_ci():
            pytest.fail(f"CI must run the {what} tests: {reason}", pytrace=False)
        pytest.skip(reason)


@dataclass(frozen=True)
class CpuBuild:
    """The first build of the session, and whether the base image had to be made for it."""

    report: containers.BuildReport
    base_existed: bool


@pytest.fixture(scope="session")
def docker_client() -> Iterator[docker.DockerClient]:
    """A client of the running engine."""
    try:
        client = containers.connect()
    except ContainerRunError as exc:
        reason = f"no Docker engine answers ({exc.what}); `make engine` starts one"
        if in_ci():
            pytest.fail(f"CI must run the Docker tests: {reason}", pytrace=False)
        pytest.skip(reason)
    with closing(client):
        yield client


@pytest.fixture(scope="session")
def cpu_build(docker_client: docker.DockerClient) -> CpuBuild:
    """The cpu image, built for real: from nothing on a fresh machine (debootstrap included)."""
    base_existed = containers.has_image(docker_client, containers.BASE_IMAGE)
    return CpuBuild(containers.build_image("cpu"), base_existed)
