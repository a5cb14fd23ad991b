"""`kernelperf cluster up|run|down`: containers of the CPU image standing in for cluster nodes.

Each node is a container with its own hostname on the host's network, so the nodes share the
host's loopback and nothing else. `run` starts the host's `mpiexec` the way a cluster would,
with ssh as the launcher, except that the "ssh" is a wrapper that turns `ssh NODE CMD` into
`docker exec -i NODE sh -c CMD`. `-hybrid-hosts` makes Hydra start the image's own
`hydra_pmi_proxy` from its PATH, `-localhost 127.0.0.1` puts the control port on loopback, and
the MPI traffic between nodes is pinned to loopback too. A directory shared by every node
(mounted like a cluster's shared file system) receives the bundle, which `run` then moves to
the `--out` directory the caller named.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from contextlib import closing
from pathlib import Path
from typing import Any

import docker
from docker.types import Mount

from containers import RunSettings, connect, container_environment, docker_errors, ensure_image
from kernelperf import console
from schemas import UsageError

LABEL = "org.kernelperf.cluster"
SHARE_LABEL = "org.kernelperf.cluster.share"
SHARE = "/kp/share"
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


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Adds `cluster` with its `up`, `run` and `down` actions."""
    parser = subparsers.add_parser(
        "cluster",
        help="containers as the nodes of a local cluster, for multi-node all-reduce",
        description="Start containers of the CPU image as nodes, run the harness across them "
        "through mpiexec, remove them.",
    )
    parser.add_argument("--name", default="kp", help="cluster name, prefix of node names")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    up = actions.add_parser("up", help="start N nodes")
    up.add_argument("--nodes", type=int, required=True, metavar="N", help="how many nodes")
    up.add_argument("--kind", default="cpu", help="image kind (default cpu)")
    up.set_defaults(handler=handle_up)
    run = actions.add_parser(
        "run",
        help="run `kernelperf ARGS` on every node under mpiexec",
        description="Example: kernelperf cluster run -- run --suite allreduce --out out/ar",
    )
    run.add_argument("--ppn", type=int, default=1, metavar="N", help="ranks per node")
    run.add_argument("harness_args", nargs=argparse.REMAINDER, metavar="-- ARGS")
    run.set_defaults(handler=handle_run)
    down = actions.add_parser("down", help="remove the nodes and their shared directory")
    down.set_defaults(handler=handle_down)


def _nodes(client: docker.DockerClient, name: str) -> list[Any]:
    """The cluster's node containers, in node order."""
    with docker_errors(f"cluster {name}"):
        found = client.containers.list(all=True, filters={"label": f"{LABEL}={name}"})
    return sorted(found, key=lambda container: int(container.labels[f"{LABEL}.index"]))


def handle_up(args: argparse.Namespace) -> int:
    """Starts the nodes, each with its own hostname, all sharing one directory."""
    if args.nodes < 1:
        raise UsageError(f"{args.nodes} nodes", where="--nodes", fix="give 1 or more")
    image = ensure_image(args.kind)
    with closing(connect()) as client:
        if _nodes(client, args.name):
            raise UsageError(
                f"cluster {args.name!r} is already up",
                where="kernelperf cluster up",
                fix=f"`kernelperf cluster --name {args.name} down` first, or pick another --name",
            )
        share = Path(tempfile.mkdtemp(prefix=f"kernelperf-cluster-{args.name}-"))
        settings = RunSettings()
        options = settings.docker_options() | {"network_mode": "host"}
        if os.getuid() == 0:  # the nodes run as nobody; they write to the share
            os.chown(share, *(int(part) for part in options["user"].split(":")))
        with docker_errors(image):
            found = client.images.get(image)
            environment = _node_environment(image, found, settings)
            for index in range(1, args.nodes + 1):
                node = f"{args.name}-node{index}"
                client.containers.run(
                    image,
                    command=["sleep", "infinity"],
                    name=node,
                    detach=True,
                    environment=environment,
                    mounts=[Mount(SHARE, str(share), type="bind")],
                    labels={
                        LABEL: args.name,
                        f"{LABEL}.index": str(index),
                        SHARE_LABEL: str(share),
                    },
                    **(options | {"hostname": node}),
                )
    console.stdout.print(f"cluster {args.name}: {args.nodes} nodes up ({image})")
    return 0


def _node_environment(image: str, found: Any, settings: RunSettings) -> dict[str, str]:
    """What the probe inside reads about its container, with the nodes' own network."""
    environment = container_environment(image, found, settings)
    recorded = json.loads(environment["KERNELPERF_CONTAINER_SETTINGS"])
    recorded |= {"network": "host (a node of `kernelperf cluster`)", "writable": SHARE}
    environment["KERNELPERF_CONTAINER_SETTINGS"] = json.dumps(recorded, sort_keys=True)
    return environment


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


def _shared_output(args: list[str], share: str) -> tuple[list[str], Path | None, str]:
    """ARGS with --out moved into the shared directory; the caller's target; the subfolder."""
    token = uuid.uuid4().hex[:12]
    for index, arg in enumerate(args):
        if arg == "--out" and index + 1 < len(args):
            target = Path(args[index + 1])
            return [*args[:index], "--out", f"{share}/{token}", *args[index + 2 :]], target, token
        if arg.startswith("--out="):
            target = Path(arg.removeprefix("--out="))
            return [*args[:index], f"--out={share}/{token}", *args[index + 1 :]], target, token
    return args, None, token


def handle_run(args: argparse.Namespace) -> int:
    """Runs `kernelperf ARGS` across the nodes; the bundle lands in the caller's --out."""
    harness_args = list(args.harness_args)
    if harness_args[:1] == ["--"]:
        harness_args = harness_args[1:]
    if not harness_args:
        raise UsageError(
            "nothing to run", where="kernelperf cluster run", fix="add -- run --suite allreduce ..."
        )
    if args.ppn < 1:
        raise UsageError(f"{args.ppn} ranks per node", where="--ppn", fix="give 1 or more")
    with closing(connect()) as client:
        nodes = _nodes(client, args.name)
    if not nodes:
        raise UsageError(
            f"cluster {args.name!r} is not up",
            where="kernelperf cluster run",
            fix=f"start it: kernelperf cluster --name {args.name} up --nodes 2",
        )
    share_host = Path(nodes[0].labels[SHARE_LABEL])
    inner_args, target, token = _shared_output(harness_args, SHARE)
    with tempfile.TemporaryDirectory(prefix="kernelperf-cluster-") as scratch:
        wrapper = Path(scratch) / "ssh"
        wrapper.write_text(SSH_WRAPPER, encoding="utf-8")
        wrapper.chmod(0o755)
        command = mpiexec_command(
            [n.name for n in nodes], args.ppn, wrapper, ["kernelperf", *inner_args]
        )
        code = subprocess.run(command, check=False).returncode
    if target is not None:
        _collect(share_host / token, target)
    return code


def _collect(produced: Path, target: Path) -> None:
    """Moves what the run wrote in the shared directory to the caller's --out, owned by them."""
    if not produced.is_dir():
        return
    target.mkdir(parents=True, exist_ok=True)
    for child in produced.iterdir():
        destination = target / child.name
        if destination.is_dir():
            shutil.rmtree(destination)
        shutil.copytree(child, destination)
    shutil.rmtree(produced, ignore_errors=True)


def handle_down(args: argparse.Namespace) -> int:
    """Removes every node of the cluster and the directory they shared."""
    with closing(connect()) as client:
        nodes = _nodes(client, args.name)
        shares = {Path(n.labels[SHARE_LABEL]) for n in nodes}
        for node in nodes:
            with docker_errors(node.name):
                node.remove(force=True)
    for share in shares:
        shutil.rmtree(share, ignore_errors=True)
    console.stdout.print(f"cluster {args.name}: {len(nodes)} nodes removed")
    return 0
