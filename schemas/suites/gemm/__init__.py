"""GEMM: DeepBench's dense matrix multiplies, C = op(A)·op(B) (problems.csv; ../DEEPBENCH.md)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from schemas.enums import Direction
from schemas.suites.spec import SuiteParams, SuiteSpec


def transposes(a_t: bool, b_t: bool) -> str:
    """BLAS's name of the operand layout: NN, NT, TN or TT."""
    return ("T" if a_t else "N") + ("T" if b_t else "N")


class GemmParams(SuiteParams):
    """C(m×n) = op(A)(m×k) · op(B)(k×n), column-major as in BLAS."""

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

    def summary(self) -> str:
        """`m=1760 n=16 k=1760 NN`."""
        return f"m={self.m} n={self.n} k={self.k} {transposes(self.a_t, self.b_t)}"


SPEC = SuiteSpec(
    name="gemm",
    position=10,
    params=GemmParams,
    # One problem per shape family, every set and transpose combination, every call at most
    # about 75 ms in fp32 on a 2-core CPU; about 30 s in all with the checks.
    quick_ids=(
        "gemm/train/003",  # DeepSpeech 1760x128x1760, NN
        "gemm/train/023",  # the same, TN
        "gemm/train/045",  # output layer 35x8457x1760: few rows, wide
        "gemm/train/063",  # 7680x128x2560, NN
        "gemm/train/086",  # Speaker ID 1024x700x512
        "gemm/train/159",  # 1024x32x512, NT
        "gemm/inference_server/000",  # output layer 5124x700x2048: the largest of the subset
        "gemm/inference_server/008",  # 7680x1x2560: a matrix-vector product
        "gemm/inference_server/025",  # GRU affine 3072x1500x1024
        "gemm/inference_device/003",  # KWS 64x1x1216: latency-bound
        "gemm/inference_device/010",  # low-rank 4224x1500x176: short reduction
    ),
    # Three tiny shapes (NN, NT, matrix-vector), a second or two with the checks.
    smoke_ids=("gemm/train/128", "gemm/train/138", "gemm/inference_device/003"),
)
