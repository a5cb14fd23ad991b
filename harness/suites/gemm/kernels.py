"""The GEMM suite: DeepBench's dense matrix multiplies, C = op(A)·op(B), through torch.

Layout. DeepBench calls column-major BLAS: A is m x k (k x m when a_t), B is k x n (n x k when
b_t), C is m x n. A column-major r x c matrix occupies the same memory as a row-major c x r one,
so each operand is stored here as the row-major tensor with the same bytes, and the product is
taken the transposed way round: Cᵀ (n x m, row-major) = op(B)ᵀ · op(A)ᵀ, where

    op(A)ᵀ = A_rm       if not a_t  (A_rm: k x m row-major, the bytes of A column-major)
           = A_rm.t()   if a_t      (A_rm: m x k, viewed transposed, no copy)
    op(B)ᵀ = B_rm       if not b_t  (B_rm: n x k row-major, the bytes of B column-major)
           = B_rm.t()   if b_t      (B_rm: k x n, viewed transposed, no copy)

Torch hands the views to BLAS with the matching transpose flags, so the library reads memory in
the order DeepBench's call does. C is preallocated and overwritten every call (beta = 0, where
DeepBench passes beta = 1): the same multiply-adds, no allocation per call, and outputs that stay
finite over thousands of calls in fp16.

Precisions: fp32 (on CUDA without TF32); fp16 and bf16 with fp32 accumulation (on CUDA, cuBLAS's
reduced-precision reductions are switched off so that the contract holds); int8 x int8 -> int32
on the inference sets through `torch._int_mm`, where the backend has that kernel for the shape:
on CUDA it needs more than 16 rows in its first operand and inner and output widths that are
multiples of 8 (cuBLASLt's int8 alignment), so other shapes are error entries that say so.

Check: an r x c block of C against a float64 product of the same inputs, with r and c halved
until the reference costs at most REFERENCE_FLOPS (the whole of C when it fits), placed where the
run's seed draws it (`check_region`), so no fixed corner of C is the only one checked.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import torch

from harness.inputs import TORCH_DTYPES, generator, random_nonzero
from harness.suites.base import Case, Prepared, RunOptions
from harness.suites.contracts import (
    compare,
    first_call,
    precision_of,
    product_region,
    region_slices,
    runs_in,
    strict_precision,
    unsupported,
)
from schemas import CheckedRegion, Correctness, DType, Problem, Suite
from schemas.suites.gemm import GemmParams

# fp64 matmul runs at about 45 GFLOP/s on this CPU: the reference then takes about 10 ms.
REFERENCE_FLOPS = 500_000_000


@dataclass(frozen=True)
class Operands:
    """The inputs in row-major storage, and the two views whose product is Cᵀ."""

    a: torch.Tensor
    b: torch.Tensor
    left: torch.Tensor
    right: torch.Tensor


def operands(p: GemmParams, dtype: DType, device: str, seed: int) -> Operands:
    """Seeded A and B stored as DeepBench's column-major BLAS call stores them (module docs)."""
    gen = generator(seed)
    a = random_nonzero((p.m, p.k) if p.a_t else (p.k, p.m), dtype, device, gen)
    b = random_nonzero((p.k, p.n) if p.b_t else (p.n, p.k), dtype, device, gen)
    left = b.t() if p.b_t else b
    right = a.t() if p.a_t else a
    return Operands(a=a, b=b, left=left, right=right)


def check_region(case: Case, seed: int) -> CheckedRegion:
    """Rows (m) and columns (n) of C the reference recomputes, placed by the seed."""
    p = case.problem.params
    assert isinstance(p, GemmParams), case.problem.id
    return product_region(case, seed, p, REFERENCE_FLOPS)


def reference(ops: Operands, region: CheckedRegion) -> torch.Tensor:
    """The region of Cᵀ (columns x rows, as stored) as a float64 product of the same inputs."""
    part = region_slices(region)
    left = ops.left[part["n"]].to("cpu", torch.float64)
    return left @ ops.right[:, part["m"]].to("cpu", torch.float64)


def _output_dtype(dtype: DType) -> torch.dtype:
    return torch.int32 if dtype is DType.INT8 else TORCH_DTYPES[dtype]


def _bytes_moved(p: GemmParams, dtype: DType) -> int:
    """A and B read once, C written once, in their stored element sizes."""
    item = TORCH_DTYPES[dtype].itemsize
    return (p.m * p.k + p.k * p.n) * item + p.m * p.n * _output_dtype(dtype).itemsize


# torch._int_mm on CUDA: the first operand needs more than this many rows ...
INT8_CUDA_MIN_ROWS = 16
# ... and the inner and output widths must be multiples of this.
INT8_CUDA_MULTIPLE = 8


def int8_cuda_shape_problem(p: GemmParams) -> str | None:
    """Why torch._int_mm on CUDA cannot take this GEMM, or None when it can.

    The product is taken as Cᵀ = op(B)ᵀ·op(A)ᵀ (module docs): _int_mm's rows are n, its inner
    dimension k and its output width m.
    """
    rows, inner, width = p.n, p.k, p.m
    reasons = []
    if rows <= INT8_CUDA_MIN_ROWS:
        reasons.append(f"n = {rows} must exceed {INT8_CUDA_MIN_ROWS}")
    if inner % INT8_CUDA_MULTIPLE:
        reasons.append(f"k = {inner} must be a multiple of {INT8_CUDA_MULTIPLE}")
    if width % INT8_CUDA_MULTIPLE:
        reasons.append(f"m = {width} must be a multiple of {INT8_CUDA_MULTIPLE}")
    if not reasons:
        return None
    return "torch._int_mm on CUDA cannot take this shape: " + "; ".join(reasons)


class GemmSuite:
    """DeepBench GEMMs timed through torch (MKL or OpenBLAS on CPU, cuBLAS on CUDA)."""

    suite = Suite("gemm")

    def cases(self, problem: Problem, options: RunOptions) -> Iterable[Case]:
        """One forward case per requested precision the problem's set allows (int8: inference)."""
        for dtype in options.dtypes:
            if runs_in(dtype, problem.set):
                yield Case(problem, problem.directions[0], precision_of(dtype))

    def bytes_moved(self, case: Case) -> int:
        """Logical bytes of one call, without preparing it (for the run-time estimate)."""
        params = case.problem.params
        assert isinstance(params, GemmParams), case.problem.id
        return _bytes_moved(params, case.precision.input)

    def prepare(self, case: Case, options: RunOptions) -> Prepared:
        """Seeded operands, a preallocated C, and the one matmul call to time."""
        params = case.problem.params
        assert isinstance(params, GemmParams), case.problem.id
        dtype = case.precision.input
        if dtype is DType.INT8 and options.device.startswith("cuda"):
            problem = int8_cuda_shape_problem(params)
            if problem is not None:
                raise unsupported(case, options.device, problem)
        strict_precision(options.device)
        ops = operands(params, dtype, options.device, options.seed)
        c_t = torch.empty((params.n, params.m), dtype=_output_dtype(dtype), device=options.device)
        if dtype is DType.INT8:

            def kernel() -> torch.Tensor:
                return torch._int_mm(ops.left, ops.right, out=c_t)

        else:

            def kernel() -> torch.Tensor:
                return torch.matmul(ops.left, ops.right, out=c_t)

        first_call(kernel, case, options.device)

        def check() -> Correctness:
            region = check_region(case, options.seed)
            part = region_slices(region)
            kernel()
            return compare(case, c_t[part["n"], part["m"]], reference(ops, region), region)

        return Prepared(kernel=kernel, check=check, bytes_moved=_bytes_moved(params, dtype))
