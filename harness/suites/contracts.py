"""What the compute suites share about a kernel's contract: its precision, whether it can run, and
how its output is judged against the float64 reference.

Kept in one place so that every suite names precisions, reports a kernel the backend lacks, and
records correctness the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Protocol

import torch

from harness.accuracy import relative_error, tolerance
from harness.failures import is_out_of_memory, is_sticky
from harness.suites.base import Case, RunOptions
from schemas import (
    CheckedRegion,
    Correctness,
    DType,
    MeasurementError,
    Precision,
    Problem,
    ProblemSet,
    region_offsets,
)

# Low-precision floats multiply in their own type and accumulate in fp32 (DeepBench's minimum).
_ACCUMULATOR = {DType.FP16: DType.FP32, DType.BF16: DType.FP32, DType.INT8: DType.INT32}


def precision_of(dtype: DType, *, int8_output: DType = DType.INT32) -> Precision:
    """The contract for inputs of `dtype`: fp32 accumulation for floats, int32 for int8."""
    output = int8_output if dtype is DType.INT8 else dtype
    return Precision(input=dtype, compute=_ACCUMULATOR.get(dtype, dtype), output=output)


def runs_in(dtype: DType, problem_set: ProblemSet) -> bool:
    """int8 is an inference precision (DeepBench's rules); training sets never run it."""
    return dtype is not DType.INT8 or problem_set is not ProblemSet.TRAIN


def official_cases(
    problem: Problem, options: RunOptions, *, int8_output: DType = DType.INT32
) -> Iterator[Case]:
    """Every official direction of the problem in every requested precision its set allows."""
    for direction in problem.directions:
        for dtype in options.dtypes:
            if runs_in(dtype, problem.set):
                yield Case(problem, direction, precision_of(dtype, int8_output=int8_output))


class ProductShape(Protocol):
    """An m×k by k×n product's sizes (GEMM's and sparse GEMM's parameters)."""

    @property
    def m(self) -> int: ...
    @property
    def n(self) -> int: ...
    @property
    def k(self) -> int: ...


def product_region(case: Case, seed: int, shape: ProductShape, budget_flops: int) -> CheckedRegion:
    """Rows (m) and columns (n) of the product its fp64 reference recomputes, placed by the seed:
    the whole output, halved along its larger side until the reference fits the budget.

    Checking a block of the real output (same inputs) keeps the check honest for problems whose
    full fp64 product would take longer than the measurement itself.
    """
    rows, cols = shape.m, shape.n
    while 2 * rows * cols * shape.k > budget_flops and max(rows, cols) > 1:
        if rows >= cols:
            rows = (rows + 1) // 2
        else:
            cols = (cols + 1) // 2
    return drawn_region(case, seed, {"m": rows, "n": cols})


def drawn_region(case: Case, seed: int, sizes: dict[str, int]) -> CheckedRegion:
    """The block of `sizes` (parameter name → indices checked) placed where the seed says.

    The offsets come from `schemas.region_offsets`, so the validator can redraw them.
    """
    params = case.problem.params
    dims = tuple(sizes)
    extents = [int(getattr(params, dim)) for dim in dims]
    counts = [sizes[dim] for dim in dims]
    offsets = region_offsets(seed, case.problem.id, case.direction, extents, counts)
    return CheckedRegion(dims=dims, offsets=offsets, sizes=tuple(counts))


def region_slices(region: CheckedRegion) -> dict[str, slice]:
    """Parameter name → the slice of that dimension the region covers."""
    return {
        dim: slice(offset, offset + size)
        for dim, offset, size in zip(region.dims, region.offsets, region.sizes, strict=True)
    }


def _describe(case: Case, region: CheckedRegion) -> str:
    """'m 128..255 of 1760, n 0..15 of 16' for each dimension the region does not cover whole."""
    params = case.problem.params
    return ", ".join(
        f"{dim} {offset}..{offset + size - 1} of {getattr(params, dim)}"
        for dim, offset, size in zip(region.dims, region.offsets, region.sizes, strict=True)
        if size < getattr(params, dim)
    )


def unsupported(case: Case, device: str, reason: str) -> MeasurementError:
    """The error for a case this backend cannot run; the runner records it and goes on."""
    return MeasurementError(
        f"cannot run {case.precision.input.value} {case.direction.value} on {device}: {reason}",
        where=case.label,
        fix="leave this precision out (--dtype) or run on a backend that has the kernel",
    )


@contextmanager
def missing_kernel(case: Case, device: str) -> Iterator[None]:
    """Turns torch's errors raised inside the block into MeasurementError, with where and fix.

    Torch reports a dtype or device it has no kernel for as RuntimeError or NotImplementedError
    when the kernel is built or first called; this is the boundary where that becomes our error.
    A lack of memory and a sticky device error are RuntimeErrors too, but not a missing kernel:
    they pass through unchanged, for the runner to classify (harness/failures.py).
    """
    try:
        yield
    except (RuntimeError, NotImplementedError) as exc:
        if is_out_of_memory(exc) or is_sticky(exc):
            raise
        lines = str(exc).strip().splitlines()
        reason = lines[0] if lines else type(exc).__name__
        raise unsupported(case, device, f"torch {torch.__version__}: {reason}") from exc


def first_call(kernel: Callable[[], object], case: Case, device: str) -> None:
    """Calls `kernel` once (a warm-up), with torch's missing-kernel errors made MeasurementError."""
    with missing_kernel(case, device):
        kernel()


def strict_precision(device: str) -> None:
    """Makes CUDA honour the contracts: no TF32 for fp32, fp32 reductions for fp16 and bf16.

    cuDNN convolutions default to TF32 and cuBLAS may reduce half-precision products in their own
    type (or, where torch offers it, accumulate fp16 in fp16); each would time a cheaper kernel
    than the contract states. The runner applies this before it records the settings. CPU kernels
    need nothing.
    """
    if device.startswith("cuda"):
        matmul = torch.backends.cuda.matmul
        torch.backends.cudnn.allow_tf32 = False
        matmul.allow_tf32 = False
        matmul.allow_fp16_reduced_precision_reduction = False
        matmul.allow_bf16_reduced_precision_reduction = False
        if hasattr(matmul, "allow_fp16_accumulation"):  # torch 2.7 and later
            matmul.allow_fp16_accumulation = False


def compare(
    case: Case,
    output: torch.Tensor,
    reference: torch.Tensor,
    region: CheckedRegion,
    *,
    reduced: str = "",
) -> Correctness:
    """Normwise error of the `region` of `output` against the fp64 `reference` of the same inputs.

    `reduced` names how the reference problem was made smaller, where a region of the output is
    not enough (the RNN's fewer timesteps); a region or a reduction marks the check as reduced.
    """
    error = relative_error(output.detach().cpu(), reference)
    subset = ", ".join(part for part in (_describe(case, region), reduced) if part)
    bound = tolerance(case.problem.suite, case.direction, case.precision)
    return Correctness(
        reference="torch fp64 cpu" + (f", {subset}" if subset else ""),
        reduced_problem=bool(subset),
        error=error,
        tolerance=bound,
        passed=error <= bound,
        region=region,
    )
