"""One audit round in a fresh process: every drawn result re-measured once, in turn.

Medians move about ±10% between processes here, and more under load (a mid-size GEMM ran 2.2x
slower in one process than in the process that submitted it), while rounds in one process agree
with each other: so each round starts `python -m harness.audit`, as `kernelperf run` would start
a run, and the spread between rounds is the spread between processes, the one that also lies
between a submission and its audit. The worker re-runs each result from the submitted result's
own problem (its full parameters, so an open custom problem re-runs as submitted), direction and
precision, with the device, threads, seed and timing policy of the request its bundle's log
opens with, and prints one JSON line per result as it finishes (the bar's ETA reads them).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from harness.audit._target import Submitted, read_bundle
from schemas import KernelResult, ResultKey

FROZEN = ConfigDict(frozen=True, extra="forbid")
# What of the worker's stderr a failed round keeps as the reason.
STDERR_TAIL_CHARS = 600


@dataclass(frozen=True)
class Drawn:
    """A drawn result with the bundle it came from."""

    bundle: Submitted
    result: KernelResult
    key: ResultKey


class Remeasured(BaseModel):
    """One result's samples from one round, or why its re-run failed."""

    model_config = FROZEN
    key: ResultKey
    samples_ns: tuple[int, ...] = ()
    error: str | None = None


class _Item(BaseModel):
    model_config = FROZEN
    bundle: str = Field(description="The bundle folder, as the auditing process read it.")
    key: ResultKey


class _Request(BaseModel):
    """What the parent sends the worker on stdin."""

    model_config = FROZEN
    drawn: tuple[_Item, ...]


Remeasure = Callable[[Sequence[Drawn]], Iterator[Remeasured]]
"""Runs one round of the drawn results, yielding each as it finishes."""


def remeasure_here(bundle: Submitted, result: KernelResult, key: ResultKey) -> Remeasured:
    """Re-runs one result in this process; a failure is recorded, not raised."""
    import torch

    from harness.plan import POLICIES, run_options
    from harness.runner import clock_for, resolve_device, run_case
    from harness.suites import compute_suite
    from harness.suites.base import Case

    request = bundle.request
    if request.threads is not None:
        torch.set_num_threads(request.threads)
    options = run_options(request.model_copy(update={"device": resolve_device(request.device)}))
    case = Case(problem=result.problem, direction=result.direction, precision=result.precision)
    try:
        outcome = run_case(
            compute_suite(key.suite),
            case,
            options,
            POLICIES[request.profile],
            clock_for(options.device),
        )
    except Exception as exc:  # a kernel that cannot be set up on re-run is a verdict
        return Remeasured(key=key, error=str(exc) or type(exc).__name__)
    if not isinstance(outcome, KernelResult):
        return Remeasured(key=key, error=outcome.message)
    return Remeasured(key=key, samples_ns=outcome.samples_ns)


def serve() -> int:
    """The worker: reads a request on stdin, prints one Remeasured JSON line per result."""
    from harness.suites.contracts import strict_precision

    request = _Request.model_validate_json(sys.stdin.buffer.read())
    report = sys.stdout
    sys.stdout = sys.stderr  # whatever a kernel prints must not break the report
    bundles: dict[str, Submitted] = {}
    for item in request.drawn:
        if item.bundle not in bundles:
            bundles[item.bundle] = read_bundle(Path(item.bundle))
            # As the runner does before it records anything: no TF32 where fp32 was run.
            strict_precision(bundles[item.bundle].request.device)
        bundle = bundles[item.bundle]
        result = bundle.results()[item.key]
        report.write(remeasure_here(bundle, result, item.key).model_dump_json() + "\n")
        report.flush()
    return 0


def fresh_process(drawn: Sequence[Drawn]) -> Iterator[Remeasured]:
    """One round in a new `python -m harness.audit` (native re-runs: the open division)."""
    items = tuple(_Item(bundle=str(d.bundle.path.absolute()), key=d.key) for d in drawn)
    request = _Request(drawn=items)
    pending = {d.key for d in drawn}
    with (
        tempfile.TemporaryFile() as stderr,
        subprocess.Popen(
            [sys.executable, "-m", "harness.audit"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=stderr,
        ) as process,
    ):
        assert process.stdin is not None and process.stdout is not None
        try:
            process.stdin.write(request.model_dump_json().encode())
            process.stdin.close()
            for line in process.stdout:
                done = Remeasured.model_validate_json(line)
                pending.discard(done.key)
                yield done
            code = process.wait()
        finally:
            if process.poll() is None:  # interrupted: the round is measured again on resume
                process.kill()
        stderr.seek(0)
        tail = stderr.read().decode(errors="replace")[-STDERR_TAIL_CHARS:].strip()
    for item in drawn:
        if item.key in pending:
            yield Remeasured(key=item.key, error=f"the round's process exited with {code}: {tail}")
