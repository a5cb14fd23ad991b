"""The system probe on this machine, and the container facts the container runner passes in."""

from __future__ import annotations

import json
import os
import sys

import pytest

from harness import probe
from schemas import UsageError


def test_probe_describes_this_machine() -> None:
    system = probe.describe_system()
    assert system.host.logical_cpus == len(os.sched_getaffinity(0))
    assert 1 <= system.host.cores <= system.host.logical_cpus
    assert system.host.memory_bytes > 2**30
    assert system.software.framework.startswith("torch ")
    assert system.status.value == "available" and system.submitter == "unsubmitted"
    assert set(system.host.isa_flags) <= set(probe.ISA_FLAGS)


def test_mpi_library_is_found_without_starting_mpi() -> None:
    pytest.importorskip("mpi4py")
    loaded_before = "mpi4py.MPI" in sys.modules
    system = probe.describe_system()
    assert system.software.mpi_library, "mpi4py is installed, so its library should be named"
    assert ("mpi4py.MPI" in sys.modules) == loaded_before, "the probe must not import mpi4py.MPI"


def test_default_system_id_is_a_valid_slug(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("socket.gethostname", lambda: "Node 7.lab (rack)")
    assert probe.default_system_id() == "Node-7.lab-rack"
    monkeypatch.setattr("socket.gethostname", lambda: "###")
    assert probe.default_system_id() == "system"


@pytest.mark.parametrize("bad", ["", "-lead", "has space", "x" * 65])
def test_bad_system_id_is_a_usage_error(bad: str) -> None:
    with pytest.raises(UsageError, match="system id"):
        probe.describe_system(system_id=bad)


def test_container_facts_come_from_the_environment() -> None:
    environ = {
        "KERNELPERF_CONTAINER_IMAGE": "kernelperf/cpu:1.0",
        "KERNELPERF_CONTAINER_IMAGE_ID": "sha256:" + "a" * 64,
        "KERNELPERF_CONTAINER_LABELS": json.dumps({"org.opencontainers.image.version": "1.0"}),
        "KERNELPERF_CONTAINER_RUNTIME": "apptainer",
        "KERNELPERF_CONTAINER_SETTINGS": json.dumps({"network": "none", "read_only": True}),
    }
    image = probe.container(environ)
    assert image is not None
    assert image.image == "kernelperf/cpu:1.0" and image.runtime == "apptainer"
    assert image.labels == {"org.opencontainers.image.version": "1.0"}
    assert image.settings == {"network": "none", "read_only": "true"}
    assert probe.container({}) is None


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("KERNELPERF_CONTAINER_LABELS", "{not json"),
        ("KERNELPERF_CONTAINER_SETTINGS", "[1, 2]"),
        ("KERNELPERF_CONTAINER_RUNTIME", "podman"),
    ],
)
def test_malformed_container_facts_are_usage_errors(name: str, value: str) -> None:
    environ = {"KERNELPERF_CONTAINER_IMAGE_ID": "sha256:" + "b" * 64, name: value}
    with pytest.raises(UsageError) as caught:
        probe.container(environ)
    assert name in caught.value.where


def test_blas_and_onednn_versions_come_from_torch_build_info() -> None:
    libraries = probe.torch_build_libraries()
    assert "blas" in libraries
