"""The GEMM suite on real torch: FLOPs, column-major transposes, checks, precisions, seeds."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from harness.suites.base import Case, Prepared, RunOptions
from harness.suites.contracts import precision_of
from harness.suites.gemm import kernels as gemm
from schemas import Direction, DType, Problem, ProblemSet, Suite, load_problems
from schemas.suites.gemm import SPEC, GemmParams

SUITE = gemm.GemmSuite()


def problem(m: int, n: int, k: int, a_t: bool, b_t: bool, problem_set: str = "train") -> Problem:
    """A GEMM problem of any shape, with an id the schema accepts."""
    return Problem(
        id=f"gemm/{problem_set}/999",
        suite=Suite("gemm"),
        set=ProblemSet(problem_set),
        index=999,
        application="test",
        directions=(Direction.FWD,),
        params=GemmParams(m=m, n=n, k=k, a_t=a_t, b_t=b_t),
    )


def output_of(prepared: Prepared) -> torch.Tensor:
    """Runs the prepared kernel once and returns Cᵀ as it wrote it."""
    output = prepared.kernel()
    assert isinstance(output, torch.Tensor)
    return output


def options(*dtypes: DType, seed: int = 0) -> RunOptions:
    return RunOptions(device="cpu", dtypes=dtypes or (DType.FP32,), seed=seed)


def test_flops_are_2mnk_for_every_official_problem() -> None:
    for p in load_problems(Suite("gemm")):
        assert isinstance(p.params, GemmParams)
        assert p.flops() == 2 * p.params.m * p.params.n * p.params.k


@pytest.mark.parametrize(
    ("a_t", "b_t"), [(False, False), (True, False), (False, True), (True, True)]
)
def test_transposes_follow_column_major_blas(a_t: bool, b_t: bool) -> None:
    """C from the suite's kernel equals numpy's op(A)·op(B) on the same column-major memory."""
    m, n, k = 7, 5, 3
    params = GemmParams(m=m, n=n, k=k, a_t=a_t, b_t=b_t)
    ops = gemm.operands(params, DType.FP32, "cpu", seed=3)
    # The flat storage read in Fortran order is the BLAS matrix; op() transposes when flagged.
    a_blas = ops.a.numpy().ravel().reshape((k, m) if a_t else (m, k), order="F")
    b_blas = ops.b.numpy().ravel().reshape((n, k) if b_t else (k, n), order="F")
    expected = (a_blas.T if a_t else a_blas).astype(np.float64) @ (
        b_blas.T if b_t else b_blas
    ).astype(np.float64)
    c_t = (ops.left @ ops.right).numpy()  # row-major n x m, i.e. column-major m x n
    assert c_t.shape == (n, m)
    assert np.allclose(c_t.T, expected, rtol=1e-5)
    prepared = SUITE.prepare(
        Case(problem(m, n, k, a_t, b_t), Direction.FWD, precision_of(DType.FP32)), options(seed=3)
    )
    assert np.allclose(output_of(prepared).numpy().T, expected, rtol=1e-5)


def test_transposed_operands_are_views_not_copies() -> None:
    ops = gemm.operands(GemmParams(m=4, n=3, k=2, a_t=True, b_t=True), DType.FP32, "cpu", 0)
    assert ops.left.data_ptr() == ops.b.data_ptr() and not ops.left.is_contiguous()
    assert ops.right.data_ptr() == ops.a.data_ptr() and not ops.right.is_contiguous()


@pytest.mark.parametrize("dtype", [DType.FP32, DType.FP16, DType.BF16])
def test_float_precisions_pass_their_check(dtype: DType) -> None:
    case = Case(problem(64, 48, 96, False, True), Direction.FWD, precision_of(dtype))
    prepared = SUITE.prepare(case, options(dtype))
    correctness = prepared.check()
    assert correctness.passed, correctness
    assert not correctness.reduced_problem
    assert output_of(prepared).dtype == {DType.FP32: torch.float32, DType.FP16: torch.float16,
                                       DType.BF16: torch.bfloat16}[dtype]  # fmt: skip


def test_int8_accumulates_exactly_in_int32() -> None:
    case = Case(
        problem(64, 8, 2560, False, False, "inference_server"),
        Direction.FWD,
        precision_of(DType.INT8),
    )
    assert case.precision.compute is DType.INT32 and case.precision.output is DType.INT32
    prepared = SUITE.prepare(case, options(DType.INT8))
    correctness = prepared.check()
    assert correctness.error == 0.0 and correctness.passed
    assert output_of(prepared).dtype == torch.int32


def test_int8_is_an_inference_precision_only() -> None:
    train = problem(8, 8, 8, False, False, "train")
    server = problem(8, 8, 8, False, False, "inference_server")
    every = options(DType.FP32, DType.FP16, DType.BF16, DType.INT8)
    assert [c.precision.input for c in SUITE.cases(train, every)] == [
        DType.FP32, DType.FP16, DType.BF16
    ]  # fmt: skip
    assert DType.INT8 in [c.precision.input for c in SUITE.cases(server, every)]


def test_check_catches_a_wrong_kernel(monkeypatch: pytest.MonkeyPatch) -> None:
    """A matmul off by 0.1% fails the fp32 check (the reference does not use torch.matmul)."""
    real_matmul = torch.matmul

    def slightly_wrong(
        left: torch.Tensor, right: torch.Tensor, *, out: torch.Tensor
    ) -> torch.Tensor:
        return real_matmul(left, right, out=out).mul_(1.001)

    monkeypatch.setattr(torch, "matmul", slightly_wrong)
    prepared = SUITE.prepare(
        Case(problem(32, 16, 64, True, False), Direction.FWD, precision_of(DType.FP32)), options()
    )
    correctness = prepared.check()
    assert not correctness.passed
    assert correctness.error > correctness.tolerance


def test_big_problems_are_checked_on_a_block_of_c(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gemm, "REFERENCE_FLOPS", 2 * 8 * 8 * 64)
    prepared = SUITE.prepare(
        Case(problem(96, 40, 64, False, False), Direction.FWD, precision_of(DType.FP32)), options()
    )
    correctness = prepared.check()
    assert correctness.reduced_problem and correctness.passed
    # 96x40 halves, larger side first, to 6x10: 2*6*10*64 flops fit the budget; the seed places it.
    region = correctness.region
    assert region is not None and region.dims == ("m", "n") and region.sizes == (6, 10)
    (m0, n0) = region.offsets
    assert correctness.reference.endswith(f"m {m0}..{m0 + 5} of 96, n {n0}..{n0 + 9} of 40")


def test_bytes_moved_counts_a_b_and_c_in_their_types() -> None:
    p = problem(10, 20, 30, False, False, "inference_server")
    fp32 = SUITE.prepare(Case(p, Direction.FWD, precision_of(DType.FP32)), options())
    int8 = SUITE.prepare(Case(p, Direction.FWD, precision_of(DType.INT8)), options(DType.INT8))
    assert fp32.bytes_moved == 4 * (10 * 30 + 30 * 20 + 10 * 20)
    assert int8.bytes_moved == (10 * 30 + 30 * 20) + 4 * 10 * 20


def test_same_seed_same_inputs_other_seed_other_inputs() -> None:
    params = GemmParams(m=16, n=8, k=32, a_t=False, b_t=False)
    first = gemm.operands(params, DType.BF16, "cpu", seed=11)
    again = gemm.operands(params, DType.BF16, "cpu", seed=11)
    other = gemm.operands(params, DType.BF16, "cpu", seed=12)
    assert torch.equal(first.a, again.a) and torch.equal(first.b, again.b)
    assert not torch.equal(first.a, other.a)
    assert bool((first.a != 0).all()), "inputs must be non-zero"


def test_quick_and_smoke_ids_are_official_and_fixed() -> None:
    ids = {p.id for p in load_problems(Suite("gemm"))}
    assert set(SPEC.quick_ids) <= ids and set(SPEC.smoke_ids) <= ids
    assert len(set(SPEC.quick_ids)) == len(SPEC.quick_ids) == 11
    assert 2 <= len(SPEC.smoke_ids) <= 3


def test_int8_shapes_cuda_cannot_run_are_named_with_the_reason() -> None:
    """torch._int_mm's CUDA limits, in DeepBench's m, n, k (the product is taken as Cᵀ)."""
    assert gemm.int8_cuda_shape_problem(GemmParams(m=64, n=32, k=128, a_t=False, b_t=False)) is None
    reason = gemm.int8_cuda_shape_problem(GemmParams(m=35, n=8, k=100, a_t=False, b_t=False))
    assert reason is not None
    assert "n = 8 must exceed 16" in reason
    assert "k = 100 must be a multiple of 8" in reason
    assert "m = 35 must be a multiple of 8" in reason


def test_some_but_not_all_official_int8_shapes_are_refused_on_cuda() -> None:
    inference = [
        p.params
        for p in load_problems(Suite("gemm"))
        if p.set is not ProblemSet.TRAIN and isinstance(p.params, GemmParams)
    ]
    refused = [p for p in inference if gemm.int8_cuda_shape_problem(p) is not None]
    assert 0 < len(refused) < len(inference)


def test_an_int8_shape_cuda_cannot_run_is_refused_before_any_allocation() -> None:
    """No GPU is touched: the shape alone decides, so this runs on a CPU-only machine."""
    from schemas import MeasurementError

    p = problem(35, 8, 100, False, False, problem_set="inference_server")
    case = Case(p, Direction.FWD, precision_of(DType.INT8))
    cuda = RunOptions(device="cuda:0", dtypes=(DType.INT8,), seed=0)
    with pytest.raises(
        MeasurementError, match=r"torch\._int_mm on CUDA cannot take this shape: n = 8 must exceed"
    ):
        SUITE.prepare(case, cuda)
