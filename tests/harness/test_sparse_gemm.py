"""The sparse GEMM suite on real torch: non-zero FLOPs, the CSR operand, checks, dtypes, seeds."""

from __future__ import annotations

import csv
from importlib.resources import files

import pytest
import torch

from harness.suites.base import Case, Prepared, RunOptions
from harness.suites.contracts import precision_of
from harness.suites.sparse_gemm import kernels as sparse_gemm
from schemas import Direction, DType, MeasurementError, Problem, ProblemSet, Suite, load_problems
from schemas.suites.sparse_gemm import SPEC, SparseGemmParams

SUITE = sparse_gemm.SparseGemmSuite()
SMALL = SparseGemmParams(m=40, n=6, k=50, a_t=False, b_t=False, sparsity=0.9)


def problem(p: SparseGemmParams = SMALL, problem_set: str = "inference_server") -> Problem:
    """A sparse GEMM problem of any shape, with an id the schema accepts."""
    return Problem(
        id=f"sparse_gemm/{problem_set}/999",
        suite=Suite("sparse_gemm"),
        set=ProblemSet(problem_set),
        index=999,
        application="test",
        directions=(Direction.FWD,),
        params=p,
    )


def prepare(p: SparseGemmParams = SMALL, dtype: DType = DType.FP32, *, seed: int = 0) -> Prepared:
    case = Case(problem(p), Direction.FWD, precision_of(dtype))
    return SUITE.prepare(case, RunOptions(device="cpu", dtypes=(dtype,), seed=seed))


def test_flops_count_non_zeros_by_hand_and_in_the_csv() -> None:
    by_id = {p.id: p for p in load_problems(Suite("sparse_gemm"))}
    # 7680x1x2560 at 95% sparsity: 2·m·n·k·0.05.
    assert by_id["sparse_gemm/inference_server/000"].flops() == 2 * 7680 * 2560 // 20 == 1_966_080
    # 10752x1x3584 at 90%: 7707033.6 useful FLOPs, rounded as DeepBench's sheet does.
    assert by_id["sparse_gemm/inference_server/018"].flops() == 7_707_034
    text = files("schemas.suites.sparse_gemm").joinpath("problems.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(text.splitlines()))
    assert len(rows) == len(by_id)
    for row in rows:
        p = by_id[f"sparse_gemm/{row['set']}/{int(row['index']):03d}"]
        assert p.flops() == int(row["expected_nonzero_flops"]), p.id


def test_a_is_csr_with_exactly_the_stated_non_zeros() -> None:
    ops = sparse_gemm.operands(SMALL, DType.FP32, "cpu", seed=3)
    assert ops.a.layout is torch.sparse_csr and ops.a.crow_indices().dtype is torch.int32
    assert ops.a._nnz() == sparse_gemm.nonzeros(SMALL) == 200
    values = ops.a.values()
    assert bool((values != 0).all()) and bool((ops.b != 0).all())
    # The credited FLOPs are the work the non-zeros do.
    assert 2 * SMALL.n * ops.a._nnz() == SMALL.flops()


def test_non_zeros_are_spread_over_the_matrix() -> None:
    """Uniform positions: no row or column is left empty at 50% density on a 40x50 matrix."""
    p = SparseGemmParams(m=40, n=1, k=50, a_t=False, b_t=False, sparsity=0.5)
    dense = sparse_gemm.operands(p, DType.FP32, "cpu", seed=0).a.to_dense()
    assert bool((dense != 0).any(dim=1).all()) and bool((dense != 0).any(dim=0).all())


def test_each_position_is_drawn_equally_often() -> None:
    """3 of 10 positions, 20,000 seeded draws: each position about 6,000 times (sd 65)."""
    gen = torch.Generator().manual_seed(0)
    counts = torch.zeros(10, dtype=torch.int64)
    for _ in range(20_000):
        drawn = sparse_gemm.distinct_positions(10, 3, gen)
        assert drawn.tolist() == sorted(set(drawn.tolist())) and len(drawn) == 3
        counts[drawn] += 1
    assert int(counts.min()) > 5_700 and int(counts.max()) < 6_300


def test_result_is_a_times_b_and_passes_its_check() -> None:
    prepared = prepare()
    ops = sparse_gemm.operands(SMALL, DType.FP32, "cpu", seed=0)
    output = prepared.kernel()
    assert isinstance(output, torch.Tensor)
    assert torch.allclose(output, ops.a.to_dense() @ ops.b)
    correctness = prepared.check()
    assert correctness.passed and not correctness.reduced_problem


def test_check_catches_a_wrong_kernel(monkeypatch: pytest.MonkeyPatch) -> None:
    """A product 1% off fails (the reference is a dense fp64 matmul, not torch.addmm)."""
    real_addmm = torch.addmm

    def wrong(
        c: torch.Tensor, a: torch.Tensor, b: torch.Tensor, *, beta: float, out: torch.Tensor
    ) -> torch.Tensor:
        return real_addmm(c, a, b, beta=beta, out=out).mul_(1.01)

    monkeypatch.setattr(torch, "addmm", wrong)
    correctness = prepare().check()
    assert not correctness.passed and correctness.error > correctness.tolerance


def test_the_product_overwrites_c_without_reading_it() -> None:
    """addmm with beta=0 into C: whatever C held (NaN here) neither leaks in nor needs a memset."""
    ops = sparse_gemm.operands(SMALL, DType.FP32, "cpu", seed=0)
    ops.c.fill_(float("nan"))
    output = sparse_gemm.sparse_product(ops)
    assert output.data_ptr() == ops.c.data_ptr()
    assert torch.allclose(ops.c, ops.a.to_dense() @ ops.b)


def test_big_problems_are_checked_on_a_block_of_c(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sparse_gemm, "REFERENCE_FLOPS", 2 * 5 * 3 * SMALL.k)
    correctness = prepare().check()
    assert correctness.passed and correctness.reduced_problem
    # 40x6 halves, larger side first: 20x6, 10x6, 5x6, 5x3; the seed places the block.
    region = correctness.region
    assert region is not None and region.sizes == (5, 3)
    (m0, n0) = region.offsets
    assert correctness.reference.endswith(f"m {m0}..{m0 + 4} of 40, n {n0}..{n0 + 2} of 6")


@pytest.mark.parametrize("dtype", [DType.BF16, DType.FP16])
def test_half_precisions_without_a_cpu_kernel_are_measurement_errors(dtype: DType) -> None:
    """MKL has no half-precision CSR product: torch's error becomes ours, with where and fix."""
    with pytest.raises(MeasurementError, match=f"cannot run {dtype.value} fwd on cpu") as caught:
        prepare(dtype=dtype)
    assert caught.value.where == f"sparse_gemm/inference_server/999 fwd {dtype.value}"


def test_int8_is_a_measurement_error() -> None:
    with pytest.raises(MeasurementError, match="int8 sparse matmul"):
        prepare(dtype=DType.INT8)


def test_int8_is_offered_on_inference_sets_only() -> None:
    every = RunOptions("cpu", (DType.FP32, DType.INT8), 0)
    assert [c.precision.input for c in SUITE.cases(problem(), every)] == [DType.FP32, DType.INT8]
    assert [c.precision.input for c in SUITE.cases(problem(problem_set="train"), every)] == [
        DType.FP32
    ]


def test_same_seed_same_inputs_other_seed_other_inputs() -> None:
    first = sparse_gemm.operands(SMALL, DType.FP32, "cpu", seed=7)
    again = sparse_gemm.operands(SMALL, DType.FP32, "cpu", seed=7)
    other = sparse_gemm.operands(SMALL, DType.FP32, "cpu", seed=8)
    assert torch.equal(first.a.to_dense(), again.a.to_dense()) and torch.equal(first.b, again.b)
    assert not torch.equal(first.a.to_dense(), other.a.to_dense())


def test_bytes_moved_counts_csr_arrays_b_and_c() -> None:
    csr = 200 * (4 + 4) + 41 * 4
    assert prepare().bytes_moved == csr + 4 * (50 * 6 + 40 * 6)


def test_quick_and_smoke_ids_cover_every_set() -> None:
    by_id = {p.id: p for p in load_problems(Suite("sparse_gemm"))}
    quick = [by_id[i] for i in SPEC.quick_ids]
    assert {p.set for p in quick} == {ProblemSet.INFERENCE_SERVER, ProblemSet.INFERENCE_DEVICE}
    assert set(SPEC.smoke_ids) <= set(by_id) and 1 <= len(SPEC.smoke_ids) <= 3
