"""Batched samples in the validator: a sample of k calls counts k calls and k times its time."""

from __future__ import annotations

from schemas import Division, Suite, TimingLoop, TimingMethod, load_problems
from tests.validator.conftest import kernel_result
from validator._findings import Code
from validator.checks.rules import _measured_time
from validator.checks.time_accounting import accounted_ns
from validator.rules import load_rules


def test_a_batched_result_counts_its_calls_and_their_time() -> None:
    problem = load_problems(Suite("allreduce"))[0]
    plain = kernel_result(problem, sample_count=5)
    rules = load_rules("2026.1").divisions[Division.CLOSED]
    calls = rules.many_samples // plain.stats.count + 1
    batched = plain.model_copy(
        update={"timing_method": TimingMethod(loop=TimingLoop.NATIVE, calls_per_sample=calls)}
    )
    assert plain.timing_method is None and plain.calls_per_sample() == 1
    assert batched.measured_ns() == calls * plain.measured_ns()
    assert accounted_ns(batched) > accounted_ns(plain)
    codes = [f.code for f in _measured_time(rules, plain, "results[0]")]
    assert Code.RULES_MEASURED_TIME in codes or plain.measured_ns() / 1e6 >= rules.min_measured_ms
    assert not list(_measured_time(rules, batched, "results[0]"))
