"""The rules of one bundle: version, division, profile, harness, image, and each kernel result.

Set completeness needs every bundle of a submission at once, so it lives in
`validator._round_rules`; the correctness tolerance is judged with the error, in
`validator.checks.correctness`.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator

from schemas import RESULT_NAME, SYSTEM_NAME, Division, KernelResult
from validator._context import BundleContext
from validator._findings import Code, Finding, finding
from validator.rules import DivisionRules, Rules, RulesNotFoundError, available_versions, load_rules


def division_of(ctx: BundleContext) -> Division:
    """The division the bundle is judged in: its folder's, else the one it declares."""
    if ctx.location is not None:
        return Division(ctx.location.division)
    return ctx.run.division


def _run_level(ctx: BundleContext, division: Division, rules: DivisionRules) -> Iterator[Finding]:
    run = ctx.run
    if ctx.location is not None and run.division is not division:
        yield finding(
            Code.RULES_DIVISION,
            file=RESULT_NAME,
            json_path="division",
            expected=division.value,
            found=run.division.value,
        )
    if run.profile not in rules.allowed_profiles:
        yield finding(
            Code.RULES_PROFILE,
            file=RESULT_NAME,
            json_path="profile",
            expected=[p.value for p in rules.allowed_profiles],
            found=run.profile.value,
        )
    if not any(fnmatch.fnmatchcase(run.harness_version, p) for p in rules.harness_versions):
        yield finding(
            Code.RULES_HARNESS_VERSION,
            file=RESULT_NAME,
            json_path="harness_version",
            expected=list(rules.harness_versions),
            found=run.harness_version,
        )
    if rules.locked_image_ids is not None:
        container = ctx.system.container
        image_id = container.image_id if container is not None else None
        if image_id not in rules.locked_image_ids:
            yield finding(
                Code.RULES_IMAGE,
                file=SYSTEM_NAME,
                json_path="container.image_id",
                expected=list(rules.locked_image_ids),
                found=image_id or "no container",
            )


def _official(rules: Rules, result: KernelResult, path: str) -> Iterator[Finding]:
    """Closed division: the problem is official, unmodified, in an official direction."""
    entry = rules.official(result.problem.id)
    if entry is None:
        yield finding(
            Code.RULES_UNKNOWN_PROBLEM,
            file=RESULT_NAME,
            json_path=f"{path}.problem.id",
            found=result.problem.id,
        )
        return
    problem_set, official = entry
    problem = result.problem
    if problem.params != official.params or (problem.suite, problem.set) != (
        problem_set.suite,
        problem_set.set,
    ):
        yield finding(
            Code.RULES_PARAMS,
            file=RESULT_NAME,
            json_path=f"{path}.problem.params",
            expected=official.params.model_dump(mode="json"),
            found=problem.params.model_dump(mode="json"),
        )
    if result.direction not in official.directions:
        yield finding(
            Code.RULES_DIRECTION,
            file=RESULT_NAME,
            json_path=f"{path}.direction",
            expected=[d.value for d in official.directions],
            found=result.direction.value,
        )
    floor = problem_set.floor
    precision = result.precision
    if not rules.allows(floor, precision.input, precision.compute):
        yield finding(
            Code.RULES_PRECISION,
            file=RESULT_NAME,
            json_path=f"{path}.precision",
            expected=f"at least {floor.multiply.value} multiply, "
            f"{floor.accumulate.value} accumulate",
            found=f"{precision.input.value} multiply, {precision.compute.value} accumulate",
        )


def _measured_time(rules: DivisionRules, result: KernelResult, path: str) -> Iterator[Finding]:
    """Enough measured time per result that a handful of lucky samples cannot stand for it.

    Like MLPerf's minimum run duration; a kernel so short that the harness's sample cap ends
    its timing first meets the rule by its count of timed calls instead. A batched sample
    (`timing_method.calls_per_sample` k) stands for k calls and k times its per-call time.
    """
    measured_ms = result.measured_ns() / 1e6
    calls = result.stats.count * result.calls_per_sample()
    if measured_ms < rules.min_measured_ms and calls < rules.many_samples:
        yield finding(
            Code.RULES_MEASURED_TIME,
            file=RESULT_NAME,
            json_path=f"{path}.samples_ns",
            expected=f">= {rules.min_measured_ms} ms, or >= {rules.many_samples} timed calls",
            found=f"{measured_ms:.4g} ms in {calls} calls",
        )


def _kernel_level(
    rules: Rules, division_rules: DivisionRules, result: KernelResult, path: str
) -> Iterator[Finding]:
    if result.stats.count < division_rules.min_samples:
        yield finding(
            Code.RULES_SAMPLES,
            file=RESULT_NAME,
            json_path=f"{path}.stats.count",
            expected=f">= {division_rules.min_samples}",
            found=result.stats.count,
        )
    if result.warmup_count < division_rules.min_warmup:
        yield finding(
            Code.RULES_WARMUP,
            file=RESULT_NAME,
            json_path=f"{path}.warmup_count",
            expected=f">= {division_rules.min_warmup}",
            found=result.warmup_count,
        )
    if result.stats.cv > division_rules.max_cv:
        yield finding(
            Code.RULES_CV,
            file=RESULT_NAME,
            json_path=f"{path}.stats.cv",
            expected=f"<= {division_rules.max_cv}",
            found=round(result.stats.cv, 4),
        )
    yield from _measured_time(division_rules, result, path)
    if division_rules.official_problems_only:
        yield from _official(rules, result, path)


def check_rules(ctx: BundleContext) -> Iterator[Finding]:
    """Every per-bundle rule of the rules version the run names, in its division."""
    try:
        rules = load_rules(ctx.run.rules_version)
    except RulesNotFoundError:
        yield finding(
            Code.RULES_VERSION,
            file=RESULT_NAME,
            json_path="rules_version",
            expected=available_versions(),
            found=ctx.run.rules_version,
        )
        return
    division = division_of(ctx)
    division_rules = rules.divisions[division]
    yield from _run_level(ctx, division, division_rules)
    for index, result in enumerate(ctx.run.results):
        yield from _kernel_level(rules, division_rules, result, f"results[{index}]")
