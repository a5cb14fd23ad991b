"""What a kernel computes: its parameters per suite and the FLOP formula beside them.

The FLOP formulas live here, in one place, so that the harness (which reports TFLOP/s) and the
validator (which re-derives them) cannot disagree. Counts follow DeepBench's result sheets.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from schemas.enums import Direction, ProblemSet, RnnCell, Suite

FROZEN = ConfigDict(frozen=True, extra="forbid")


class GemmParams(BaseModel):
    """C(m×n) = op(A)(m×k) · op(B)(k×n), column-major as in BLAS."""

    model_config = FROZEN
    kind: Literal["gemm"] = "gemm"
    m: int = Field(ge=1, description="Rows of C.")
    n: int = Field(ge=1, description="Columns of C.")
    k: int = Field(ge=1, description="Reduction length.")
    a_t: bool = Field(description="A is transposed.")
    b_t: bool = Field(description="B is transposed.")

    def flops(self) -> int:
        """2·M·N·K: one multiply and one add per term."""
        return 2 * self.m * self.n * self.k

    def reduction_length(self, direction: Direction = Direction.FWD) -> int:
        """How many products each output sums: sets the error tolerance."""
        return self.k


class SparseGemmParams(BaseModel):
    """A GEMM whose A (m×k) has the stated fraction of zeros, stored sparse."""

    model_config = FROZEN
    kind: Literal["sparse_gemm"] = "sparse_gemm"
    m: int = Field(ge=1, description="Rows of C and of the sparse A.")
    n: int = Field(ge=1, description="Columns of C.")
    k: int = Field(ge=1, description="Reduction length.")
    a_t: bool = Field(description="A is transposed.")
    b_t: bool = Field(description="B is transposed.")
    sparsity: float = Field(ge=0, lt=1, description="Fraction of zero entries in A.")

    def flops(self) -> int:
        """2·M·N·K·(1−sparsity): only the useful work on non-zeros counts."""
        return round(2 * self.m * self.n * self.k * (1 - self.sparsity))

    def reduction_length(self, direction: Direction = Direction.FWD) -> int:
        """How many products each output sums at most."""
        return self.k


class ConvParams(BaseModel):
    """A 2-D convolution, NCHW, dilation 1, no groups."""

    model_config = FROZEN
    kind: Literal["conv"] = "conv"
    w: int = Field(ge=1, description="Input width.")
    h: int = Field(ge=1, description="Input height.")
    c: int = Field(ge=1, description="Input channels.")
    n: int = Field(ge=1, description="Batch size.")
    k: int = Field(ge=1, description="Output channels (filters).")
    filter_w: int = Field(ge=1, description="Filter width S.")
    filter_h: int = Field(ge=1, description="Filter height R.")
    pad_w: int = Field(ge=0, description="Padding along the width.")
    pad_h: int = Field(ge=0, description="Padding along the height.")
    wstride: int = Field(ge=1, description="Stride along the width.")
    hstride: int = Field(ge=1, description="Stride along the height.")

    @property
    def out_w(self) -> int:
        """Output width Q."""
        return 1 + (self.w - self.filter_w + 2 * self.pad_w) // self.wstride

    @property
    def out_h(self) -> int:
        """Output height P."""
        return 1 + (self.h - self.filter_h + 2 * self.pad_h) // self.hstride

    def flops(self) -> int:
        """2·P·Q·N·K·C·R·S, the same count for every direction (as DeepBench counts it)."""
        return (
            2 * self.out_w * self.out_h * self.n * self.k * self.c * self.filter_w * self.filter_h
        )

    def reduction_length(self, direction: Direction = Direction.FWD) -> int:
        """Products per result element: C·R·S fwd, K·R·S bwd_data, N·P·Q bwd_filter."""
        if direction is Direction.BWD_DATA:
            return self.k * self.filter_h * self.filter_w
        if direction is Direction.BWD_FILTER:
            return self.n * self.out_h * self.out_w
        return self.c * self.filter_w * self.filter_h


class RnnParams(BaseModel):
    """One recurrent layer over T timesteps; input size equals hidden, W·x is not timed."""

    model_config = FROZEN
    kind: Literal["rnn"] = "rnn"
    cell: RnnCell = Field(description="Cell type.")
    hidden: int = Field(ge=1, description="Hidden units H.")
    batch: int = Field(ge=1, description="Batch size N.")
    timesteps: int = Field(ge=1, description="Timesteps T.")
    input_size: int = Field(ge=1, description="Input features; equals hidden in DeepBench.")

    def flops(self) -> int:
        """Vanilla 2·T·N·H² + T·N·H; LSTM 8·T·N·H²; GRU 6·T·N·H² (DeepBench's training sheets)."""
        t, n, h = self.timesteps, self.batch, self.hidden
        gates = {RnnCell.VANILLA: 1, RnnCell.LSTM: 4, RnnCell.GRU: 3}[self.cell]
        extra = t * n * h if self.cell is RnnCell.VANILLA else 0
        return 2 * gates * t * n * h * h + extra

    def reduction_length(self, direction: Direction = Direction.FWD) -> int:
        """H products per step over T steps of recurrence; T·N for the weight gradient."""
        if direction is Direction.BWD_WEIGHTS:
            return self.timesteps * self.batch
        return self.hidden * self.timesteps


class AllreduceParams(BaseModel):
    """An all-reduce of `count` elements per rank."""

    model_config = FROZEN
    kind: Literal["allreduce"] = "allreduce"
    count: int = Field(ge=1, description="Elements per rank.")
    op: Literal["sum"] = Field(default="sum", description="Reduction operator.")

    def flops(self) -> int:
        """A collective is scored by bandwidth, not FLOPs."""
        return 0

    def reduction_length(self, direction: Direction = Direction.FWD) -> int:
        """One value per rank is summed into each output element."""
        return 1


ProblemParams = Annotated[
    GemmParams | SparseGemmParams | ConvParams | RnnParams | AllreduceParams,
    Field(discriminator="kind"),
]


class Problem(BaseModel):
    """One official (or declared open) problem: a stable id and its full parameters."""

    model_config = FROZEN
    id: str = Field(
        pattern=r"^[a-z_]+/[a-z_]+/[0-9]{3}$",
        description="Stable id: suite/set/index, e.g. gemm/train/017.",
    )
    suite: Suite = Field(description="The suite this problem belongs to.")
    set: ProblemSet = Field(description="DeepBench problem set.")
    index: int = Field(ge=0, description="0-based position in DeepBench's set.")
    application: str = Field(description="Where the shape comes from (DeepSpeech, Resnet, ...).")
    directions: tuple[Direction, ...] = Field(
        min_length=1, description="Directions the official rules time for this problem."
    )
    params: ProblemParams = Field(description="The full parameters of the problem.")

    def flops(self) -> int:
        """Logical FLOPs of one direction of this problem."""
        return self.params.flops()
