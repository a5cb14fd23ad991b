"""The rate formulas that the harness reports with and the validator re-derives with."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from schemas import bandwidths_gbps, bus_factor, gbps, tflops


@given(
    size_bytes=st.integers(1, 2**40),
    ranks=st.integers(1, 4096),
    time_ns=st.floats(1.0, 1e12),
)
def test_bandwidths_follow_nccl_tests(size_bytes: int, ranks: int, time_ns: float) -> None:
    algbw, busbw = bandwidths_gbps(size_bytes, ranks, time_ns)
    assert algbw == pytest.approx(size_bytes / time_ns)
    assert busbw == pytest.approx(algbw * 2 * (ranks - 1) / ranks)
    assert busbw < 2 * algbw


def test_bus_factor_of_known_rank_counts() -> None:
    assert [bus_factor(n) for n in (1, 2, 4, 8)] == [0.0, 1.0, 1.5, 1.75]


@given(amount=st.integers(0, 2**60), median_ns=st.floats(1e-3, 1e15))
def test_rates_are_per_nanosecond(amount: int, median_ns: float) -> None:
    assert tflops(amount, median_ns) == pytest.approx(amount / median_ns / 1e3)
    assert gbps(amount, median_ns) == pytest.approx(amount / median_ns)
    assert tflops(amount, median_ns) == pytest.approx(gbps(amount, median_ns) / 1e3)
