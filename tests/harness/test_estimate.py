"""The run-time estimate: the policy's planned time, the power law, and `run --dry-run`."""

from __future__ import annotations

import dataclasses
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from harness.estimate import UNCALIBRATED, Peaks, estimate_suite
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


def test_the_calibrated_call_passes_through_its_reference_case() -> None:
    calibration = dataclasses.replace(UNCALIBRATED, exponent=0.7)
    reference = calibration.reference_roofline_s
    assert calibration.call_s(reference) == pytest.approx(calibration.reference_call_s)
    assert calibration.call_s(reference * 10) > calibration.call_s(reference)


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
