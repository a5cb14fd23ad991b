"""Time accounting: the measured time of a run must fit inside the time it says it took.

Samples are only durations, so forged or cherry-picked ones are cheap (issue 12, attack 13);
what is recorded around them is not: the run's wall-clock window in result.json and each case's
line in logs/harness.jsonl (its median, and since harness 0.1 the times it began and ended).
A result's samples plus its warm-ups (each at least the fastest sample) must fit in both, and
the log must record the median the result reports. This cannot prove that samples are real
(a reproduction can); it makes a consistent forgery rewrite the log and the windows too.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from schemas import LOG_NAME, RESULT_NAME, Division, KernelResult, Timer
from schemas.strict_json import StrictJsonError, parse_strict, read_bounded
from validator._context import BundleContext
from validator._findings import Code, Finding, finding
from validator.checks.rules import division_of

# Clocks and timestamps disagree a little: datetime.now() around the run, perf_counter_ns
# around each call, and a case's line is written after its buffers are freed.
WINDOW_SLACK = 1.02
WINDOW_SLACK_NS = 50_000_000
MEDIAN_REL_TOLERANCE = 1e-9
MAX_LOG_BYTES = 64 << 20


@dataclass(frozen=True)
class CaseEvent:
    """One `case` line of the log: its median and, where recorded, its time window."""

    median_ns: float
    started: datetime | None
    ended: datetime | None


def accounted_ns(result: KernelResult) -> float:
    """Time the result's calls took at the least: every sample (k calls each when batched),
    and each warm-up as the fastest."""
    return result.measured_ns() + result.warmup_count * result.stats.min_ns


def _fits(accounted: float, window_ns: float) -> bool:
    return accounted <= window_ns * WINDOW_SLACK + WINDOW_SLACK_NS


def _time(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def read_case_events(ctx: BundleContext) -> dict[str, list[CaseEvent]] | None:
    """The log's case lines by case name, in order; None when the log cannot be read.

    A case without its own start time begins when the case before it ended (or the run began).
    """
    try:
        raw = read_bounded(ctx.root / LOG_NAME, MAX_LOG_BYTES)
    except (OSError, StrictJsonError):
        return None
    events: dict[str, list[CaseEvent]] = defaultdict(list)
    previous_end: datetime | None = ctx.run.started_utc
    for line in raw.splitlines():
        try:
            event = parse_strict(line) if line.strip() else None
        except StrictJsonError:
            return None
        if not isinstance(event, dict) or event.get("event") != "case":
            continue
        median, name = event.get("median_ns"), event.get("case")
        ended = _time(event.get("t_utc"))
        started = _time(event.get("started_utc")) or (previous_end if ended else None)
        previous_end = ended or previous_end
        if isinstance(name, str) and isinstance(median, int | float):
            events[name].append(CaseEvent(float(median), started, ended))
    return events


def _names(result: KernelResult) -> tuple[str, str]:
    """The case names a result may be logged under: compute suites' label, collectives' id."""
    problem_id = result.problem.id
    return f"{problem_id} {result.direction.value} {result.precision.input.value}", problem_id


def _event_of(events: dict[str, list[CaseEvent]], result: KernelResult) -> CaseEvent | None:
    for name in _names(result):
        for event in events.get(name, ()):
            if math.isclose(event.median_ns, result.stats.median_ns, rel_tol=MEDIAN_REL_TOLERANCE):
                return event
    return None


def _run_window(ctx: BundleContext) -> Iterator[Finding]:
    run = ctx.run
    window_ns = (run.finished_utc - run.started_utc).total_seconds() * 1e9
    accounted = sum(accounted_ns(result) for result in run.results)
    if not _fits(accounted, window_ns):
        yield finding(
            Code.TIME_RUN_WINDOW,
            file=RESULT_NAME,
            json_path="finished_utc",
            message=f"samples and warm-ups take {accounted / 1e9:.4g} s, "
            f"the run lasted {window_ns / 1e9:.4g} s",
            expected=f">= {accounted / 1e9:.4g} s",
            found=f"{window_ns / 1e9:.4g} s",
        )


def _batching(ctx: BundleContext) -> Iterator[Finding]:
    """Calls per sample multiply the measured time, so only the batching the harness makes
    counts: collectives (k back-to-back calls), and on a device the regime's graph replay."""
    for index, result in enumerate(ctx.run.results):
        if result.collective is not None:
            continue
        # A regime is a device clock's record: on the host clock it is not the harness's.
        device = result.regime is not None and result.timer is Timer.DEVICE_EVENTS
        made = result.regime.calls_per_sample if device and result.regime else 1
        if result.calls_per_sample() != made:
            yield finding(
                Code.TIME_BATCH,
                file=RESULT_NAME,
                json_path=f"results[{index}].timing_method.calls_per_sample",
                expected=made,
                found=result.calls_per_sample(),
            )


def check_time_accounting(ctx: BundleContext) -> Iterator[Finding]:
    """The recorded batching, the run's window, each case's window in logs/, and the log's
    median of every result."""
    yield from _batching(ctx)
    yield from _run_window(ctx)
    events = read_case_events(ctx)
    closed = division_of(ctx) is Division.CLOSED
    if events is None:
        if closed:
            yield finding(Code.TIME_LOG, file=LOG_NAME, message="the log cannot be read")
        return
    for index, result in enumerate(ctx.run.results):
        event = _event_of(events, result)
        if event is None:
            # Open bundles may come from older harnesses without case lines; closed ones may not.
            if closed or any(name in events for name in _names(result)):
                yield finding(
                    Code.TIME_LOG,
                    file=LOG_NAME,
                    json_path=f"results[{index}]",
                    message=f"no case line of {_names(result)[0]} with median "
                    f"{result.stats.median_ns:.6g} ns",
                    found=result.stats.median_ns,
                )
            continue
        if event.started is None or event.ended is None:
            continue
        window_ns = (event.ended - event.started).total_seconds() * 1e9
        accounted = accounted_ns(result)
        if not _fits(accounted, window_ns):
            yield finding(
                Code.TIME_CASE_WINDOW,
                file=RESULT_NAME,
                json_path=f"results[{index}].samples_ns",
                message=f"samples and warm-ups take {accounted / 1e9:.4g} s, "
                f"its case in {LOG_NAME} lasted {window_ns / 1e9:.4g} s",
                expected=f"<= {window_ns / 1e9:.4g} s",
                found=f"{accounted / 1e9:.4g} s",
            )
