"""Bundles and key pairs for the signing tests: the harness's bundle writer, attestation's keys.

`write_signable_bundle(target, run_id=..., container=...)` writes a small valid bundle through
`harness.bundle.write_bundle`; `key_pair(folder, name)` makes a real Ed25519 pair on disk.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from attestation import KeyPair, generate_key_pair, load_private_key
from harness.bundle import write_bundle
from schemas import (
    Backend,
    ContainerImage,
    Division,
    Host,
    Profile,
    RunResult,
    Software,
    Suite,
    SystemDescription,
    SystemStatus,
)

DOCKER_IMAGE = ContainerImage(
    image="kernelperf/cpu:0.1.0",
    image_id="sha256:" + "ab" * 32,
    repo_digest=None,
    runtime="docker",
)


def system(container: ContainerImage | None = None, **changes: object) -> SystemDescription:
    """A 2-core CPU system; `container` None means a native run."""
    described = SystemDescription(
        system_id="cpu-2c",
        submitter="Example Org",
        status=SystemStatus.AVAILABLE,
        host=Host(cpu_model="AMD EPYC", sockets=1, cores=2, logical_cpus=2, memory_bytes=24 << 30),
        nodes=1,
        software=Software(os="Debian 12", kernel="6.1", python="3.11", framework="torch 2.13.0"),
        container=container,
    )
    return described.model_copy(update=changes)


def run(run_id: str) -> RunResult:
    """A complete GEMM run without kernels: signing never looks inside the results."""
    return RunResult(
        run_id=run_id,
        harness_version="0.1.0",
        suite=Suite("gemm"),
        profile=Profile.SMOKE,
        division=Division.CLOSED,
        rules_version="2026.1",
        started_utc=datetime(2026, 1, 5, 12, 0, tzinfo=UTC),
        finished_utc=datetime(2026, 1, 5, 12, 1, tzinfo=UTC),
        command_line=("kernelperf", "run", "--suite", "gemm"),
        seed=7,
        complete=True,
        backend=Backend(
            name="torch", device="cpu", device_name="AMD EPYC", threads=2, library_versions={}
        ),
        results=(),
        errors=(),
    )


def write_signable_bundle(
    target: Path, run_id: str = "run-a", container: ContainerImage | None = None
) -> Path:
    """A valid bundle at `target` with a non-empty log, so every file has a byte to change."""
    events = [{"event": "start", "run_id": run_id}, {"event": "finish"}]
    return write_bundle(target, run(run_id), system(container), events)


def key_pair(folder: Path, name: str) -> tuple[KeyPair, Ed25519PrivateKey]:
    """A fresh pair written by `generate_key_pair`, and its private key loaded back."""
    pair = generate_key_pair(folder, name)
    return pair, load_private_key(pair.private_path)
