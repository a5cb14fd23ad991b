"""Checks of a run as a whole: finished, in time order, one result per kernel, one suite."""

from __future__ import annotations

from collections.abc import Iterator

from schemas import RESULT_NAME, KernelResult
from validator._context import BundleContext
from validator._findings import Code, Finding, finding


def result_key(result: KernelResult) -> tuple[object, ...]:
    """What makes a result unique in a run: problem, direction, precision, collective mode.

    Plain strings and ints only: the round's duplicate check keys hundreds of thousands of these,
    and hashing and comparing models (the precision) cost several times as much.
    """
    collective = result.collective
    mode = None if collective is None else (collective.in_place, collective.ranks)
    precision = result.precision
    return (
        result.problem.id,
        result.direction.value,
        precision.input.value,
        precision.compute.value,
        precision.output.value,
        mode,
    )


def check_run(ctx: BundleContext) -> Iterator[Finding]:
    """Completeness, timestamps, suite of every result, duplicates, and recorded kernel errors."""
    run = ctx.run
    if not run.complete:
        yield finding(
            Code.RUN_INCOMPLETE, file=RESULT_NAME, json_path="complete", expected=True, found=False
        )
    if run.finished_utc < run.started_utc:
        yield finding(
            Code.RUN_TIME,
            file=RESULT_NAME,
            json_path="finished_utc",
            expected=f">= {run.started_utc.isoformat()}",
            found=run.finished_utc.isoformat(),
        )
    first_index: dict[tuple[object, ...], int] = {}
    for index, result in enumerate(run.results):
        if result.problem.suite != run.suite:
            yield finding(
                Code.RUN_SUITE_MISMATCH,
                file=RESULT_NAME,
                json_path=f"results[{index}].problem.suite",
                expected=run.suite.value,
                found=result.problem.suite.value,
            )
        key = result_key(result)
        if key in first_index:
            yield finding(
                Code.RUN_DUPLICATE_RESULT,
                file=RESULT_NAME,
                json_path=f"results[{index}]",
                message=f"{result.problem.id} {result.direction} repeats "
                f"results[{first_index[key]}]",
                found=result.problem.id,
            )
        else:
            first_index[key] = index
    for index, error in enumerate(run.errors):
        yield finding(
            Code.RUN_KERNEL_ERROR,
            file=RESULT_NAME,
            json_path=f"errors[{index}]",
            message=f"{error.problem_id} {error.direction}: {error.message}",
        )
