"""Identity: every result's device, device name and timer agree with the probed system.json.

The harness writes `backend.device`, `backend.device_name` and each result's timer in the same
process that probes system.json, so a disagreement is an edit: a CPU bundle relabelled `cuda:0`
escaped every ceiling and ranked first at 3,489 TFLOP/s (issue 12, attack 1).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from schemas import RESULT_NAME, Timer
from validator._context import BundleContext
from validator._findings import Code, Finding, finding

CPU = "cpu"
_CUDA = re.compile(r"^cuda(?::(\d+))?$")


def _device(ctx: BundleContext) -> Iterator[Finding]:
    """The device exists in system.json and carries the name the probe gave it."""
    backend, system = ctx.run.backend, ctx.system
    if backend.device == CPU:
        if backend.device_name != system.host.cpu_model:
            yield finding(
                Code.IDENTITY_DEVICE_NAME,
                file=RESULT_NAME,
                json_path="backend.device_name",
                expected=system.host.cpu_model,
                found=backend.device_name,
            )
        return
    match = _CUDA.match(backend.device)
    if match is None:
        yield finding(
            Code.IDENTITY_DEVICE,
            file=RESULT_NAME,
            json_path="backend.device",
            expected="cpu or cuda:N",
            found=backend.device,
        )
        return
    present = sum(a.count for a in system.accelerators)
    index = int(match.group(1) or 0)
    if index >= present:
        yield finding(
            Code.IDENTITY_DEVICE,
            file=RESULT_NAME,
            json_path="backend.device",
            message=f"system.json lists {present} accelerators, none is {backend.device}",
            expected=f"cuda:0..cuda:{present - 1}" if present else "cpu",
            found=backend.device,
        )
    elif backend.device_name not in {a.model for a in system.accelerators}:
        yield finding(
            Code.IDENTITY_DEVICE_NAME,
            file=RESULT_NAME,
            json_path="backend.device_name",
            expected=sorted(a.model for a in system.accelerators),
            found=backend.device_name,
        )


def expected_timers(device: str, collective: bool) -> frozenset[Timer]:
    """The clocks the harness times a device with.

    CPU kernels are timed on the host clock, CUDA kernels with events; a collective on a GPU
    may be timed on the host after synchronising (MPI has no device events).
    """
    if device == CPU:
        return frozenset({Timer.HOST_CLOCK})
    if collective:
        return frozenset({Timer.DEVICE_EVENTS, Timer.HOST_CLOCK})
    return frozenset({Timer.DEVICE_EVENTS})


def check_identity(ctx: BundleContext) -> Iterator[Finding]:
    """Device and device name against system.json, and every result's timer against the device."""
    yield from _device(ctx)
    device = ctx.run.backend.device
    for index, result in enumerate(ctx.run.results):
        allowed = expected_timers(device, result.collective is not None)
        if result.timer not in allowed:
            yield finding(
                Code.IDENTITY_TIMER,
                file=RESULT_NAME,
                json_path=f"results[{index}].timer",
                expected=sorted(t.value for t in allowed),
                found=result.timer.value,
            )
