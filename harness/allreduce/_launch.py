"""Which launcher started this process, and where every rank ran.

The harness never launches ranks itself: `mpiexec` (with or without a hostfile), Slurm's `srun`
or `torchrun` do, and each leaves its own environment variables. MPI learns rank and size from
its launcher by itself; torch.distributed needs them from here. Only the all-reduce runs under a
launcher (a compute run is one process), so this module lives in its package.
"""

from __future__ import annotations

import os
import re
import socket
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from schemas import RankPlacement

# (launcher, rank variable, size variable, local-rank variable), most specific first: under
# `mpiexec` inside a Slurm allocation both sets exist, and MPI's describe the ranks.
LAUNCHER_VARIABLES = (
    ("torchrun", "RANK", "WORLD_SIZE", "LOCAL_RANK"),
    ("mpiexec", "PMI_RANK", "PMI_SIZE", "MPI_LOCALRANKID"),
    ("mpiexec", "OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE", "OMPI_COMM_WORLD_LOCAL_RANK"),
    ("srun", "SLURM_PROCID", "SLURM_NTASKS", "SLURM_LOCALID"),
)
# Variables that pin MPI or NCCL traffic to one network interface.
PINNED_INTERFACE_VARIABLES = ("FI_TCP_IFACE", "UCX_NET_DEVICES", "NCCL_SOCKET_IFNAME")
# Variables that change how collectives run; recorded with the results.
RECORDED_PREFIXES = ("MPIR_CVAR_", "MPICH_", "UCX_", "FI_", "NCCL_", "GLOO_", "OMP_NUM_THREADS")


@dataclass(frozen=True)
class Launch:
    """What the launcher told this process about itself."""

    launcher: str
    rank: int
    size: int
    local_rank: int | None
    """The rank's index on its node; None when the launcher did not say (GPU binding refuses it)."""


def detect_launch(environ: Mapping[str, str] = os.environ) -> Launch:
    """The launcher and this process's place in the job; a lone process is rank 0 of 1."""
    for launcher, rank, size, local in LAUNCHER_VARIABLES:
        if rank in environ and size in environ:
            return Launch(
                launcher=launcher,
                rank=int(environ[rank]),
                size=int(environ[size]),
                local_rank=int(environ[local]) if local in environ else None,
            )
    return Launch(launcher="none", rank=0, size=1, local_rank=0)


def first_slurm_host(nodelist: str) -> str:
    """The first host of a Slurm node list such as 'gpu[07-10,12],cpu1' (here 'gpu07')."""
    match = re.match(r"([^\[,]+)(?:\[([^\]\-,]+))?", nodelist.strip())
    if match is None:
        raise ValueError(f"not a Slurm node list: {nodelist!r}")
    prefix, first_index = match.groups()
    return prefix + (first_index or "")


def recorded_environment(environ: Mapping[str, str] = os.environ) -> dict[str, str]:
    """The launcher's and communication libraries' settings present in the environment."""
    return {
        name: value for name, value in sorted(environ.items()) if name.startswith(RECORDED_PREFIXES)
    }


def placement_entry(rank: int, device: str) -> str:
    """This rank's placement as one line of text, to gather from every rank."""
    return f"{rank}\t{socket.gethostname()}\t{device}"


def placements(entries: Sequence[str]) -> tuple[RankPlacement, ...]:
    """The gathered placement lines as models, in rank order."""
    parsed = (entry.split("\t") for entry in entries)
    return tuple(
        sorted(
            (
                RankPlacement(rank=int(rank), host=host, device=device)
                for rank, host, device in parsed
            ),
            key=lambda placement: placement.rank,
        )
    )


@dataclass(frozen=True)
class Topology:
    """Nodes and ranks per node of a multi-rank run, and what connects the nodes."""

    nodes: int
    ranks_per_node: int
    interconnect: str


def topology(placement: Sequence[RankPlacement], transport: str) -> Topology:
    """Nodes are distinct hostnames; ranks per node is the most any node ran."""
    per_host = Counter(p.host for p in placement)
    nodes = len(per_host)
    medium = "one node" if nodes == 1 else network_devices()
    return Topology(
        nodes=nodes,
        ranks_per_node=max(per_host.values()),
        interconnect=f"{medium}; {transport}",
    )


def network_devices(
    environ: Mapping[str, str] = os.environ, sys_class: Path = Path("/sys/class")
) -> str:
    """Best effort: a pinned interface, else InfiniBand adapters, else the other interfaces."""
    for variable in PINNED_INTERFACE_VARIABLES:
        if environ.get(variable):
            return f"network ({environ[variable]}, pinned by {variable})"
    infiniband = sorted(p.name for p in (sys_class / "infiniband").glob("*"))
    if infiniband:
        return "InfiniBand (" + ", ".join(infiniband) + ")"
    interfaces = sorted(p.name for p in (sys_class / "net").glob("*") if p.name != "lo")
    return "network (" + ", ".join(interfaces) + ")" if interfaces else "loopback"
