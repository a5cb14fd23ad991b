"""The standard images: built offline from a locked wheelhouse, run hardened through the Docker SDK.

Public names, for the CLI and for tests that start containers as nodes (the multi-node all-reduce
uses `ensure_image`, `image_id` and `connect`; its containers find `kernelperf`, `python`, `mpiexec`
and `hydra_pmi_proxy` on PATH, so `docker exec -i NODE sh -c CMD` runs the harness). The
`cluster_*` functions make containers stand in for the nodes of a cluster, driven by the host's
mpiexec or by a Slurm controller in a container of its own.

Importing this package does not import the Docker SDK: each name is loaded from its private
module on first use, so the CLI can build its parser (it lists `SPECS`) without docker.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # what mypy sees; `X as X` marks each as re-exported
    from containers._build import BuildReport as BuildReport
    from containers._build import Progress as Progress
    from containers._build import build_image as build_image
    from containers._build import ensure_image as ensure_image
    from containers._build import write_context as write_context
    from containers._cluster import cluster_down as cluster_down
    from containers._cluster import cluster_exec as cluster_exec
    from containers._cluster import cluster_run as cluster_run
    from containers._cluster import cluster_up as cluster_up
    from containers._engine import connect as connect
    from containers._engine import docker_errors as docker_errors
    from containers._engine import has_image as has_image
    from containers._engine import image_id as image_id
    from containers._images import BASE_IMAGE as BASE_IMAGE
    from containers._images import SPECS as SPECS
    from containers._images import ImageSpec as ImageSpec
    from containers._images import image_name as image_name
    from containers._images import spec_for as spec_for
    from containers._lock import LockEntry as LockEntry
    from containers._lock import fetch_wheelhouse as fetch_wheelhouse
    from containers._lock import read_lock as read_lock
    from containers._lock import resolve_lock as resolve_lock
    from containers._lock import write_lock as write_lock
    from containers._run import CONTAINER_OUT as CONTAINER_OUT
    from containers._run import RunSettings as RunSettings
    from containers._run import container_environment as container_environment
    from containers._run import container_image as container_image
    from containers._run import rewrite_output as rewrite_output
    from containers._run import run_container as run_container
    from containers._run import run_harness as run_harness

# The public names, by the private module that defines each; tests check that each resolves.
_HOME = {
    "_build": ("BuildReport", "Progress", "build_image", "ensure_image", "write_context"),
    "_cluster": ("cluster_down", "cluster_exec", "cluster_run", "cluster_up"),
    "_engine": ("connect", "docker_errors", "has_image", "image_id"),
    "_images": ("BASE_IMAGE", "SPECS", "ImageSpec", "image_name", "spec_for"),
    "_lock": ("LockEntry", "fetch_wheelhouse", "read_lock", "resolve_lock", "write_lock"),
    "_run": (
        "CONTAINER_OUT",
        "RunSettings",
        "container_environment",
        "container_image",
        "rewrite_output",
        "run_container",
        "run_harness",
    ),
}
_MODULE_OF = {name: module for module, names in _HOME.items() for name in names}
__all__ = sorted(_MODULE_OF)


def __getattr__(name: str) -> object:
    """Loads a public name from its private module the first time it is asked for (PEP 562)."""
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module 'containers' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"containers.{module}"), name)
    globals()[name] = value
    return value
