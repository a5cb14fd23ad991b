"""`kernelperf cluster`: two containers of the cpu image as two nodes, all-reduce across them."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

import containers
from containers._cluster import LABEL, SHARE, mpiexec_command
from schemas import ContainerRunError, SystemDescription
from tests.containers.conftest import in_ci, require_engine

BIN = Path(sys.executable).parent
REPO = Path(__file__).resolve().parents[2]


def test_out_is_moved_into_the_shared_directory() -> None:
    inside = f"{SHARE}/0123abcd"
    args, target = containers.rewrite_output(
        ["run", "--out", "out/ar", "--profile", "smoke"], inside=inside
    )
    assert args == ["run", "--out", inside, "--profile", "smoke"]
    assert target == Path("out/ar").resolve()
    args, target = containers.rewrite_output(["run", "--out=x"], inside=inside)
    assert (args, target) == (["run", "--out", inside], Path("x").resolve())
    assert containers.rewrite_output(["problems"], inside=inside) == (["problems"], None)


def test_mpiexec_reaches_the_nodes_through_the_wrapper_on_loopback(tmp_path: Path) -> None:
    command = mpiexec_command(["a-node1", "a-node2"], 2, tmp_path / "ssh", ["kernelperf", "run"])
    assert command[0] == str(BIN / "mpiexec")
    flags = " ".join(command[1:])
    assert f"-launcher ssh -launcher-exec {tmp_path / 'ssh'}" in flags
    assert "-hybrid-hosts -localhost 127.0.0.1 -genvnone" in flags
    assert "-genv FI_TCP_IFACE lo" in flags
    assert flags.endswith("-hosts a-node1,a-node2 -ppn 2 -n 4 kernelperf run")


def kernelperf(*args: str) -> subprocess.CompletedProcess[str]:
    """The CLI, for real, from the repository root."""
    return subprocess.run(
        [str(BIN / "kernelperf"), *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


@pytest.fixture(scope="module")
def cluster() -> Iterator[str]:
    """Two nodes of the current cpu image (rebuilt if the source changed); removed afterwards."""
    require_engine("Docker")
    containers.build_image("cpu")
    name = f"kpt{uuid.uuid4().hex[:6]}"
    up = kernelperf("cluster", "--name", name, "up", "--nodes", "2")
    try:
        assert up.returncode == 0, up.stderr
        yield name
    finally:
        down = kernelperf("cluster", "--name", name, "down")
        assert down.returncode == 0, down.stderr


@pytest.mark.docker
@pytest.mark.mpi
def test_allreduce_across_two_containers_records_two_nodes(cluster: str, tmp_path: Path) -> None:
    done = kernelperf(
        "cluster", "--name", cluster, "run", "--",
        "run", "--suite", "allreduce", "--profile", "smoke", "--out", str(tmp_path),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    bundle = tmp_path / "allreduce"
    system = SystemDescription.model_validate_json((bundle / "system.json").read_text())
    assert (system.nodes, system.ranks_per_node) == (2, 1)
    assert [(p.rank, p.host) for p in system.placement] == [
        (0, f"{cluster}-node1"),
        (1, f"{cluster}-node2"),
    ]
    assert system.container is not None and system.container.image.startswith("kernelperf/cpu")
    assert system.interconnect is not None and "pinned by FI_TCP_IFACE" in system.interconnect
    run = json.loads((bundle / "result.json").read_text())
    assert run["complete"] and all(r["correctness"]["passed"] for r in run["results"])
    assert {r["collective"]["ranks"] for r in run["results"]} == {2}
    assert kernelperf("validate", str(bundle)).returncode == 0


@pytest.mark.docker
def test_down_leaves_no_node_and_no_shared_directory() -> None:
    try:
        client = containers.connect()
    except ContainerRunError as exc:
        if in_ci():
            pytest.fail(f"CI must run the Docker tests: {exc.what}", pytrace=False)
        pytest.skip(f"no Docker engine answers ({exc.what})")
    name = f"kpt{uuid.uuid4().hex[:6]}"
    with closing(client):
        assert kernelperf("cluster", "--name", name, "up", "--nodes", "1").returncode == 0
        (node,) = client.containers.list(filters={"label": f"{LABEL}={name}"})
        share = Path(node.labels[f"{LABEL}.share"])
        assert share.is_dir()
        assert kernelperf("cluster", "--name", name, "down").returncode == 0
        assert client.containers.list(all=True, filters={"label": f"{LABEL}={name}"}) == []
        assert not share.exists()
