"""What one run of one suite measured: kernel results, errors, and how they were taken."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

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


class CheckedRegion(BaseModel):
    """The block of the output the reference recomputed: offsets drawn from the seed
    (`schemas.accuracy.region_offsets`), one entry per sliced dimension."""

    model_config = FROZEN
    dims: tuple[str, ...] = Field(
        description="Parameter names of the sliced dimensions, e.g. ['m', 'n'] for GEMM."
    )
    offsets: tuple[int, ...] = Field(description="First index checked in each dimension.")
    sizes: tuple[int, ...] = Field(description="How many indices were checked in each dimension.")


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
    region: CheckedRegion | None = Field(
        default=None,
        description="Where in the output the check looked; absent in bundles made before it "
        "was recorded.",
    )


class Collective(BaseModel):
    """Bandwidths of a collective, defined as nccl-tests defines them."""

    model_config = FROZEN
    ranks: int = Field(ge=1, description="Ranks that took part.")
    in_place: bool = Field(description="Send and receive buffers were the same.")
    size_bytes: int = Field(ge=1, description="Bytes per rank S.")
    algbw_gbps: float = Field(ge=0, description="S / median time, in GB/s (10^9 bytes).")
    busbw_gbps: float = Field(ge=0, description="algbw · 2(n−1)/n, in GB/s.")


class TimingMode(StrEnum):
    """How each sample ran the kernel on a device."""

    DIRECT = "direct"
    """Launched from the host between two events, one call per sample."""
    GRAPH = "graph"
    """Replayed as one captured CUDA graph of calls_per_sample whole calls: no host dispatch."""
    BLOCKED = "blocked"
    """Queued behind a blocking device kernel, so host dispatch overlapped it and is not timed."""


class TimingRegime(BaseModel):
    """How the samples of one result were taken on a device: one regime for all of them."""

    model_config = FROZEN
    mode: TimingMode = Field(
        description="Direct launch, graph replay, or behind a blocking kernel."
    )
    calls_per_sample: int = Field(
        ge=1, description="Kernel calls each sample averages over (graph replay or batching)."
    )
    l2_flushed: bool = Field(
        description="Every timed call began with the device's L2 cache flushed (else warm)."
    )
    decided_on_ns: int | None = Field(
        default=None,
        ge=1,
        description="Warm median of the direct calls the mode was chosen on, in ns.",
    )


class GpuState(BaseModel):
    """One reading of a GPU's clocks, power and temperature (NVML)."""

    model_config = FROZEN
    sm_clock_mhz: int = Field(ge=0, description="Current SM clock, in MHz.")
    memory_clock_mhz: int = Field(ge=0, description="Current memory clock, in MHz.")
    power_w: float | None = Field(default=None, ge=0, description="Power draw, in W.")
    temperature_c: int | None = Field(default=None, description="GPU temperature, in °C.")
    throttle_reasons: tuple[str, ...] = Field(
        default=(),
        description="Active clock-limiting reasons NVML reports (idle and app settings left out).",
    )


class GpuStates(BaseModel):
    """The GPU read before and after a result's case; throttled when either reading shows it."""

    model_config = FROZEN
    before: GpuState = Field(description="Reading before the case was prepared.")
    after: GpuState = Field(description="Reading after its timed calls.")
    throttled: bool = Field(description="Some reading showed a clock-limiting reason.")


class Provenance(BaseModel):
    """Where a published result was copied from: the file, its digest, the sheet, row and cell.

    Kept per result so that anyone can open the source at the very cell and compare; the
    source's own derived figure is kept beside the time, never scored (ours is recomputed).
    """

    model_config = FROZEN
    source: str = Field(min_length=1, description="Who published it, where, under what license.")
    file: str = Field(min_length=1, description="The source file, relative to its folder.")
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="sha256 of that file.")
    sheet: str = Field(min_length=1, description="The sheet (or table) inside it.")
    row: int = Field(ge=1, description="1-based row of the result.")
    cell: str = Field(pattern=r"^[A-Z]{1,3}[1-9][0-9]*$", description="The time's cell, e.g. I5.")
    published_ms: float = Field(gt=0, description="The time exactly as published, in ms.")
    published_rate: float | None = Field(
        default=None, description="The source's own derived figure (TFLOP/s or GB/s), as is."
    )
    remark: str | None = Field(
        default=None, description="Text the source puts beside the figure (an algorithm's name)."
    )


class KernelResult(BaseModel):
    """One timed kernel: problem, direction, precision, raw samples, statistics, correctness."""

    model_config = FROZEN
    problem: Problem = Field(description="The problem, with its full parameters.")
    direction: Direction = Field(description="The pass that was timed.")
    precision: Precision = Field(description="Input, compute and output types.")
    timer: Timer = Field(description="Clock that produced the samples.")
    warmup_count: int = Field(ge=0, description="Untimed calls before the first sample.")
    samples_ns: tuple[int, ...] = Field(
        description="Every timed call, in ns; empty only for a published result (no samples)."
    )
    stats: Statistics = Field(
        description="Summary of samples_ns; of a published result, its one published time."
    )
    flops: int = Field(ge=0, description="Logical FLOPs of one call (from the problem).")
    bytes_moved: int = Field(ge=0, description="Logical bytes read and written by one call.")
    tflops: float = Field(ge=0, description="flops / median time, in TFLOP/s.")
    gbps: float = Field(ge=0, description="bytes_moved / median time, in GB/s.")
    correctness: Correctness | None = Field(
        description="Check against a float64 reference; None only for a published result."
    )
    seed: int = Field(ge=0, description="Seed of the random inputs.")
    page_faults: int | None = Field(
        default=None, ge=0, description="Minor page faults during the timed calls (CPU only)."
    )
    collective: Collective | None = Field(
        default=None, description="Bandwidths; present for all-reduce only."
    )
    regime: TimingRegime | None = Field(
        default=None, description="How a device timed the samples; absent for the host clock."
    )
    gpu_state: GpuStates | None = Field(
        default=None, description="GPU clocks, power and throttling around the case (NVML)."
    )
    provenance: Provenance | None = Field(
        default=None, description="Where a published result comes from; only with that timer."
    )
    timing_method: TimingMethod | None = Field(
        default=None,
        description="How the samples were taken; absent in older bundles: one call per sample "
        "in Python (or a CUDA graph's mean per call).",
    )

    @model_validator(mode="after")
    def _published_or_measured(self) -> KernelResult:
        """A published result has no samples and no check, and says where it comes from; a
        measured one has samples and its check, and no provenance."""
        published = self.timer is Timer.PUBLISHED
        if published and (self.samples_ns or self.correctness or self.provenance is None):
            raise ValueError("a published result has provenance, no samples and no check")
        if (not published and not (self.samples_ns and self.correctness)) or (
            not published and self.provenance is not None
        ):
            raise ValueError("a measured result has samples and a check, and no provenance")
        return self

    def calls_per_sample(self) -> int:
        """Calls behind each sample: 1 unless the timing method says it batched them."""
        return 1 if self.timing_method is None else self.timing_method.calls_per_sample

    def measured_ns(self) -> int:
        """The time the timed calls took in all: samples are per call, each of k calls."""
        return sum(self.samples_ns) * self.calls_per_sample()


class ErrorKind(StrEnum):
    """Why a kernel could not be measured."""

    UNSUPPORTED = "unsupported"
    """The backend has no kernel for this precision, shape or device."""
    OUT_OF_MEMORY = "out_of_memory"
    """Its buffers did not fit in the device's memory."""
    DEVICE_FAILURE = "device_failure"
    """A sticky device error (illegal address, ECC): the run ended here, incomplete."""
    FAILED = "failed"
    """Anything else the kernel or its check raised."""


class KernelError(BaseModel):
    """A kernel that could not be measured: recorded, not scored; the run went on."""

    model_config = FROZEN
    problem_id: str = Field(description="Id of the problem that failed.")
    direction: Direction = Field(description="The pass that failed.")
    precision: Precision | None = Field(default=None, description="The precision tried.")
    message: str = Field(min_length=1, description="What went wrong.")
    kind: ErrorKind | None = Field(
        default=None, description="Unsupported, out of memory, device failure or failed."
    )


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
