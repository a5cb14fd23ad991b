"""What a system is: `system.json` of a bundle and `systems/<id>.json` of a submission."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from schemas.enums import DType, SystemStatus
from schemas.names import NAME_PATTERN
from schemas.versioned import DOCUMENT

FROZEN = ConfigDict(frozen=True, extra="forbid")
ContainerRuntime = Literal["docker", "apptainer", "pyxis"]
# Who started the ranks: Slurm's srun (alone, or inside an sbatch job), torchrun, mpiexec/mpirun.
Launcher = Literal["srun", "sbatch", "torchrun", "mpiexec", "none"]


class Host(BaseModel):
    """The host processor and memory."""

    model_config = FROZEN
    cpu_model: str = Field(description="CPU model name as the OS reports it.")
    sockets: int | None = Field(ge=1, description="CPU sockets; None: not stated (published).")
    cores: int | None = Field(
        ge=1, description="Physical cores usable by the run; None: not stated (published)."
    )
    logical_cpus: int | None = Field(
        ge=1, description="Logical CPUs usable by the run; None: not stated (published)."
    )
    memory_bytes: int | None = Field(
        ge=1, description="Physical memory; None: not stated (published)."
    )
    isa_flags: tuple[str, ...] = Field(
        default=(), description="Vector instruction sets present (avx2, avx512f, amx, sve...)."
    )
    memory_bandwidth_gbps: float | None = Field(
        default=None,
        gt=0,
        description="Peak memory bandwidth of the host, in GB/s: the ceiling of shared-memory "
        "collectives within a node. Counts only with memory_bandwidth_source.",
    )
    memory_bandwidth_source: str | None = Field(
        default=None,
        min_length=1,
        description="Public source of memory_bandwidth_gbps (a data sheet's title or URL).",
    )


class Accelerator(BaseModel):
    """One kind of accelerator in the system (count says how many)."""

    model_config = FROZEN
    model: str = Field(description="Model name, e.g. 'NVIDIA H100 80GB HBM3'.")
    count: int = Field(ge=1, description="How many of them.")
    memory_bytes: int | None = Field(
        ge=0, description="Memory per device; None: not stated (published)."
    )
    peak_tflops: dict[DType, float] = Field(
        default_factory=dict, description="Declared dense peak per input dtype, in TFLOP/s."
    )
    memory_bandwidth_gbps: float | None = Field(
        default=None, ge=0, description="Declared memory bandwidth per device, in GB/s."
    )
    peak_source: str | None = Field(
        default=None,
        min_length=1,
        description="Public source of the declared peaks (a data sheet's title or URL): "
        "needed for a device the validator's table does not know.",
    )


class Software(BaseModel):
    """Software that shapes the results."""

    model_config = FROZEN
    os: str = Field(description="Operating system name and version.")
    kernel: str = Field(description="OS kernel release.")
    python: str = Field(description="Python version.")
    framework: str = Field(description="Framework and version, e.g. 'torch 2.13.0'.")
    blas: str | None = Field(default=None, description="BLAS library behind the framework.")
    driver: str | None = Field(default=None, description="Accelerator driver version.")
    cuda: str | None = Field(default=None, description="CUDA version.")
    rocm: str | None = Field(default=None, description="ROCm version.")
    mpi_library: str | None = Field(default=None, description="MPI library and version.")
    mpi_thread_level: str | None = Field(default=None, description="MPI thread level in use.")


class ContainerImage(BaseModel):
    """The container image a run came from."""

    model_config = FROZEN
    image: str = Field(description="Image name and tag.")
    image_id: str = Field(description="Image ID (sha256 of its config).")
    repo_digest: str | None = Field(default=None, description="Registry digest; None if unpushed.")
    labels: dict[str, str] = Field(default_factory=dict, description="OCI labels of the image.")
    runtime: ContainerRuntime = Field(description="How it was run.")
    settings: dict[str, str] = Field(
        default_factory=dict, description="Run settings: network, read-only root, user, limits."
    )


class RankPlacement(BaseModel):
    """Where one rank of a multi-rank run ran."""

    model_config = FROZEN
    rank: int = Field(ge=0, description="MPI rank.")
    host: str = Field(description="Hostname of the node.")
    device: str = Field(description="Device the rank used.")


class JobLaunch(BaseModel):
    """The job that started a multi-rank run, as its launcher described it to the ranks."""

    model_config = FROZEN
    launcher: Launcher = Field(
        description="What started the ranks: srun (sbatch when srun ran inside a batch job), "
        "torchrun or mpiexec."
    )
    job_id: str | None = Field(default=None, description="Slurm job id (SLURM_JOB_ID).")
    step_id: str | None = Field(default=None, description="Slurm step id (SLURM_STEP_ID).")
    partition: str | None = Field(default=None, description="Slurm partition of the job.")
    node_list: tuple[str, ...] = Field(
        default=(), description="Nodes of the job step, expanded from Slurm's node list."
    )
    tasks_per_node: tuple[int, ...] = Field(
        default=(), description="Ranks on each node of node_list, in the same order."
    )
    mpi_plugin: str | None = Field(
        default=None, description="Slurm's MPI plugin that wired the ranks (pmi2, pmix...)."
    )


class SystemDescription(BaseModel):
    """A system under test: declared by the vendor, probed by the harness."""

    model_config = DOCUMENT
    schema_version: Literal["1.0"] = Field(default="1.0", description="Version of this format.")
    system_id: str = Field(pattern=NAME_PATTERN, description="Short id, used as a file name.")
    submitter: str = Field(min_length=1, description="Organisation that submits.")
    status: SystemStatus = Field(description="Availability of the system.")
    host: Host = Field(description="Host processor and memory.")
    accelerators: tuple[Accelerator, ...] = Field(default=(), description="Accelerators present.")
    interconnect: str | None = Field(default=None, description="Network between nodes, if any.")
    interconnect_source: str | None = Field(
        default=None,
        min_length=1,
        description="Public source of the interconnect's bandwidth (a data sheet's title or URL).",
    )
    nodes: int = Field(ge=1, description="Nodes used.")
    ranks_per_node: int = Field(default=1, ge=1, description="Processes per node.")
    placement: tuple[RankPlacement, ...] = Field(
        default=(), description="Rank to host to device map of a multi-rank run."
    )
    job: JobLaunch | None = Field(
        default=None,
        description="The launcher and job of a multi-rank run; absent in older bundles.",
    )
    software: Software = Field(description="Software stack.")
    container: ContainerImage | None = Field(default=None, description="Image, if containerised.")
