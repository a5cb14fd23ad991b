"""Attacks on the correctness check (issue 12, attacks 7 and 8): garbage output recorded as
passing, a lower precision labelled fp32, and a checked region chosen by the vendor.

Each attack starts from a copy of the reference round (or a fresh harness bundle), is forged as
a vendor would with forge.py (statistics recomputed, log kept in step, manifest rewritten,
closed bundles re-signed with the vendor's registered key) and must be rejected with its code.
The first test shows, for every official problem, direction and precision, that the bounds
reject garbage at all.
"""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path
from typing import Any

import pytest
import torch

from harness import plan_suites
from harness.probe import describe_system
from harness.runner import Runner
from schemas import (
    RESULT_NAME,
    Direction,
    DType,
    Problem,
    Profile,
    RunRequest,
    Suite,
    error_bound,
)
from tests.validator.attacks.forge import (
    ForgedRound,
    Json,
    each_result,
    forge_bundle,
    forged_round,
    rederive,
)
from validator import Code, Report, Severity, validate
from validator.rules import load_rules

RULES = load_rules("2026.1")
PRECISIONS = (DType.FP32, DType.BF16, DType.FP16, DType.INT8, DType.TF32)
# An all-zero output: ‖0 − ref‖ / ‖ref‖ is exactly 1.
ZERO_OUTPUT_ERROR = 1.0
# Unit roundoffs as the old bound used them.
U_BF16 = 2.0**-8
U_FP32 = 2.0**-24


def _random_output_error() -> float:
    """Error of noise of the output's own scale: a real small product and independent noise."""
    gen = torch.Generator().manual_seed(0)
    reference = torch.rand(64, 96, generator=gen, dtype=torch.float64) @ torch.rand(
        96, 48, generator=gen, dtype=torch.float64
    )
    noise = torch.randn(64, 48, generator=gen, dtype=torch.float64)
    noise = noise / noise.norm() * reference.norm()
    return float((noise - reference).norm() / reference.norm())


def _transposed_errors() -> dict[str, float]:
    """Error of the transposed problem's output, one real small computation per suite."""
    gen = torch.Generator().manual_seed(1)

    def signed(*shape: int) -> torch.Tensor:
        return torch.rand(*shape, generator=gen, dtype=torch.float64) * 2 - 1

    def error(output: torch.Tensor, reference: torch.Tensor) -> float:
        return float((output - reference).norm() / reference.norm())

    a, b = signed(48, 48), signed(48, 32)
    x, w = signed(2, 8, 12, 12), signed(8, 8, 3, 3)
    u, h = signed(32, 32), signed(4, 32)
    sparse_a = signed(48, 48) * (torch.rand(48, 48, generator=gen) < 0.1)
    conv = torch.nn.functional.conv2d
    return {
        "gemm": error(a.t() @ b, a @ b),  # op(A) = Aᵀ where A was asked
        "conv": error(conv(x, w.transpose(2, 3)), conv(x, w)),  # the filter's rows and columns
        "rnn": error(torch.tanh(h @ u), torch.tanh(h @ u.t())),  # h·U for h·Uᵀ
        "sparse_gemm": error(sparse_a.t() @ b, sparse_a @ b),
    }


def test_garbage_fails_every_bound_of_every_official_problem_and_precision() -> None:
    """Attack 7: zeros, noise of the right scale and the transposed problem's output each fail
    the bound of every official problem, direction and precision (reduction lengths up to
    hundreds of thousands, where the old √k formula reached 16)."""
    random_error = _random_output_error()
    transposed = _transposed_errors()
    assert random_error > ZERO_OUTPUT_ERROR  # noise misses by more than zeros do
    checked, expected = 0, 0
    for problem_set in RULES.problem_sets:
        suite = problem_set.suite
        for problem in problem_set.problems:
            expected += len(problem.directions) * len(PRECISIONS)
            for direction in problem.directions:
                assert problem.params.reduction_length(direction) >= 1
                for precision in PRECISIONS:
                    compute = DType.FP32 if precision is not DType.INT8 else DType.INT32
                    bound = error_bound(
                        RULES.tolerance.bounds, suite, direction, precision,
                        DType.TF32 if precision is DType.TF32 else compute,
                        cap=RULES.tolerance.cap,
                    )  # fmt: skip
                    garbage = (ZERO_OUTPUT_ERROR, random_error, transposed.get(suite.value, 1.0))
                    assert bound < min(garbage), (problem.id, direction, precision, bound)
                    checked += 1
    suites = {s.suite for s in RULES.problem_sets}
    assert {Suite(name) for name in transposed} <= suites and checked == expected > 0


def _findings(report: Report, code: Code) -> list[Any]:
    return [f for f in report.all_findings() if f.code is code]


def _rejected(report: Report, code: Code) -> None:
    assert _findings(report, code), sorted({f.code for f in report.all_findings()})
    assert any(f.severity is Severity.ERROR for f in _findings(report, code))
    assert not report.ok


@pytest.fixture
def forged(tmp_path: Path) -> ForgedRound:
    round_copy = forged_round(tmp_path)
    assert round_copy.validate().ok  # the re-signed copy is clean
    return round_copy


@pytest.fixture(scope="module")
def rnn_train_bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh open bundle of rnn/train/000 in bf16 (quick profile), made by the harness."""
    request = RunRequest(
        suites=(Suite("rnn"),), profile=Profile.QUICK, device="cpu", dtypes=(DType.BF16,),
        seed=3, threads=1, id_glob="rnn/train/000",
    )  # fmt: skip
    system = describe_system(system_id="box", submitter="vendor")
    out = tmp_path_factory.mktemp("harness")
    (run,) = Runner(request, system, out, command_line=["kernelperf", "run"]).run(
        plan_suites(request)
    )
    assert run.run.results and validate(run.path, jobs=1, cache_dir=None).ok
    return run.path


def _garbage_with_bf16_accumulation(bundle: Path, tmp_path: Path, error: float) -> Report:
    """The open bundle, its kernels declared to accumulate in bf16 (open allows it), `error`
    recorded as passing wherever the old bound 4·u_out + 2·√k·u_acc allowed it (k = H·T, the
    forward and backward-data passes here: how zeros passed on 106 of 159 rnn/train kernels)."""
    copy = tmp_path / "bundle"
    shutil.copytree(bundle, copy)
    forged: list[str] = []

    def edit(result: Json) -> None:
        k = Problem.model_validate(result["problem"]).params.reduction_length(
            Direction(result["direction"])
        )
        old_bound = 4 * U_BF16 + 2 * math.sqrt(k) * U_BF16
        if old_bound >= error:
            result["precision"]["compute"] = DType.BF16.value
            result["correctness"] |= {"error": error, "tolerance": old_bound, "passed": True}
            forged.append(result["direction"])

    forge_bundle(copy, result=each_result(edit))
    assert forged
    return validate(copy, jobs=1, cache_dir=None)


def test_attack_zero_output_is_rejected(rnn_train_bundle: Path, tmp_path: Path) -> None:
    """Attack 7: an all-zero output (error 1) recorded as passing."""
    report = _garbage_with_bf16_accumulation(rnn_train_bundle, tmp_path, ZERO_OUTPUT_ERROR)
    _rejected(report, Code.CORRECTNESS_BOUND)


def test_attack_random_output_is_rejected(rnn_train_bundle: Path, tmp_path: Path) -> None:
    """Attack 7: noise of the output's scale (error about √2) recorded as passing."""
    report = _garbage_with_bf16_accumulation(rnn_train_bundle, tmp_path, _random_output_error())
    _rejected(report, Code.CORRECTNESS_BOUND)


def test_attack_transposed_output_is_rejected(rnn_train_bundle: Path, tmp_path: Path) -> None:
    """Attack 7: the output of the transposed problem (h·U for h·Uᵀ) recorded as passing."""
    error = _transposed_errors()["rnn"]
    report = _garbage_with_bf16_accumulation(rnn_train_bundle, tmp_path, error)
    _rejected(report, Code.CORRECTNESS_BOUND)


def test_attack_bf16_labelled_fp32_is_rejected(forged: ForgedRound) -> None:
    """Attack 8: a bf16 run relabelled fp32 in closed (bf16 output kept, so the old bound
    4·u_out + 2·√k·u_acc still allowed bf16's error): faster samples, bf16's error as measured
    on the round's own bf16 bundle."""
    document = json.loads((forged.bundle("gemm", "open") / RESULT_NAME).read_text("utf-8"))
    assert {r["precision"]["input"] for r in document["results"]} == {DType.BF16.value}
    bf16_error = max(r["correctness"]["error"] for r in document["results"])

    def relabel(result: Json) -> None:
        k = Problem.model_validate(result["problem"]).params.reduction_length()
        old_bound = 4 * U_BF16 + 2 * math.sqrt(k) * U_FP32
        rederive(result, [max(1, t // 2) for t in result["samples_ns"]])
        result["precision"]["output"] = DType.BF16.value
        result["correctness"] |= {"error": bf16_error, "tolerance": old_bound, "passed": True}

    forged.forge(forged.bundle("gemm", "closed"), result=each_result(relabel))
    _rejected(forged.validate(), Code.CORRECTNESS_PRECISION)


def test_attack_top_left_region_is_rejected(forged: ForgedRound) -> None:
    """A vendor's harness that always checks the top-left block, recorded as such: the offsets
    are not the ones the seed draws."""

    def top_left(result: Json) -> None:
        params = result["problem"]["params"]
        rows, cols = max(1, params["m"] // 2), max(1, params["n"] // 2)
        region = {"dims": ["m", "n"], "offsets": [0, 0], "sizes": [rows, cols]}
        result["correctness"]["region"] = region

    forged.forge(forged.bundle("gemm", "closed"), result=each_result(top_left))
    _rejected(forged.validate(), Code.CORRECTNESS_REGION)


def test_attack_missing_region_in_a_new_bundle_is_rejected(
    rnn_train_bundle: Path, tmp_path: Path
) -> None:
    """A run made after the rule (a fresh harness bundle) with its checked region removed."""
    copy = tmp_path / "bundle"
    shutil.copytree(rnn_train_bundle, copy)
    forge_bundle(copy, result=each_result(lambda result: result["correctness"].pop("region")))
    _rejected(validate(copy, jobs=1, cache_dir=None), Code.CORRECTNESS_REGION)


def test_bounds_are_far_below_garbage_and_above_what_was_measured() -> None:
    """The rules' bounds lie between the measured errors and the garbage line."""
    assert RULES.tolerance.cap <= 0.05
    for by_direction in RULES.tolerance.bounds.values():
        for by_precision in by_direction.values():
            for bound in by_precision.values():
                assert 0 < bound <= RULES.tolerance.cap
                assert math.log2(bound).is_integer()
