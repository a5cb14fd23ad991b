"""Sparse GEMM: DeepBench's C = A·B with a pruned A (problems.csv; ../DEEPBENCH.md)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from schemas.enums import Direction
from schemas.suites.gemm import transposes
from schemas.suites.spec import SuiteParams, SuiteSpec


class SparseGemmParams(SuiteParams):
    """A GEMM whose A (m×k) has the stated fraction of zeros, stored sparse."""

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

    def summary(self) -> str:
        """`m=7680 n=1 k=2560 NN sparsity=0.95`."""
        layout = transposes(self.a_t, self.b_t)
        return f"m={self.m} n={self.n} k={self.k} {layout} sparsity={self.sparsity:g}"


SPEC = SuiteSpec(
    name="sparse_gemm",
    position=40,
    params=SparseGemmParams,
    # Both sparsities and both layer sizes, from matrix-vector (n=1) to wide (n=1500) products,
    # in both sets (server/015 is the same shape as device/005); about 15 s in fp32.
    quick_ids=(
        "sparse_gemm/inference_server/000",
        "sparse_gemm/inference_server/002",
        "sparse_gemm/inference_server/009",
        "sparse_gemm/inference_device/002",
        "sparse_gemm/inference_device/005",
        "sparse_gemm/inference_device/006",
    ),
    smoke_ids=("sparse_gemm/inference_server/000",),
)
