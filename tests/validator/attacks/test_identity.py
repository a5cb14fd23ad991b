"""Attacks on identity, ceilings, all-reduce, time accounting, schema_version and the cache.

Each test forges what a dishonest vendor would (see forge.py) and asserts the exact
finding code and that the validator rejects the bundle or round. Issue 12's numbers are in the
docstrings.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from harness.plan import POLICIES
from schemas import Collective, Division, Suite, load_problems
from tests.validator.attacks.forge import (
    REFERENCE_ROUND,
    ForgedRound,
    Log,
    forged_round,
    rederive,
    reference_bundle,
)
from tests.validator.conftest import edit_json, result_from_samples, run_result, system_description
from validator import Code, Report, validate
from validator._cache import code_fingerprint, judging_packages, validator_fingerprint
from validator.rules import load_rules

Json = Any
H100 = "NVIDIA H100 80GB HBM3"


def codes(report: Report) -> set[Code]:
    return {f.code for f in report.all_findings()}


def rejected_with(report: Report, code: Code) -> None:
    assert code in codes(report), sorted(codes(report))
    assert not report.ok


@pytest.fixture
def forged(tmp_path: Path) -> ForgedRound:
    return forged_round(tmp_path)


def test_the_forged_copy_is_clean_before_any_edit(forged: ForgedRound) -> None:
    """The baseline: re-signing with the forger's registered key alone raises no error."""
    assert forged.validate().ok


def test_attack_device_relabel_is_rejected(forged: ForgedRound) -> None:
    """Attack 1: backend.device cpu -> cuda:0 on a CPU bundle escaped every ceiling."""

    def relabel(run: Json) -> None:
        run["backend"]["device"] = "cuda:0"

    forged.forge(forged.bundle(), result=relabel)
    rejected_with(forged.validate(), Code.IDENTITY_DEVICE)


def test_attack_device_name_relabel_is_rejected(forged: ForgedRound) -> None:
    """Own: a CPU result renamed to another model, to borrow that model's ceiling."""

    def rename(run: Json) -> None:
        run["backend"]["device_name"] = "AMD EPYC 9965 192-Core Processor"

    forged.forge(forged.bundle(), result=rename)
    rejected_with(forged.validate(), Code.IDENTITY_DEVICE_NAME)


def test_attack_timer_relabel_is_rejected(forged: ForgedRound) -> None:
    """Own: CPU samples claimed as device events, which a CPU run cannot produce."""

    def retime(run: Json) -> None:
        run["results"][0]["timer"] = "device_events"

    forged.forge(forged.bundle(), result=retime)
    rejected_with(forged.validate(), Code.IDENTITY_TIMER)


def _gpu(model: str, **accelerator: Json) -> tuple[Any, Any]:
    """Edits that move the closed gemm bundle onto one GPU of `model`."""

    def system(document: Json) -> None:
        document["accelerators"] = [
            {"model": model, "count": 1, "memory_bytes": 80 << 30, **accelerator}
        ]

    def result(run: Json) -> None:
        run["backend"]["device"] = "cuda:0"
        run["backend"]["device_name"] = model
        for item in run["results"]:
            item["timer"] = "device_events"

    return system, result


def _declare_gpu_in_round(forged: ForgedRound, edit: Any) -> None:
    """The declared systems/<id>.json must say what the bundles probe."""
    declared = forged.root / "closed" / "kernelperf-ref" / "systems" / "cpu-2c-epyc.json"
    document = json.loads(declared.read_text(encoding="utf-8"))
    edit(document)
    declared.write_text(json.dumps(document, indent=2), encoding="utf-8")


def test_attack_unknown_device_without_a_source_is_rejected_in_closed(
    forged: ForgedRound,
) -> None:
    """Own (attack 1's unknown-device half): a device no table knows, peaks declared without a
    source, so nothing bounds its TFLOP/s."""
    system, result = _gpu("Acme Hyperion X1", peak_tflops={"fp32": 1e6})
    _declare_gpu_in_round(forged, system)
    forged.forge(forged.bundle(), result=result, system=system)
    report = forged.validate()
    rejected_with(report, Code.PLAUSIBILITY_NO_CEILING)
    errors = [f for f in report.all_findings() if f.code is Code.PLAUSIBILITY_NO_CEILING]
    assert all(f.severity.value == "error" for f in errors)


def test_attack_tf32_passed_off_as_fp32_is_rejected(forged: ForgedRound) -> None:
    """Attack 8 (ceiling part): an fp32 result on an H100 at a TF32-only rate."""
    system, result = _gpu(H100)

    def tf32_speed(run: Json) -> None:
        result(run)
        item = run["results"][0]
        fp32_ceiling = 67.0 * 1.2  # well under TF32's 494.7, over FP32's 67 (devices.csv)
        median_ns = item["flops"] / (fp32_ceiling * 2) / 1e3
        rederive(item, [int(median_ns)] * len(item["samples_ns"]))

    _declare_gpu_in_round(forged, system)
    forged.forge(forged.bundle(), result=tf32_speed, system=system)
    rejected_with(forged.validate(), Code.PLAUSIBILITY_TFLOPS)


def test_attack_lucky_samples_of_a_tiny_kernel_are_rejected(forged: ForgedRound) -> None:
    """Attack 13: keep the 5 fastest samples of the 3.8 us gemm/inference_device/003."""

    def lucky(run: Json) -> None:
        item = next(r for r in run["results"] if r["problem"]["id"].endswith("/003"))
        rederive(item, sorted(item["samples_ns"])[:5])

    forged.forge(forged.bundle(), result=lucky)
    rejected_with(forged.validate(), Code.RULES_MEASURED_TIME)


def test_attack_lucky_samples_claimed_as_batches_are_rejected(forged: ForgedRound) -> None:
    """Own (attack 13, careful forger): the 5 lucky samples of a 3.8 us kernel claimed as batches
    of 100,000 calls each, so the minimum measured time counts 2 s; the harness never batches a
    host-clock compute kernel."""

    def batched(run: Json) -> None:
        item = next(r for r in run["results"] if r["problem"]["id"].endswith("/003"))
        rederive(item, sorted(item["samples_ns"])[:5])
        item["timing_method"] = {"loop": "python", "calls_per_sample": 100_000}

    forged.forge(forged.bundle(), result=batched)
    rejected_with(forged.validate(), Code.TIME_BATCH)


def test_attack_batches_dressed_as_a_device_regime_are_rejected(forged: ForgedRound) -> None:
    """Own (attack 13): the same lucky batches, with a CUDA-graph regime to match, on a CPU
    result timed by the host clock."""

    def graphed(run: Json) -> None:
        item = next(r for r in run["results"] if r["problem"]["id"].endswith("/003"))
        rederive(item, sorted(item["samples_ns"])[:5])
        item["timing_method"] = {"loop": "python", "calls_per_sample": 100_000}
        item["regime"] = {"mode": "graph", "calls_per_sample": 100_000, "l2_flushed": False}

    forged.forge(forged.bundle(), result=graphed)
    rejected_with(forged.validate(), Code.TIME_BATCH)


def test_attack_samples_without_rewriting_the_log_are_rejected(forged: ForgedRound) -> None:
    """Attack 13, lazy forger: the fastest half of a big kernel's samples; the log keeps the
    median that was measured."""

    def fastest(run: Json) -> None:
        item = max(run["results"], key=lambda r: sum(r["samples_ns"]))
        rederive(item, sorted(item["samples_ns"])[: len(item["samples_ns"]) // 2])

    forged.forge(forged.bundle(), result=fastest, log=Log.KEPT)
    rejected_with(forged.validate(), Code.TIME_LOG)


def test_attack_more_samples_than_the_case_lasted_are_rejected(forged: ForgedRound) -> None:
    """Own (attack 13): samples padded to look steadier, beyond the case's time in logs/."""

    def padded(run: Json) -> None:
        item = run["results"][0]
        rederive(item, item["samples_ns"] * 4)

    forged.forge(forged.bundle(), result=padded, log=Log.MEDIANS)
    rejected_with(forged.validate(), Code.TIME_CASE_WINDOW)


def test_attack_run_window_shrunk_is_rejected(forged: ForgedRound) -> None:
    """Own (attack 13): a run that claims to have finished before its samples could."""

    def shrunk(run: Json) -> None:
        run["finished_utc"] = run["started_utc"].replace(":28:15.", ":28:16.")

    forged.forge(forged.bundle(), result=shrunk, log=Log.MEDIANS)
    rejected_with(forged.validate(), Code.TIME_RUN_WINDOW)


def test_attack_result_without_schema_version_is_rejected(forged: ForgedRound) -> None:
    """Attack 10: result.json without schema_version validated (the field had a default)."""

    def unversioned(run: Json) -> None:
        del run["schema_version"]

    forged.forge(forged.bundle(), result=unversioned)
    rejected_with(forged.validate(), Code.SCHEMA_REQUIRED)


def test_every_document_schema_requires_schema_version() -> None:
    for name in ("result", "system", "manifest"):
        schema = json.loads(
            (REFERENCE_ROUND.parents[1] / "schemas" / f"{name}.schema.json").read_text()
        )
        assert "schema_version" in schema["required"], name


# All-reduce (attack 5): loose bundles, judged as closed by their own division field.


def _allreduce_bundle(make_bundle: Any, tmp_path: Path, **system: Json) -> Path:
    problem = load_problems(Suite("allreduce"))[0]
    samples = tuple(range(200_000, 200_020))
    base = result_from_samples(problem, samples)
    size = problem.params.count * 4  # type: ignore[attr-defined]
    median = base.stats.median_ns
    collective = Collective(
        ranks=2,
        in_place=True,
        size_bytes=size,
        algbw_gbps=size / median,
        busbw_gbps=size / median,
    )
    exact = base.correctness.model_copy(update={"tolerance": 1e-300, "error": 0.0})
    result = base.model_copy(update={"collective": collective, "correctness": exact})
    run = run_result("allreduce", count=0, results=(result,))
    placement = [{"rank": r, "host": "node1", "device": "cpu"} for r in range(2)]
    described = system_description(ranks_per_node=2)
    described = type(described).model_validate(
        described.model_dump() | {"placement": placement} | system
    )
    return make_bundle(tmp_path, run=run, system=described)


def _edit_collective(bundle: Path, edit: Any) -> None:
    def apply(run: Json) -> None:
        item = run["results"][0]
        edit(item)
        rederive(item, item["samples_ns"])

    edit_json(bundle, "result.json", apply)


def test_honest_allreduce_bundle_is_valid(make_bundle: Any, tmp_path: Path) -> None:
    bundle = _allreduce_bundle(make_bundle, tmp_path)
    assert validate(bundle, jobs=1).ok


def test_attack_allreduce_size_inflated_is_rejected(make_bundle: Any, tmp_path: Path) -> None:
    """Attack 5: size_bytes x100 (busbw x100) while the count stays."""
    bundle = _allreduce_bundle(make_bundle, tmp_path)
    _edit_collective(
        bundle, lambda r: r["collective"].update(size_bytes=r["collective"]["size_bytes"] * 100)
    )
    rejected_with(validate(bundle, jobs=1), Code.COLLECTIVE_SIZE)


def test_attack_allreduce_thousand_ranks_is_rejected(make_bundle: Any, tmp_path: Path) -> None:
    """Attack 5: "1000 ranks" with no placement recorded, taken from the declaration."""
    bundle = _allreduce_bundle(make_bundle, tmp_path)
    edit_json(bundle, "system.json", lambda s: s.update(placement=[], ranks_per_node=1000))
    _edit_collective(bundle, lambda r: r["collective"].update(ranks=1000))
    rejected_with(validate(bundle, jobs=1), Code.COLLECTIVE_RANKS)


def test_attack_allreduce_tolerance_loosened_is_rejected(make_bundle: Any, tmp_path: Path) -> None:
    """Attack 5: a loose tolerance on a collective (FLOPs 0) was never held to the bound."""
    bundle = _allreduce_bundle(make_bundle, tmp_path)
    _edit_collective(bundle, lambda r: r["correctness"].update(tolerance=0.5, error=0.4))
    rejected_with(validate(bundle, jobs=1), Code.RULES_TOLERANCE)


def test_attack_allreduce_busbw_above_host_memory_is_rejected(
    make_bundle: Any, tmp_path: Path
) -> None:
    """Attack 5: 100x busbw within a node, above the host's declared memory bandwidth."""
    host = system_description().host.model_dump(mode="json") | {
        "memory_bandwidth_gbps": 48.0,
        "memory_bandwidth_source": "AMD EPYC 9005 data sheet",
    }
    bundle = _allreduce_bundle(make_bundle, tmp_path, host=host)

    def faster(item: Json) -> None:
        item["samples_ns"] = [max(1, s // 10_000) for s in item["samples_ns"]]

    _edit_collective(bundle, faster)
    rejected_with(validate(bundle, jobs=1), Code.PLAUSIBILITY_BANDWIDTH)


def test_attack_allreduce_without_a_ceiling_is_rejected_in_closed(
    make_bundle: Any, tmp_path: Path
) -> None:
    """Attack 5: no busbw ceiling existed for CPUs or unknown links; in closed that is an error."""
    bundle = _allreduce_bundle(make_bundle, tmp_path)
    edit_json(bundle, "result.json", lambda r: r.update(division="closed"))
    rejected_with(validate(bundle, jobs=1), Code.PLAUSIBILITY_NO_CEILING)


# The minimum measured time and the harness's own profiles.


def test_the_harness_profiles_meet_the_minimum_measured_time() -> None:
    """Each profile a division allows reaches the minimum: its budget (with a tenfold margin
    for a warm-up that overestimates the call) or its sample cap (tiny kernels)."""
    rules = load_rules("2026.1")
    for division in Division:
        division_rules = rules.divisions[division]
        for profile in division_rules.allowed_profiles:
            policy = POLICIES[profile]
            assert policy.max_samples >= division_rules.many_samples, (division, profile)
            assert policy.budget_s * 1e3 >= 10 * division_rules.min_measured_ms, (division, profile)


# The cache (attack 9).


def test_the_fingerprint_covers_validator_schemas_and_attestation() -> None:
    names = {path.name for path in judging_packages()}
    assert names == {"validator", "schemas", "attestation"}
    assert code_fingerprint(judging_packages()) == validator_fingerprint()


def test_attack_changed_formula_misses_the_cache(tmp_path: Path) -> None:
    """Attack 9: GEMM FLOPs changed to 3mnk in a copy of the code; a cached PASS stayed."""
    code = tmp_path / "code"
    repo = Path(__file__).resolve().parents[3]
    for package in ("validator", "schemas", "attestation", "harness", "containers", "kernelperf"):
        shutil.copytree(
            repo / package, code / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    bundle = tmp_path / "gemm"
    shutil.copytree(reference_bundle(REFERENCE_ROUND), bundle)
    env = os.environ | {"PYTHONPATH": str(code), "KERNELPERF_CACHE_DIR": str(tmp_path / "cache")}

    def flops_findings() -> int:
        done = subprocess.run(
            [sys.executable, "-m", "kernelperf.cli", "validate", "--json", str(bundle)],
            env=env, capture_output=True, text=True, check=False, cwd=tmp_path,
        )  # fmt: skip
        return done.stdout.count(Code.FLOPS_MISMATCH.value)

    assert flops_findings() == 0  # and the verdict is cached
    formula = code / "schemas" / "suites" / "gemm" / "__init__.py"
    text = formula.read_text(encoding="utf-8")
    assert "2 * self.m * self.n * self.k" in text
    formula.write_text(text.replace("2 * self.m * self.n * self.k", "3 * self.m * self.n * self.k"))
    assert flops_findings() > 0
