"""The run request: what a `kernelperf run` was asked to measure, as one model for every suite.

The harness writes it as the first line of every bundle's log (`{"event": "request", "request":
{...}}`), compute and all-reduce alike, and `--resume` reads it back, so that a resumed run
repeats the same selection, seed, device and threads. Where it is written, not what it measures
(`--out`, the system id), is not part of it.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from schemas.enums import Division, DType, ProblemSet, Profile
from schemas.errors import UsageError
from schemas.suites import Suite

REQUEST_VERSION: Literal["1.0"] = "1.0"
FROZEN = ConfigDict(frozen=True, extra="forbid")


class Sweep(BaseModel):
    """An OSU/nccl-tests style size sweep: min_bytes, then times step_factor up to max_bytes."""

    model_config = FROZEN
    min_bytes: int = Field(description="Smallest size per rank, in bytes (at least 1).")
    max_bytes: int = Field(description="Largest size per rank, in bytes (at least min_bytes).")
    step_factor: int = Field(description="Each size is the previous one times this (at least 2).")

    def sizes_bytes(self) -> tuple[int, ...]:
        """The sizes of the sweep, smallest first; UsageError for a sweep that cannot step."""
        if self.min_bytes < 1 or self.max_bytes < self.min_bytes or self.step_factor < 2:
            raise UsageError(
                f"cannot sweep from {self.min_bytes} to {self.max_bytes} bytes "
                f"in steps of x{self.step_factor}",
                where="--min-bytes, --max-bytes, --step-factor",
                fix="give 1 <= --min-bytes <= --max-bytes and an integer --step-factor >= 2",
            )
        sizes = [self.min_bytes]
        while sizes[-1] * self.step_factor <= self.max_bytes:
            sizes.append(sizes[-1] * self.step_factor)
        return tuple(sizes)


class CollectiveOptions(BaseModel):
    """How a collective suite (all-reduce) runs: its backend, its watchdog and its sizes."""

    model_config = FROZEN
    backend: Literal["mpi", "torch"] = Field(
        description="mpi: mpi4py on host buffers; torch: torch.distributed (gloo or NCCL)."
    )
    timeout_s: float = Field(
        gt=0, description="A rank that makes no progress for this long ends the run."
    )
    sweep: Sweep | None = Field(
        default=None, description="A size sweep instead of DeepBench's sizes (open division)."
    )
    loop: Literal["auto", "native", "python"] = Field(
        default="auto",
        description="What runs the timed calls: native (a C loop built with the MPI's mpicc), "
        "python (mpi4py's call from Python), or auto (native where it builds, else python).",
    )
    min_sample_us: float = Field(
        default=20.0,
        ge=0,
        description="Each sample batches back-to-back calls until it lasts this long (OSU and "
        "nccl-tests batch so); 0 times every call alone, keeping the per-call distribution.",
    )


class RunRequest(BaseModel):
    """Everything that decides what a run measures (not where it writes)."""

    model_config = FROZEN
    schema_version: Literal["1.0"] = Field(
        default=REQUEST_VERSION, description="Version of this document's format."
    )
    suites: tuple[Suite, ...] = Field(min_length=1, description="The suites to run, in order.")
    profile: Profile = Field(description="How much of each set runs: smoke, quick or full.")
    device: str = Field(description="Where the kernels run: 'cpu', 'cuda' or 'cuda:N'.")
    dtypes: tuple[DType, ...] = Field(min_length=1, description="Input precisions to run.")
    seed: int = Field(ge=0, description="Seed of every random input.")
    threads: int | None = Field(
        default=None,
        ge=1,
        description="Intra-op threads of torch for compute suites; null for a collective, "
        "whose backend records the threads it used.",
    )
    problem_set: ProblemSet | None = Field(default=None, description="Only this problem set.")
    id_glob: str | None = Field(default=None, description="Only problem ids matching this glob.")
    collective: CollectiveOptions | None = Field(
        default=None, description="Present when the suite is a collective one (all-reduce)."
    )

    def division(self) -> Division:
        """Closed only for the official problems, unfiltered, at full size; a sweep is open.

        The validator checks the rest of the closed rules (locked image, minimum precisions).
        """
        sweep = self.collective is not None and self.collective.sweep is not None
        official = self.profile is Profile.FULL and self.id_glob is None and not sweep
        return Division.CLOSED if official else Division.OPEN
