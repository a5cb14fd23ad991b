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

from schemas import JobLaunch, RankPlacement
from schemas.system import Launcher

# (launcher, rank variable, size variable, local-rank variable) of the launchers that are not
# Slurm, in order of evidence: torchrun's variables are its own, PMI_* and OMPI_* are MPI's.
LAUNCHER_VARIABLES: tuple[tuple[Launcher, str, str, str], ...] = (
    ("torchrun", "RANK", "WORLD_SIZE", "LOCAL_RANK"),
    ("mpiexec", "PMI_RANK", "PMI_SIZE", "MPI_LOCALRANKID"),
    ("mpiexec", "OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE", "OMPI_COMM_WORLD_LOCAL_RANK"),
)
SLURM_VARIABLES = ("SLURM_PROCID", "SLURM_NTASKS", "SLURM_LOCALID")
# Variables that pin MPI or NCCL traffic to one network interface.
PINNED_INTERFACE_VARIABLES = ("FI_TCP_IFACE", "UCX_NET_DEVICES", "NCCL_SOCKET_IFNAME")
# Variables that change how collectives run; recorded with the results.
RECORDED_PREFIXES = ("MPIR_CVAR_", "MPICH_", "UCX_", "FI_", "NCCL_", "GLOO_", "OMP_NUM_THREADS")


@dataclass(frozen=True)
class Launch:
    """What the launcher told this process about itself."""

    launcher: Launcher
    rank: int
    size: int
    local_rank: int | None
    """The rank's index on its node; None when the launcher did not say (GPU binding refuses it)."""


def detect_launch(environ: Mapping[str, str] = os.environ) -> Launch:
    """The launcher and this process's place in the job; a lone process is rank 0 of 1.

    Slurm first, when its task ids are this process's: `srun --mpi=pmi2` also sets PMI_RANK,
    equal to SLURM_PROCID. Under `mpiexec` or `torchrun` inside an allocation, SLURM_PROCID
    numbers the launcher's agents instead, so the ids differ and the other launcher wins.
    """
    others = (
        Launch(
            launcher=launcher,
            rank=int(environ[rank]),
            size=int(environ[size]),
            local_rank=int(environ[local]) if local in environ else None,
        )
        for launcher, rank, size, local in LAUNCHER_VARIABLES
        if rank in environ and size in environ
    )
    other = next(others, None)
    slurm = _slurm_launch(environ)
    if slurm is not None and (
        other is None or (other.rank, other.size) == (slurm.rank, slurm.size)
    ):
        return slurm
    return other or Launch(launcher="none", rank=0, size=1, local_rank=0)


def _slurm_launch(environ: Mapping[str, str]) -> Launch | None:
    """This task's place in a Slurm job step; sbatch when the step runs inside a batch job."""
    rank, size, local = SLURM_VARIABLES
    if rank not in environ or size not in environ:
        return None
    # sbatch sets ENVIRONMENT=BATCH for the batch script, and srun passes it on to the tasks.
    launcher: Launcher = "sbatch" if environ.get("ENVIRONMENT") == "BATCH" else "srun"
    return Launch(
        launcher=launcher,
        rank=int(environ[rank]),
        size=int(environ[size]),
        local_rank=int(environ[local]) if local in environ else None,
    )


def job_launch(launch: Launch, environ: Mapping[str, str] = os.environ) -> JobLaunch | None:
    """The job facts a bundle records; None for a lone process."""
    if launch.launcher == "none":
        return None
    if launch.launcher not in ("srun", "sbatch"):
        return JobLaunch(launcher=launch.launcher)
    node_list = expand_slurm_nodes(environ.get("SLURM_STEP_NODELIST", ""))
    return JobLaunch(
        launcher=launch.launcher,
        job_id=environ.get("SLURM_JOB_ID"),
        step_id=environ.get("SLURM_STEP_ID"),
        partition=environ.get("SLURM_JOB_PARTITION"),
        node_list=node_list,
        tasks_per_node=expand_slurm_counts(environ.get("SLURM_STEP_TASKS_PER_NODE", "")),
        mpi_plugin=environ.get("SLURM_MPI_TYPE"),
    )


def expand_slurm_nodes(nodelist: str) -> tuple[str, ...]:
    """Every host of a Slurm node list: 'gpu[07-08,12],cpu1' is gpu07, gpu08, gpu12, cpu1."""
    hosts: list[str] = []
    for prefix, ranges in re.findall(r"([^,\[]+)(?:\[([^\]]*)\])?,?", nodelist.strip()):
        if not ranges:
            hosts.append(prefix)
            continue
        for part in ranges.split(","):
            first, _, last = part.partition("-")
            if not last:
                hosts.append(prefix + first)
                continue
            # Slurm keeps the zero padding of the first number: gpu[07-10] is gpu07..gpu10.
            hosts += [
                f"{prefix}{index:0{len(first)}d}" for index in range(int(first), int(last) + 1)
            ]
    return tuple(hosts)


def first_slurm_host(nodelist: str) -> str:
    """The first host of a Slurm node list such as 'gpu[07-10,12],cpu1' (here 'gpu07')."""
    hosts = expand_slurm_nodes(nodelist)
    if not hosts:
        raise ValueError(f"not a Slurm node list: {nodelist!r}")
    return hosts[0]


def expand_slurm_counts(counts: str) -> tuple[int, ...]:
    """Slurm's run-length counts per node: '2(x3),1' is 2, 2, 2, 1."""
    expanded: list[int] = []
    for part in filter(None, counts.strip().split(",")):
        match = re.fullmatch(r"(\d+)(?:\(x(\d+)\))?", part)
        if match is None:
            raise ValueError(f"not a Slurm count list: {counts!r}")
        value, repeat = match.groups()
        expanded += [int(value)] * int(repeat or 1)
    return tuple(expanded)


def node_name(environ: Mapping[str, str] = os.environ) -> str:
    """The node this process runs on: Slurm's name for it, as its node list spells it, else the
    hostname."""
    return environ.get("SLURMD_NODENAME") or socket.gethostname()


def other_nodes(environ: Mapping[str, str] = os.environ) -> tuple[str, ...]:
    """The job step's nodes but this one: where a rank that stopped answering ran."""
    here = node_name(environ)
    return tuple(n for n in expand_slurm_nodes(environ.get("SLURM_STEP_NODELIST", "")) if n != here)


def recorded_environment(environ: Mapping[str, str] = os.environ) -> dict[str, str]:
    """The launcher's and communication libraries' settings present in the environment."""
    return {
        name: value for name, value in sorted(environ.items()) if name.startswith(RECORDED_PREFIXES)
    }


def placement_entry(rank: int, device: str) -> str:
    """This rank's placement as one line of text, to gather from every rank."""
    return f"{rank}\t{node_name()}\t{device}"


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
