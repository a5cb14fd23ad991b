"""The run-time estimate: the policy's planned time, the power law, and `run --dry-run`."""

from __future__ import annotations

import dataclasses
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from harness.estimate import (
    UNCALIBRATED,
    Peaks,
    case_roofline_s,
    case_size,
    estimate_suite,
    fit_set_up,
)
from harness.plan import POLICIES, plan_suites
from kernelperf.cli import main
from schemas import DType, Profile, RunRequest, Suite


@pytest.mark.parametrize("profile", list(Profile))
@given(st.floats(1e-7, 10.0), st.floats(1.0, 10.0))
def test_planned_time_grows_with_the_call_and_keeps_the_minimum_samples(
    profile: Profile, call_s: float, factor: float
) -> None:
    policy = POLICIES[profile]
    planned = policy.planned_s(call_s)
    assert planned >= (policy.min_warmup_calls + policy.min_samples) * call_s
    assert policy.planned_s(call_s * factor) >= planned * (1 - 1e-9) or (
        # Past the budget the sample count drops: time per result is bounded, not monotonic.
        policy.sample_count(call_s * factor * 1e9) < policy.sample_count(call_s * 1e9)
    )


def test_every_case_of_a_plan_gets_a_positive_estimate() -> None:
    request = RunRequest(
        suites=(Suite("gemm"), Suite("rnn")),
        profile=Profile.QUICK,
        device="cpu",
        dtypes=(DType.FP32,),
        seed=0,
        threads=1,
    )
    peaks = Peaks({DType.FP32: 1.0}, memory_gbps=10.0, source="test")
    for plan in plan_suites(request):
        estimate = estimate_suite(plan, POLICIES[Profile.QUICK], peaks, UNCALIBRATED)
        assert len(estimate.case_s) == len(plan.cases)
        assert all(s > 0 and math.isfinite(s) for s in estimate.case_s)
        assert estimate.seconds == pytest.approx(sum(estimate.case_s))


def test_the_calibrated_call_passes_through_its_cases_and_rises_between_them() -> None:
    points = ((1e-6, 5e-6), (1e-4, 2e-4), (1e-2, 1.5e-2))
    calibration = dataclasses.replace(UNCALIBRATED, points=points)
    for roofline, call in points:
        assert calibration.call_s(roofline) == pytest.approx(call)
    rooflines = [10 ** (e / 4) for e in range(-32, 0)]
    calls = [calibration.call_s(r) for r in rooflines]
    assert calls == sorted(calls)
    # Below the cheapest case a call costs what the cheapest did; above the dearest, in step.
    assert calibration.call_s(1e-9) == pytest.approx(5e-6)
    assert calibration.call_s(1.0) == pytest.approx(1.5)


def test_the_set_up_fit_finds_its_parts_and_never_a_negative_one() -> None:
    sizes = [1e6, 5e6, 2e7, 8e7, 3e8]
    calls = [1e-4, 2e-3, 1e-3, 5e-2, 0.2]
    set_up = [0.01 + 2e-9 * b + 3 * c for b, c in zip(sizes, calls, strict=True)]
    assert fit_set_up(sizes, calls, set_up) == pytest.approx((0.01, 2e-9, 3.0))
    # Costs that fall as cases grow would fit a negative part: it is left out instead.
    falling = [0.5, 0.4, 0.3, 0.2, 0.1]
    assert all(part >= 0 for part in fit_set_up(sizes, calls, falling))


def test_a_dry_run_for_a_device_of_the_table_prints_the_plan(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = main(
        ["run", "--suite", "gemm", "--profile", "smoke", "--dry-run", "--peaks-of", "H100 SXM5"]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "H100 SXM5" in out and "gemm" in out


def test_an_unknown_device_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["run", "--suite", "gemm", "--dry-run", "--peaks-of", "no such device"])
    assert code == 2
    assert "--peaks-of" in capsys.readouterr().err


def test_an_rnn_step_by_step_reads_its_weights_at_every_step() -> None:
    """At batch 1 a GRU of 1536 over 187 steps reads U (28 MB) 187 times: the roofline says so."""
    request = RunRequest(
        suites=(Suite("rnn"),), profile=Profile.FULL, device="cpu", dtypes=(DType.FP32,), seed=0
    )
    (plan,) = plan_suites(request)
    by_label = {case.label: case for case in plan.cases}
    fwd = by_label["rnn/inference_server/042 fwd fp32"]
    peaks = Peaks({DType.FP32: 1.0}, memory_gbps=20.0, source="test")
    weights_bytes = 3 * 1536 * 1536 * 4
    flops, once = case_size(plan, fwd)
    streamed_s = case_roofline_s(plan, fwd, peaks)
    assert streamed_s == pytest.approx((once + 186 * weights_bytes) / 20e9)
    assert streamed_s > 10 * peaks.roofline_s(flops, once, DType.FP32)
    weights_case = by_label["rnn/train/000 bwd_weights fp32"]
    assert case_roofline_s(plan, weights_case, peaks) == pytest.approx(
        peaks.roofline_s(*case_size(plan, weights_case), DType.FP32)
    )
