"""A Slurm cluster of containers: one controller and N nodes of the slurm-node image.

Every container shares the host's loopback (host network) under its own hostname, so each
slurmd gets its own `Port=` in `slurm.conf` and every address is 127.0.0.1. One munge key,
made here and mounted read-only, authenticates them all. The controller (slurmctld) doubles as
the login node: `srun`, `sbatch`, `squeue` and `scancel` run there as nobody, so jobs run as
nobody on the nodes and write into the shared folder, mounted at the same path everywhere.
The cluster's files (key, `slurm.conf`, shared folder) live in one host folder, removed by
`cluster_down` with the containers.
"""

from __future__ import annotations

import os
import socket
import tarfile
import tempfile
import time
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import IO, Any

import docker
from docker.types import Mount

from containers._build import (
    Progress,
    _retire,
    _run_build,
    ensure_image,
    image_labels,
    source_files,
)
from containers._build import _add as add_to_tar
from containers._engine import connect, docker_errors
from containers._images import PACKAGE_DIR, image_name, spec_for
from containers._run import NOBODY_UID, RunSettings, container_environment, container_image
from schemas import ContainerRunError

SLURM_DIR = PACKAGE_DIR / "slurm"
IMAGE_KIND = "slurm-node"
ETC = "/kp/etc"
SHARE = "/kp/share"
# What slurmd needs of root's powers: start jobs as their user, signal and reap them.
NODE_CAPABILITIES = ["CHOWN", "DAC_OVERRIDE", "FOWNER", "SETUID", "SETGID", "KILL"]
# A node that stops answering is marked down after this long, and its jobs end.
SLURMD_TIMEOUT_S = 10
UP_TIMEOUT_S = 60
CONF_TEMPLATE = """\
# Written by `kernelperf cluster up --engine slurm`: every daemon on 127.0.0.1, one port each.
ClusterName={name}
SlurmctldHost={name}-ctl(127.0.0.1)
SlurmctldPort={controller_port}
AuthType=auth/munge
CredType=cred/munge
SlurmUser=root
SlurmdUser=root
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=pmi2
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
ReturnToService=2
SlurmdTimeout={slurmd_timeout_s}
MessageTimeout=10
InactiveLimit=0
KillWait=5
KillOnBadExit=1
{node_lines}
PartitionName={name} Nodes=ALL Default=YES MaxTime=INFINITE State=UP
"""


def slurm_image(progress: Progress = lambda *_: None) -> str:
    """Builds `kernelperf/slurm-node:VERSION` on the cpu image (from the cache when unchanged)."""
    base = ensure_image("cpu", progress)
    name = image_name("cpu").replace("/cpu:", f"/{IMAGE_KIND}:")
    labels = image_labels(spec_for("cpu"), base) | {
        "org.opencontainers.image.title": f"kernelperf-{IMAGE_KIND}",
        "org.kernelperf.kind": IMAGE_KIND,
    }
    with closing(connect()) as client, tempfile.TemporaryFile() as context:
        with docker_errors(name):
            previous = {image.id for image in client.images.list(name=name)}
        _write_context(context)
        context.seek(0)
        _run_build(client, context, name, base, labels, False, progress)
        with docker_errors(name):
            current = client.images.get(name).id
        for image_id in previous - {current}:
            _retire(client, image_id)
    return name


def _write_context(out: IO[bytes]) -> None:
    """The build context: containers/slurm/ and the harness source as src/."""
    with tarfile.open(fileobj=out, mode="w") as tar:
        for path in sorted(SLURM_DIR.iterdir()):
            add_to_tar(tar, path, path.name)
        for path, arcname in source_files():
            add_to_tar(tar, path, f"src/{arcname}")


def free_ports(count: int) -> list[int]:
    """Ports nothing listens on now, on loopback: one for slurmctld, one per slurmd."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for each in sockets:
            each.bind(("127.0.0.1", 0))
        return [each.getsockname()[1] for each in sockets]
    finally:
        for each in sockets:
            each.close()


def slurm_conf(name: str, nodes: list[str], ports: list[int], cpus: int) -> str:
    """slurm.conf for the controller on ports[0] and node i on ports[i]."""
    node_lines = "\n".join(
        f"NodeName={node} NodeHostname={node} NodeAddr=127.0.0.1 Port={port} CPUs={cpus} "
        "State=UNKNOWN"
        for node, port in zip(nodes, ports[1:], strict=True)
    )
    return CONF_TEMPLATE.format(
        name=name,
        controller_port=ports[0],
        slurmd_timeout_s=SLURMD_TIMEOUT_S,
        node_lines=node_lines,
    )


def write_state(state: Path, conf: str) -> tuple[Path, Path]:
    """The cluster's host folder: etc/ (key and slurm.conf, root only) and share/ (the jobs')."""
    etc, share = state / "etc", state / "share"
    etc.mkdir(mode=0o755)
    share.mkdir()
    (etc / "slurm.conf").write_text(conf, encoding="utf-8")
    key = etc / "munge.key"
    key.write_bytes(os.urandom(1024))
    key.chmod(0o400)
    if os.getuid() == 0:  # jobs run as nobody and write their bundles here
        os.chown(share, NOBODY_UID, NOBODY_UID)
    return etc, share


def start_slurm(
    client: docker.DockerClient,
    name: str,
    nodes: int,
    *,
    state: Path,
    labels: Callable[[int, str], dict[str, str]],
    environment: dict[str, str],
) -> str:
    """Starts the controller (index 0) and the nodes, each labelled `labels(index, role)`.

    Returns the image once every node is idle.
    """
    image = slurm_image()
    node_names = [f"{name}-node{index}" for index in range(1, nodes + 1)]
    etc, share = write_state(
        state, slurm_conf(name, node_names, free_ports(nodes + 1), os.cpu_count() or 1)
    )
    settings = RunSettings()
    with docker_errors(image):
        environment = _environment(image, client.images.get(image), settings) | environment
        hosts = {host: "127.0.0.1" for host in [f"{name}-ctl", *node_names]}
        for index, host in enumerate([f"{name}-ctl", *node_names]):
            role = "controller" if index == 0 else "node"
            client.containers.run(
                image,
                command=["kp-slurm", role, host],
                name=host,
                hostname=host,
                detach=True,
                environment=environment,
                mounts=[
                    Mount(ETC, str(etc), type="bind", read_only=True),
                    Mount(SHARE, str(share), type="bind"),
                ],
                labels=labels(index, role),
                network_mode="host",
                extra_hosts=hosts,
                init=True,
                cap_drop=["ALL"],
                cap_add=NODE_CAPABILITIES,
                security_opt=["no-new-privileges"],
                mem_limit=settings.memory,
                memswap_limit=settings.memory,
                pids_limit=settings.pids_limit,
                shm_size=settings.shm_size,
                tmpfs={"/tmp": f"rw,nosuid,nodev,size={settings.tmp_size},mode=1777"},
            )
    _wait_idle(client, f"{name}-ctl", nodes)
    return image


def _environment(image: str, found: Any, settings: RunSettings) -> dict[str, str]:
    """What jobs inherit through srun: the image's description and slurm.conf's place."""
    described = container_image(image, found, settings)
    shared = {
        "network": "host (a node of `kernelperf cluster --engine slurm`)",
        "read_only_root": "false",
        "user": f"{NOBODY_UID}:{NOBODY_UID}",
        "cap_drop": "ALL but " + ",".join(NODE_CAPABILITIES) + " (slurmd's)",
    }
    described = described.model_copy(update={"settings": described.settings | shared})
    return container_environment(described) | {"SLURM_CONF": f"{ETC}/slurm.conf"}


def _wait_idle(client: docker.DockerClient, controller: str, nodes: int) -> None:
    """Waits until slurmctld reports every node idle; ContainerRunError with its log if not."""
    deadline_s = time.monotonic() + UP_TIMEOUT_S
    with docker_errors(controller):
        container = client.containers.get(controller)
        while time.monotonic() < deadline_s:
            code, output = container.exec_run(["sinfo", "-h", "-o", "%T %D"])
            if code == 0 and f"idle {nodes}" in output.decode(errors="replace").split("\n"):
                return
            time.sleep(0.2)
        log = container.logs(tail=20).decode(errors="replace")
    raise ContainerRunError(
        f"the Slurm nodes were not idle within {UP_TIMEOUT_S} s",
        where=f"{controller}: {log.strip() or 'no log'}",
        fix="read `docker logs` of the controller and nodes; then `kernelperf cluster down`",
    )


def srun_command(nodes: int, ppn: int, argv: list[str]) -> list[str]:
    """srun across every node, `ppn` tasks each, MPI wired through PMI2."""
    return ["srun", "-N", str(nodes), "--ntasks-per-node", str(ppn), "--mpi=pmi2", *argv]


def login_command(controller: str, argv: list[str], workdir: str = SHARE) -> list[str]:
    """`docker exec` of a command on the login node (the controller), as nobody."""
    user = f"{NOBODY_UID}:{NOBODY_UID}"
    return ["docker", "exec", "-i", "-u", user, "-w", workdir, controller, *argv]
