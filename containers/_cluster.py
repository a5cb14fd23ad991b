"""Containers of the CPU image standing in for cluster nodes: up, run across them, down.

Each node is a container with its own hostname on the host's network, so the nodes share the
host's loopback and nothing else. `cluster_run` starts the host's `mpiexec` the way a cluster
would, with ssh as the launcher, except that the "ssh" is a wrapper that turns `ssh NODE CMD`
into `docker exec -i NODE sh -c CMD`. `-hybrid-hosts` makes Hydra start the image's own
`hydra_pmi_proxy` from its PATH, `-localhost 127.0.0.1` puts the control port on loopback, and
the MPI traffic between nodes is pinned to loopback too. A directory shared by every node
(mounted like a cluster's shared file system) receives the bundles, which are then moved, each
atomically, to the `--out` directory the caller named.

With `engine="slurm"` the nodes run slurmd instead and a controller container runs slurmctld
(`containers._slurm`); `cluster_run` then starts the ranks with `srun` on that login node, and
`cluster_exec` runs any Slurm command there (`sbatch`, `squeue`, `scancel`).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Sequence
from contextlib import closing
from pathlib import Path
from typing import Any

import docker
from docker.types import Mount

from containers._build import ensure_image
from containers._engine import connect, docker_errors
from containers._run import RunSettings, container_environment, container_image, rewrite_output
from containers._slurm import SHARE, login_command, srun_command, start_slurm
from schemas import UsageError
from schemas.atomic import OnExisting, atomic_folder, write_file_atomically

LABEL = "org.kernelperf.cluster"
SHARE_LABEL = "org.kernelperf.cluster.share"
# Slurm clusters: what each container is, and the host folder of key, slurm.conf and share.
ROLE_LABEL = "org.kernelperf.cluster.role"
STATE_LABEL = "org.kernelperf.cluster.state"
ENGINES = ("mpiexec", "slurm")
# `ssh [OPTIONS] HOST CMD...` as Hydra calls it, run as `docker exec` instead.
SSH_WRAPPER = """#!/bin/sh
# Written by `kernelperf cluster run`: ssh HOST CMD... -> docker exec -i HOST sh -c CMD
while [ "${1#-}" != "$1" ]; do shift; done
host=$1
shift
exec docker exec -i "$host" sh -c "$*"
"""
# MPI between "nodes" over loopback only: never over the host's (private-range) interfaces.
LOOPBACK_ENV = {
    "MPIR_CVAR_CH4_NETMOD": "ofi",
    "FI_PROVIDER": "tcp",
    "FI_TCP_IFACE": "lo",
}


def _members(client: docker.DockerClient, name: str) -> list[Any]:
    """Every container of the cluster (a Slurm controller first), in index order."""
    with docker_errors(f"cluster {name}"):
        found = client.containers.list(all=True, filters={"label": f"{LABEL}={name}"})
    return sorted(found, key=lambda container: int(container.labels[f"{LABEL}.index"]))


def _nodes(client: docker.DockerClient, name: str) -> list[Any]:
    """The cluster's node containers, in node order."""
    return [c for c in _members(client, name) if c.labels.get(ROLE_LABEL, "node") == "node"]


def cluster_up(name: str, nodes: int, kind: str = "cpu", engine: str = "mpiexec") -> str:
    """Starts `nodes` nodes, each with its own hostname, sharing one folder.

    `engine="slurm"`: nodes of the slurm-node image (built from the `kind` image) running slurmd,
    and a controller. Returns the image the nodes run.
    """
    if nodes < 1:
        raise UsageError(f"{nodes} nodes", where="--nodes", fix="give 1 or more")
    if engine not in ENGINES:
        raise UsageError(f"unknown engine {engine!r}", where="--engine", fix="mpiexec or slurm")
    with closing(connect()) as client:
        if _members(client, name):
            raise UsageError(
                f"cluster {name!r} is already up",
                where="kernelperf cluster up",
                fix=f"`kernelperf cluster --name {name} down` first, or pick another --name",
            )
        if engine == "slurm":
            return _slurm_up(client, name, nodes)
        return _mpiexec_up(client, name, nodes, ensure_image(kind))


def _slurm_up(client: docker.DockerClient, name: str, nodes: int) -> str:
    """A Slurm controller and `nodes` slurmd nodes; anything started is removed on failure."""
    state = Path(tempfile.mkdtemp(prefix=f"kernelperf-slurm-{name}-"))

    def labels(index: int, role: str) -> dict[str, str]:
        return {
            LABEL: name,
            f"{LABEL}.index": str(index),
            ROLE_LABEL: role,
            SHARE_LABEL: str(state / "share"),
            STATE_LABEL: str(state),
        }

    try:
        return start_slurm(
            client, name, nodes, state=state, labels=labels, environment=LOOPBACK_ENV
        )
    except BaseException:
        cluster_down(name)
        shutil.rmtree(state, ignore_errors=True)
        raise


def _mpiexec_up(client: docker.DockerClient, name: str, nodes: int, image: str) -> str:
    """`nodes` containers of `image` for the host's mpiexec to reach through docker exec."""
    share = Path(tempfile.mkdtemp(prefix=f"kernelperf-cluster-{name}-"))
    settings = RunSettings()
    options = settings.docker_options() | {"network_mode": "host"}
    if os.getuid() == 0:  # the nodes run as nobody; they write to the share
        os.chown(share, *(int(part) for part in options["user"].split(":")))
    with docker_errors(image):
        found = client.images.get(image)
        environment = _node_environment(image, found, settings)
        for index in range(1, nodes + 1):
            node = f"{name}-node{index}"
            client.containers.run(
                image,
                command=["sleep", "infinity"],
                name=node,
                detach=True,
                environment=environment,
                mounts=[Mount(SHARE, str(share), type="bind")],
                labels={LABEL: name, f"{LABEL}.index": str(index), SHARE_LABEL: str(share)},
                **(options | {"hostname": node}),
            )
    return image


def _node_environment(image: str, found: Any, settings: RunSettings) -> dict[str, str]:
    """What the probe inside reads about its container, with the nodes' own network."""
    described = container_image(image, found, settings)
    shared = {"network": "host (a node of `kernelperf cluster`)", "writable": SHARE}
    return container_environment(
        described.model_copy(update={"settings": described.settings | shared})
    )


def mpiexec_command(nodes: list[str], ppn: int, wrapper: Path, argv: list[str]) -> list[str]:
    """The host's mpiexec reaching the nodes through the docker-exec 'ssh'."""
    environment = [part for item in LOOPBACK_ENV.items() for part in ("-genv", *item)]
    return [
        str(Path(sys.executable).parent / "mpiexec"),
        *("-launcher", "ssh", "-launcher-exec", str(wrapper)),
        *("-hybrid-hosts", "-localhost", "127.0.0.1", "-genvnone", *environment),
        *("-hosts", ",".join(nodes), "-ppn", str(ppn), "-n", str(len(nodes) * ppn)),
        *argv,
    ]


def cluster_run(name: str, harness_args: Sequence[str], ppn: int = 1) -> int:
    """Runs `kernelperf HARNESS_ARGS` across the nodes; the bundles land in the caller's --out.

    Returns mpiexec's exit code.
    """
    if not harness_args:
        raise UsageError(
            "nothing to run", where="kernelperf cluster run", fix="add -- run --suite allreduce ..."
        )
    if ppn < 1:
        raise UsageError(f"{ppn} ranks per node", where="--ppn", fix="give 1 or more")
    members = _up_members(name, "kernelperf cluster run")
    nodes = [c for c in members if c.labels.get(ROLE_LABEL, "node") == "node"]
    share_host = Path(nodes[0].labels[SHARE_LABEL])
    token = uuid.uuid4().hex[:12]
    inner_args, target = rewrite_output(harness_args, inside=f"{SHARE}/{token}")
    argv = ["kernelperf", *inner_args]
    with tempfile.TemporaryDirectory(prefix="kernelperf-cluster-") as scratch:
        if members[0].labels.get(ROLE_LABEL) == "controller":
            command = login_command(members[0].name, srun_command(len(nodes), ppn, argv))
        else:
            wrapper = Path(scratch) / "ssh"
            wrapper.write_text(SSH_WRAPPER, encoding="utf-8")
            wrapper.chmod(0o755)
            command = mpiexec_command([n.name for n in nodes], ppn, wrapper, argv)
        code = subprocess.run(command, check=False).returncode
    if target is not None:
        collect(share_host / token, target)
    return code


def cluster_exec(name: str, argv: Sequence[str]) -> int:
    """Runs `argv` (sbatch, squeue, scancel...) on a Slurm cluster's login node, as nobody, in
    the shared folder; returns its exit code."""
    members = _up_members(name, "kernelperf cluster exec")
    if members[0].labels.get(ROLE_LABEL) != "controller":
        raise UsageError(
            f"cluster {name!r} has no Slurm controller",
            where="kernelperf cluster exec",
            fix=f"start one with: kernelperf cluster --name {name} up --engine slurm --nodes 2",
        )
    if not argv:
        raise UsageError("nothing to run", where="kernelperf cluster exec", fix="add -- sbatch ...")
    return subprocess.run(login_command(members[0].name, list(argv)), check=False).returncode


def _up_members(name: str, where: str) -> list[Any]:
    """The cluster's containers; a UsageError when it is not up."""
    with closing(connect()) as client:
        members = _members(client, name)
    if not members:
        raise UsageError(
            f"cluster {name!r} is not up",
            where=where,
            fix=f"start it: kernelperf cluster --name {name} up --nodes 2",
        )
    return members


def collect(produced: Path, target: Path) -> None:
    """Moves what a run wrote in the shared folder into `target`, each entry swapped in whole.

    The copies belong to the caller (the nodes wrote as nobody); the shared copy is removed.
    """
    if not produced.is_dir():
        return
    target.mkdir(parents=True, exist_ok=True)
    for child in produced.iterdir():
        destination = target / child.name
        if child.is_dir():
            with atomic_folder(destination, on_existing=OnExisting.REPLACE) as staging:
                shutil.copytree(child, staging, dirs_exist_ok=True)
        else:
            write_file_atomically(destination, child.read_bytes())
    shutil.rmtree(produced, ignore_errors=True)


def cluster_down(name: str) -> int:
    """Removes every container of the cluster and the folders they shared; returns how many
    nodes (a Slurm controller is not counted)."""
    with closing(connect()) as client:
        members = _members(client, name)
        folders = {Path(m.labels.get(STATE_LABEL) or m.labels[SHARE_LABEL]) for m in members}
        for member in members:
            with docker_errors(member.name):
                member.remove(force=True)
    for folder in folders:
        shutil.rmtree(folder, ignore_errors=True)
    return sum(m.labels.get(ROLE_LABEL, "node") == "node" for m in members)
