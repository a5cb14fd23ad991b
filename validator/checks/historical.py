"""Checks of published results (the historical division), and how the other checks apply there.

A division whose rules say `published_results` holds figures copied from a published source:
no samples, no correctness check, no log, no signature. The checks of those never apply there
(`measured_only`); these take their place: each result is a published figure with provenance,
of an official problem, whose statistics are its one published time and whose FLOPs and rates
are recomputed with our formulas. Plausibility still runs, but what it finds becomes a note with
the honest reason (`as_notes`): a published number above peak is shown as published, flagged.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator

from schemas import RESULT_NAME, KernelResult, Statistics, Timer
from schemas.statistics import published_stats
from validator._context import BundleCheck, BundleContext
from validator._findings import Code, Finding, finding
from validator.checks.measurement import _throughput, close
from validator.checks.rules import division_of
from validator.rules import RulesNotFoundError, load_rules

# A larger problem of one shape family that runs this many times faster than a smaller one is an
# outlier: the TitanX Pascal vanilla RNN at batch 64 takes 6.2 ms where batch 32 takes 10.9 ms.
OUTLIER_FACTOR = 1.5
# The parameter that grows a problem within its shape family, per suite.
BATCH_FIELD = {"gemm": "n", "sparse_gemm": "n", "conv": "n", "rnn": "batch"}
_AS_NOTE = {
    Code.PLAUSIBILITY_TFLOPS: Code.HISTORICAL_ABOVE_PEAK,
    Code.PLAUSIBILITY_BANDWIDTH: Code.HISTORICAL_ABOVE_PEAK,
    Code.PLAUSIBILITY_NO_CEILING: Code.HISTORICAL_NO_CEILING,
}


def published_division(ctx: BundleContext) -> bool:
    """Whether the bundle is judged in a division of published results."""
    try:
        rules = load_rules(ctx.run.rules_version)
    except RulesNotFoundError:
        return False
    division_rules = rules.divisions.get(division_of(ctx))
    return division_rules is not None and division_rules.published_results


def measured_only(check: BundleCheck) -> BundleCheck:
    """`check`, which needs samples, checks or logs: skipped in a division of published results."""

    def run(ctx: BundleContext) -> Iterable[Finding]:
        return () if published_division(ctx) else check(ctx)

    return run


def as_notes(check: BundleCheck) -> BundleCheck:
    """`check`, whose figures above a ceiling become notes in a division of published results.

    A published CPU figure whose source states no core count has no ceiling at all: it is noted
    as such rather than held to the peak of one core.
    """

    def run(ctx: BundleContext) -> Iterable[Finding]:
        found = list(check(ctx))
        if not published_division(ctx):
            return found
        unbounded = ctx.system.host.cores is None and ctx.run.backend.device == "cpu"
        notes = []
        for item in found:
            code = _AS_NOTE.get(item.code)
            if code is None:
                notes.append(item)
                continue
            if unbounded and item.code is Code.PLAUSIBILITY_TFLOPS:
                code = Code.HISTORICAL_NO_CEILING
            message = item.message if code is Code.HISTORICAL_NO_CEILING else ""
            notes.append(
                finding(
                    code,
                    file=item.file,
                    json_path=item.json_path,
                    message=message,
                    expected=item.expected,
                    found=item.found,
                )
            )
        return notes

    return run


def _stats(result: KernelResult, path: str) -> Iterator[Finding]:
    if result.provenance is None:
        return
    expected = published_stats(result.provenance.published_ms * 1e6)
    for name in Statistics.model_fields:
        want, have = getattr(expected, name), getattr(result.stats, name)
        if not close(float(have), float(want)):
            yield finding(
                Code.HISTORICAL_STATS,
                file=RESULT_NAME,
                json_path=f"{path}.stats.{name}",
                expected=want,
                found=have,
            )


def check_published(ctx: BundleContext) -> Iterator[Finding]:
    """Published results only in a division of them, official, and their figures recomputed."""
    published = published_division(ctx)
    rules = load_rules(ctx.run.rules_version) if published else None
    for index, result in enumerate(ctx.run.results):
        path = f"results[{index}]"
        if (result.timer is Timer.PUBLISHED) is not published:
            yield finding(
                Code.HISTORICAL_NOT_PUBLISHED,
                file=RESULT_NAME,
                json_path=f"{path}.timer",
                found=result.timer.value,
            )
            continue
        if rules is None:
            continue
        if rules.official_set(result) is None:
            yield finding(
                Code.HISTORICAL_UNOFFICIAL,
                file=RESULT_NAME,
                json_path=f"{path}.problem",
                found=f"{result.problem.id} {result.direction.value}",
            )
        yield from _stats(result, path)
        yield from _throughput(result, path)


def _family(result: KernelResult) -> tuple[object, ...] | None:
    """The shape family of a result: everything but its batch, with direction and precision."""
    field = BATCH_FIELD.get(result.problem.suite.value)
    if field is None:
        return None
    params = result.problem.params.model_dump()
    params.pop(field)
    return (result.direction, result.precision, tuple(sorted(params.items())))


def check_outliers(ctx: BundleContext) -> Iterator[Finding]:
    """Notes a published result that runs much faster than a smaller one of its shape family."""
    if not published_division(ctx):
        return
    families: dict[tuple[object, ...], list[tuple[int, KernelResult]]] = defaultdict(list)
    for index, result in enumerate(ctx.run.results):
        family = _family(result)
        if family is not None:
            families[family].append((index, result))
    for members in families.values():
        members.sort(key=lambda member: member[1].flops)
        for position, (index, larger) in enumerate(members):
            smaller = [r for _, r in members[:position] if r.flops < larger.flops]
            slowest = max(smaller, key=lambda r: r.stats.median_ns, default=None)
            if slowest and slowest.stats.median_ns > OUTLIER_FACTOR * larger.stats.median_ns:
                yield finding(
                    Code.HISTORICAL_OUTLIER,
                    file=RESULT_NAME,
                    json_path=f"results[{index}].stats.median_ns",
                    message=f"{larger.problem.id} {larger.direction.value} "
                    f"({larger.problem.params.summary()}) takes "
                    f"{larger.stats.median_ns / 1e6:.4g} ms, "
                    f"{slowest.stats.median_ns / larger.stats.median_ns:.2g}x less than the "
                    f"smaller {slowest.problem.id} ({slowest.problem.params.summary()})",
                    found=larger.stats.median_ns,
                )
