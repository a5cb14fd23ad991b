"""What one run of one suite measured: kernel results, errors, and how they were taken."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from schemas.enums import Direction, Division, DType, Profile, Timer
from schemas.problem import Problem
from schemas.statistics import Statistics
from schemas.suites import Suite
from schemas.versioned import DOCUMENT

SCHEMA_VERSION: Literal["1.0"] = "1.0"
FROZEN = ConfigDict(frozen=True, extra="forbid")


class Precision(BaseModel):
    """The precision contract of a kernel: what goes in, what accumulates, what comes out."""

    model_config = FROZEN
    input: DType = Field(description="Element type of the inputs.")
    compute: DType = Field(description="Element type of multiplication and accumulation.")
    output: DType = Field(description="Element type of the output.")


class TimingLoop(StrEnum):
    """What ran the timed calls: Python between the clock reads, or a compiled loop."""

    PYTHON = "python"
    NATIVE = "native"


class TimingMethod(BaseModel):
    """How the samples were taken: one call or a batch per sample, by which loop.

    A batch of k back-to-back calls per sample hides the clock's and the loop's cost per call
    (OSU and nccl-tests time so); its sample is the batch's time / k, so the per-call
    distribution is only there when k is 1.
    """

    model_config = FROZEN
    loop: TimingLoop = Field(description="python: the harness's Python loop; native: C.")
    calls_per_sample: int = Field(
        ge=1, description="Back-to-back calls behind each sample; samples_ns are per call."
    )
    fallback: str | None = Field(
        default=None,
        description="Why the loop is not the one asked for (e.g. no MPI compiler), if so.",
    )


class Correctness(BaseModel):
    """The output compared with a float64 reference, normwise."""

    model_config = FROZEN
    reference: str = Field(description="What the output was compared with, e.g. 'torch fp64 cpu'.")
    reduced_problem: bool = Field(
        description="The check ran on a smaller problem of the same shape family (too big in fp64)."
    )
    error: float = Field(ge=0, description="Relative error ‖out − ref‖_F / ‖ref‖_F.")
    tolerance: float = Field(gt=0, description="The largest error accepted for this precision.")
    passed: bool = Field(description="error ≤ tolerance.")


class Collective(BaseModel):
    """Bandwidths of a collective, defined as nccl-tests defines them."""

    model_config = FROZEN
    ranks: int = Field(ge=1, description="Ranks that took part.")
    in_place: bool = Field(description="Send and receive buffers were the same.")
    size_bytes: int = Field(ge=1, description="Bytes per rank S.")
    algbw_gbps: float = Field(ge=0, description="S / median time, in GB/s (10^9 bytes).")
    busbw_gbps: float = Field(ge=0, description="algbw · 2(n−1)/n, in GB/s.")


class KernelResult(BaseModel):
    """One timed kernel: problem, direction, precision, raw samples, statistics, correctness."""

    model_config = FROZEN
    problem: Problem = Field(description="The problem, with its full parameters.")
    direction: Direction = Field(description="The pass that was timed.")
    precision: Precision = Field(description="Input, compute and output types.")
    timer: Timer = Field(description="Clock that produced the samples.")
    warmup_count: int = Field(ge=0, description="Untimed calls before the first sample.")
    samples_ns: tuple[int, ...] = Field(min_length=1, description="Every timed call, in ns.")
    stats: Statistics = Field(description="Summary of samples_ns.")
    flops: int = Field(ge=0, description="Logical FLOPs of one call (from the problem).")
    bytes_moved: int = Field(ge=0, description="Logical bytes read and written by one call.")
    tflops: float = Field(ge=0, description="flops / median time, in TFLOP/s.")
    gbps: float = Field(ge=0, description="bytes_moved / median time, in GB/s.")
    correctness: Correctness = Field(description="Check against a float64 reference.")
    seed: int = Field(ge=0, description="Seed of the random inputs.")
    page_faults: int | None = Field(
        default=None, ge=0, description="Minor page faults during the timed calls (CPU only)."
    )
    collective: Collective | None = Field(
        default=None, description="Bandwidths; present for all-reduce only."
    )
    timing_method: TimingMethod | None = Field(
        default=None,
        description="How the samples were taken; absent in older bundles: one call per sample "
        "in Python (or a CUDA graph's mean per call).",
    )

    def calls_per_sample(self) -> int:
        """Calls behind each sample: 1 unless the timing method says it batched them."""
        return 1 if self.timing_method is None else self.timing_method.calls_per_sample

    def measured_ns(self) -> int:
        """The time the timed calls took in all: samples are per call, each of k calls."""
        return sum(self.samples_ns) * self.calls_per_sample()


class KernelError(BaseModel):
    """A kernel that could not be measured: recorded, not scored; the run went on."""

    model_config = FROZEN
    problem_id: str = Field(description="Id of the problem that failed.")
    direction: Direction = Field(description="The pass that failed.")
    precision: Precision | None = Field(default=None, description="The precision tried.")
    message: str = Field(min_length=1, description="What went wrong.")


class Backend(BaseModel):
    """The software that ran the kernels and on what."""

    model_config = FROZEN
    name: str = Field(description="Framework or library, e.g. 'torch' or 'mpi4py'.")
    device: str = Field(description="Device the kernels ran on, e.g. 'cpu' or 'cuda:0'.")
    device_name: str = Field(description="Model name of that device.")
    threads: int = Field(ge=1, description="Intra-op threads the framework used.")
    library_versions: dict[str, str] = Field(description="Versions of the libraries involved.")
    environment: dict[str, str] = Field(
        default_factory=dict,
        description="Settings that change timings: allocator, thread and MPI variables.",
    )


class RunResult(BaseModel):
    """One run of one suite: the document `result.json` of a bundle."""

    model_config = DOCUMENT
    schema_version: Literal["1.0"] = Field(
        default=SCHEMA_VERSION, description="Version of this document's format."
    )
    run_id: str = Field(min_length=1, description="Unique id of the run.")
    harness_version: str = Field(description="Version of KernelPerf that ran.")
    suite: Suite = Field(description="The suite that ran.")
    profile: Profile = Field(description="How much of each set ran.")
    division: Division = Field(description="Division the run was made for.")
    rules_version: str = Field(description="Version of the rules the run was made under.")
    started_utc: datetime = Field(description="When the run began (UTC).")
    finished_utc: datetime = Field(description="When the run ended (UTC).")
    command_line: tuple[str, ...] = Field(description="The command that ran.")
    seed: int = Field(ge=0, description="Base seed of all random inputs.")
    complete: bool = Field(description="False when the run was interrupted; then it is not scored.")
    backend: Backend = Field(description="The software and device that ran the kernels.")
    results: tuple[KernelResult, ...] = Field(description="Every kernel measured.")
    errors: tuple[KernelError, ...] = Field(description="Every kernel that failed.")
