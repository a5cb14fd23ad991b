"""Judges each kernel's correctness check by the rules' error bounds, not by the bundle's word.

A result states its error, its tolerance and whether it passed. The bound that counts is the
rules' (`tolerance.bounds`, per suite, direction and precision, read by `schemas.error_bound`
as the harness reads its own copy): a result that passed with a larger error is a finding,
whatever tolerance it claims; an "fp32" result whose error only a lower precision makes carries
a false label. Runs started from `tolerance.region_required_from` on must also record where the
check looked, at the offsets the seed draws (`schemas.region_offsets`), and a tolerance no looser
than the bound (older ones, no looser than the cap).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC

from schemas import (
    RESULT_NAME,
    Correctness,
    Division,
    DType,
    KernelResult,
    error_bound,
    region_offsets,
)
from validator._context import BundleContext
from validator._findings import Code, Finding, Severity, finding
from validator.checks.rules import division_of
from validator.rules import Rules, RulesNotFoundError, ToleranceBounds, load_rules

# Contracts that claim at least fp32 all the way: the precision-label check applies to them.
_FULL_PRECISION = (DType.FP32, DType.FP64)


def rules_bound(bounds: ToleranceBounds, result: KernelResult) -> float:
    """The largest error the rules accept for this kernel's suite, direction and precision."""
    precision = result.precision
    return error_bound(
        bounds.bounds,
        result.problem.suite,
        result.direction,
        precision.input,
        precision.compute,
        cap=bounds.cap,
    )


def _lower_precision_bound(bounds: ToleranceBounds, result: KernelResult) -> float | None:
    """For an fp32 (or fp64) contract: the loosest bound of a lower precision of the same suite
    and direction, the error such a precision may show; None for other contracts."""
    precision = result.precision
    if precision.input not in _FULL_PRECISION or precision.compute not in _FULL_PRECISION:
        return None
    by_precision = bounds.bounds.get(result.problem.suite.value, {}).get(result.direction.value)
    lower = [
        value
        for key, value in (by_precision or {}).items()
        if key not in (DType.FP32.value, DType.FP64.value)
    ]
    return min(max(lower), bounds.cap) if lower else None


def _verdict(
    bounds: ToleranceBounds,
    result: KernelResult,
    check: Correctness,
    path: str,
    division: Division,
) -> Iterator[Finding]:
    bound = rules_bound(bounds, result)
    lower = _lower_precision_bound(bounds, result)
    if lower is not None and bound < check.error <= lower:
        yield finding(
            Code.CORRECTNESS_PRECISION,
            file=RESULT_NAME,
            json_path=f"{path}.error",
            message=f"{result.problem.id} {result.direction}: error {check.error:.3g} is above "
            f"what fp32 makes ({bound:.3g}) and within a lower precision's ({lower:.3g})",
            expected=f"<= {bound:.3g}",
            found=f"{check.error:.3g}",
            severity=Severity.ERROR if division is Division.CLOSED else Severity.WARNING,
        )
        return
    within = check.error <= check.tolerance
    if check.passed != within:
        yield finding(
            Code.CORRECTNESS_INCONSISTENT,
            file=RESULT_NAME,
            json_path=f"{path}.passed",
            expected=within,
            found=check.passed,
        )
    elif not check.passed:
        yield finding(
            Code.CORRECTNESS_FAILED,
            file=RESULT_NAME,
            json_path=f"{path}.error",
            message=f"{result.problem.id} {result.direction}: output failed its check",
            expected=f"<= {check.tolerance:.3g}",
            found=f"{check.error:.3g}",
        )
    elif check.error > bound:
        yield finding(
            Code.CORRECTNESS_BOUND,
            file=RESULT_NAME,
            json_path=f"{path}.error",
            message=f"{result.problem.id} {result.direction}: passed with an error above the "
            f"rules' bound",
            expected=f"<= {bound:.3g}",
            found=f"{check.error:.3g}",
        )


def _tolerance(limit: float, check: Correctness, path: str) -> Iterator[Finding]:
    if check.tolerance > limit * (1 + 1e-9):
        yield finding(
            Code.RULES_TOLERANCE,
            file=RESULT_NAME,
            json_path=f"{path}.tolerance",
            expected=f"<= {limit:.3g}",
            found=check.tolerance,
        )


def _region(
    result: KernelResult, check: Correctness, path: str, required: bool
) -> Iterator[Finding]:
    region = check.region
    if region is None:
        if required:
            yield finding(
                Code.CORRECTNESS_REGION,
                file=RESULT_NAME,
                json_path=f"{path}.region",
                expected="the checked region",
                found="none",
            )
        return
    params = result.problem.params
    named = [getattr(params, dim, None) for dim in region.dims]
    extents = [extent for extent in named if isinstance(extent, int)]
    shaped = len(region.offsets) == len(region.sizes) == len(extents) == len(region.dims)
    if not shaped or not all(
        1 <= size <= extent for extent, size in zip(extents, region.sizes, strict=True)
    ):
        yield finding(
            Code.CORRECTNESS_REGION,
            file=RESULT_NAME,
            json_path=f"{path}.region",
            expected="one offset and size per parameter it names, within the problem",
            found=region.model_dump(mode="json"),
        )
        return
    drawn = region_offsets(result.seed, result.problem.id, result.direction, extents, region.sizes)
    if drawn != region.offsets:
        yield finding(
            Code.CORRECTNESS_REGION,
            file=RESULT_NAME,
            json_path=f"{path}.region.offsets",
            expected=list(drawn),
            found=list(region.offsets),
        )


def check_correctness(ctx: BundleContext) -> Iterator[Finding]:
    """Every kernel's verdict, its error against the rules' bound, its label and its region."""
    try:
        rules: Rules = load_rules(ctx.run.rules_version)
    except RulesNotFoundError:  # check_rules reports the unknown version
        return
    bounds = rules.tolerance
    division = division_of(ctx)
    started = ctx.run.started_utc
    if started.tzinfo is None:  # the harness writes UTC; a bare time is read as UTC too
        started = started.replace(tzinfo=UTC)
    current = started >= bounds.region_required_from
    enforce = rules.divisions[division].enforce_tolerance
    for index, result in enumerate(ctx.run.results):
        check = result.correctness
        if check is None:
            continue  # a published result: it carries no check (only the historical division)
        path = f"results[{index}].correctness"
        yield from _verdict(bounds, result, check, path, division)
        if enforce:  # older runs used a looser formula; the cap bounds every claim
            limit = rules_bound(bounds, result) if current else bounds.cap
            yield from _tolerance(limit, check, path)
        measured_suite = result.problem.suite.value in bounds.bounds
        yield from _region(result, check, path, required=current and measured_suite)
