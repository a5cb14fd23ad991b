"""The sparse GEMM suite: DeepBench's C = A·B with a pruned A, stored as CSR, and a dense B.

A (m by k) has exactly round(m·k·(1 - sparsity)) non-zeros at uniformly random positions (so the
FLOPs credited, 2·m·n·k·(1 - sparsity), are the work done), drawn from the run's seed, stored as
`torch.sparse_csr_tensor` with int32 indices, as cuSPARSE and MKL take them. B (k by n) and C
(m by n) are dense and row-major, torch's native layout. C is preallocated and written by
`addmm(C, A, B, beta=0, out=C)`: `mm(A, B, out=C)` zero-fills C before every product (a memset
the size of C, timed with the kernel; on the CPU it also cost about 11k page faults per call),
while beta = 0 lets the library overwrite C without reading it. DeepBench's sets are all A·B
(no transposes); a transposed operand raises MeasurementError.

Precisions: wherever torch has a CSR-times-dense kernel for the dtype (fp32 and fp64 on CPU, via
MKL; on CUDA also the half precisions cuSPARSE has); others raise MeasurementError at the first
call.
int8 raises it up front: torch has no int8 sparse matmul with int32 accumulation on any device.

Check: a block of C against a dense float64 product of the same A and B (dense, so it does not
rely on the sparse library it checks), the block shrunk until the reference costs at most
REFERENCE_FLOPS and placed where the run's seed draws it (`check_region`).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from dataclasses import dataclass

import torch

from harness.inputs import TORCH_DTYPES, generator, random_nonzero
from harness.suites.base import Case, Prepared, RunOptions
from harness.suites.contracts import (
    compare,
    missing_kernel,
    official_cases,
    product_region,
    region_slices,
    strict_precision,
    unsupported,
)
from schemas import CheckedRegion, Correctness, DType, Problem, Suite
from schemas.suites.sparse_gemm import SparseGemmParams

# Dense fp64 matmul runs at about 45-70 GFLOP/s here: the reference then takes about 10 ms.
REFERENCE_FLOPS = 500_000_000
INDEX_BYTES = 4


@dataclass(frozen=True)
class Operands:
    """The sparse A in CSR, the dense B, and the preallocated C."""

    a: torch.Tensor
    b: torch.Tensor
    c: torch.Tensor


def nonzeros(p: SparseGemmParams) -> int:
    """Non-zeros of A: exactly the fraction the problem states."""
    return round(p.m * p.k * (1 - p.sparsity))


def distinct_positions(size: int, count: int, gen: torch.Generator) -> torch.Tensor:
    """`count` distinct positions in range(size), uniformly at random, sorted.

    Drawn with replacement and deduplicated until enough are distinct, then a random `count` of
    those kept: the distinct values of uniform draws are a uniform subset of their size, so
    the result is too. It costs O(count log count), where drawing all m·k and keeping the
    smallest cost 3-80x more on DeepBench's 5-10% dense matrices (up to 0.9 s a case here).
    """
    chosen = torch.empty(0, dtype=torch.int64)
    while chosen.numel() < count:
        missing = count - chosen.numel()
        extra = torch.randint(0, size, (missing + missing // 8 + 16,), generator=gen)
        chosen = torch.unique(torch.cat([chosen, extra]))
    keep = torch.randperm(chosen.numel(), generator=gen)[:count]
    return chosen[keep].sort().values


def operands(p: SparseGemmParams, dtype: DType, device: str, seed: int) -> Operands:
    """Seeded A (uniformly placed non-zeros, random non-zero values) and B, on `device`."""
    gen = generator(seed)
    count = nonzeros(p)
    positions = distinct_positions(p.m * p.k, count, gen)
    rows, cols = positions // p.k, positions % p.k
    crow = torch.zeros(p.m + 1, dtype=torch.int64)
    crow[1:] = torch.bincount(rows, minlength=p.m).cumsum(0)
    values = random_nonzero((count,), dtype, device, gen)
    with warnings.catch_warnings():
        # Torch calls its CSR support beta once per process; the suite knows, users need not.
        warnings.filterwarnings("ignore", message="Sparse CSR tensor support is in beta")
        a = torch.sparse_csr_tensor(
            crow.to(device=device, dtype=torch.int32),
            cols.to(device=device, dtype=torch.int32),
            values,
            size=(p.m, p.k),
            check_invariants=True,
        )
    b = random_nonzero((p.k, p.n), dtype, device, gen)
    return Operands(a=a, b=b, c=torch.empty((p.m, p.n), dtype=b.dtype, device=device))


def dense_rows(a: torch.Tensor, rows: slice) -> torch.Tensor:
    """Rows `rows` of the CSR `a` as a dense float64 CPU tensor, read from its arrays."""
    crow = a.crow_indices().to("cpu", torch.int64)[rows.start : rows.stop + 1]
    first, last = int(crow[0]), int(crow[-1])
    lengths = crow[1:] - crow[:-1]
    row_ids = torch.repeat_interleave(torch.arange(len(lengths)), lengths)
    cols = a.col_indices()[first:last].to("cpu", torch.int64)
    dense = torch.zeros((len(lengths), a.shape[1]), dtype=torch.float64)
    dense[row_ids, cols] = a.values()[first:last].to("cpu", torch.float64)
    return dense


def sparse_product(ops: Operands) -> torch.Tensor:
    """C = A·B into the preallocated C, with no memset of C first (module docs)."""
    return torch.addmm(ops.c, ops.a, ops.b, beta=0, out=ops.c)


def check_region(case: Case, seed: int) -> CheckedRegion:
    """Rows (m) and columns (n) of C the reference recomputes, placed by the seed."""
    p = case.problem.params
    assert isinstance(p, SparseGemmParams), case.problem.id
    return product_region(case, seed, p, REFERENCE_FLOPS)


def reference(ops: Operands, region: CheckedRegion) -> torch.Tensor:
    """The region of C as a dense float64 product of the same A and B."""
    part = region_slices(region)
    return dense_rows(ops.a, part["m"]) @ ops.b[:, part["n"]].to("cpu", torch.float64)


def _bytes_moved(p: SparseGemmParams, dtype: DType) -> int:
    """A's values and indices, B read once, C written once."""
    item = TORCH_DTYPES[dtype].itemsize
    count = nonzeros(p)
    a = count * (item + INDEX_BYTES) + (p.m + 1) * INDEX_BYTES
    return a + (p.k * p.n + p.m * p.n) * item


class SparseGemmSuite:
    """DeepBench sparse GEMMs timed through torch's CSR matmul (MKL on CPU, cuSPARSE on CUDA)."""

    suite = Suite("sparse_gemm")

    def cases(self, problem: Problem, options: RunOptions) -> Iterable[Case]:
        """The forward product in every requested precision the problem's set allows."""
        return official_cases(problem, options)

    def bytes_moved(self, case: Case) -> int:
        """Logical bytes of one call, without preparing it (for the run-time estimate)."""
        params = case.problem.params
        assert isinstance(params, SparseGemmParams), case.problem.id
        return _bytes_moved(params, case.precision.input)

    def prepare(self, case: Case, options: RunOptions) -> Prepared:
        """Seeded CSR A and dense B, and the one sparse-times-dense call into C."""
        params = case.problem.params
        assert isinstance(params, SparseGemmParams), case.problem.id
        if params.a_t or params.b_t:
            raise unsupported(case, options.device, "transposed operands are not implemented")
        dtype = case.precision.input
        if dtype is DType.INT8:
            reason = "torch has no int8 sparse matmul with int32 accumulation"
            raise unsupported(case, options.device, reason)
        strict_precision(options.device)
        with missing_kernel(case, options.device):
            ops = operands(params, dtype, options.device, options.seed)

            def kernel() -> torch.Tensor:
                return sparse_product(ops)

            kernel()

        def check() -> Correctness:
            region = check_region(case, options.seed)
            part = region_slices(region)
            kernel()
            return compare(case, ops.c[part["m"], part["n"]], reference(ops, region), region)

        return Prepared(kernel=kernel, check=check, bytes_moved=_bytes_moved(params, dtype))
