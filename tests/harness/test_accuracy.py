"""The correctness check's two shared facts: where it looks (drawn from the seed) and the bound
(the measured table, the same as the rules')."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from harness.records import RULES_VERSION
from harness.suites.base import Case, RunOptions
from harness.suites.contracts import precision_of
from harness.suites.gemm.kernels import REFERENCE_FLOPS, GemmSuite, check_region
from schemas import (
    Direction,
    DType,
    Problem,
    ProblemSet,
    Suite,
    harness_bounds,
    region_offsets,
)
from schemas.suites.gemm import GemmParams
from tests.tools.measure_errors import MEASURED, derive_bounds
from validator.rules import load_rules


@given(
    seed=st.integers(0, 2**63),
    extents_sizes=st.lists(
        st.integers(1, 10**6).flatmap(lambda e: st.tuples(st.just(e), st.integers(1, e))),
        min_size=1,
        max_size=3,
    ),
)
def test_region_offsets_are_repeatable_and_inside_the_output(
    seed: int, extents_sizes: list[tuple[int, int]]
) -> None:
    extents = [e for e, _ in extents_sizes]
    sizes = [s for _, s in extents_sizes]
    offsets = region_offsets(seed, "gemm/train/000", Direction.FWD, extents, sizes)
    assert offsets == region_offsets(seed, "gemm/train/000", Direction.FWD, extents, sizes)
    assert all(0 <= o <= e - s for o, e, s in zip(offsets, extents, sizes, strict=True))


def _big_gemm() -> Problem:
    """A product whose reference does not fit the budget, so the check takes a block."""
    side = 1024
    assert 2 * side**3 > REFERENCE_FLOPS
    params = GemmParams(kind="gemm", m=side, n=side, k=side, a_t=False, b_t=False)
    return Problem(
        id="gemm/train/000", suite=Suite("gemm"), set=ProblemSet.TRAIN, index=0,
        application="test", directions=(Direction.FWD,), params=params,
    )  # fmt: skip


def test_the_checked_block_moves_with_the_seed_and_is_recorded() -> None:
    case = Case(_big_gemm(), Direction.FWD, precision_of(DType.FP32))
    regions = {check_region(case, seed) for seed in range(8)}
    assert len({r.offsets for r in regions}) > 1  # not always the top-left corner
    correctness = GemmSuite().prepare(case, RunOptions("cpu", (DType.FP32,), seed=5)).check()
    assert correctness.region == check_region(case, 5) and correctness.passed
    assert correctness.reduced_problem


def test_the_harness_checks_with_the_rules_bounds() -> None:
    """The harness may not import the validator; this keeps their two copies equal."""
    tolerance = load_rules(RULES_VERSION).tolerance
    assert (tolerance.cap, tolerance.bounds) == harness_bounds()


def test_the_bounds_follow_from_the_measured_errors() -> None:
    """Every bound is the measured file's figure times the documented margin (the tool's rule)."""
    measured = json.loads(MEASURED.read_text(encoding="utf-8"))
    _, table = harness_bounds()
    assert derive_bounds(measured["max_error"]) == table
    measured_keys = {
        (row["suite"], row["direction"], row["precision"])
        for row in measured["cases"]
        if "error" in row
    }
    for suite, by_direction in table.items():
        for direction, by_precision in by_direction.items():
            assert {(suite, direction, key) for key in by_precision} <= measured_keys
