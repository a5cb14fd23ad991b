"""The standard images: built offline from a locked wheelhouse, run hardened through the Docker SDK.

Public names, for the CLI and for tests that start containers as nodes (the multi-node all-reduce
uses `ensure_image`, `image_id` and `connect`; its containers find `kernelperf`, `python`, `mpiexec`
and `hydra_pmi_proxy` on PATH, so `docker exec -i NODE sh -c CMD` runs the harness).
"""

from __future__ import annotations

from containers._build import BuildReport, Progress, build_image, ensure_image, write_context
from containers._engine import connect, docker_errors, has_image, image_id
from containers._images import BASE_IMAGE, SPECS, ImageSpec, image_name, spec_for
from containers._lock import LockEntry, fetch_wheelhouse, read_lock, resolve_lock, write_lock
from containers._run import (
    CONTAINER_OUT,
    RunSettings,
    container_environment,
    rewrite_output,
    run_container,
    run_harness,
)

__all__ = [
    "BASE_IMAGE",
    "CONTAINER_OUT",
    "SPECS",
    "BuildReport",
    "ImageSpec",
    "LockEntry",
    "Progress",
    "RunSettings",
    "build_image",
    "connect",
    "container_environment",
    "docker_errors",
    "ensure_image",
    "fetch_wheelhouse",
    "has_image",
    "image_id",
    "image_name",
    "read_lock",
    "resolve_lock",
    "rewrite_output",
    "run_container",
    "run_harness",
    "spec_for",
    "write_context",
    "write_lock",
]
