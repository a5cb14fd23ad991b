"""`kernelperf run --dry-run`: the plan of a compute run and how long each suite should take.

Composes the harness's estimate (harness/estimate.py) with the peaks it needs: probed on a CPU,
declared in system.json on a GPU, or the device table's (validator/peaks/devices.csv) for a
device that is not here (`--peaks-of "H100 SXM5"`, no calibration then).
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.table import Table

from harness import (
    POLICIES,
    UNCALIBRATED,
    Calibration,
    Peaks,
    SuiteEstimate,
    SuitePlan,
    calibrate,
    cpu_peaks,
    describe_system,
    estimate_run,
)
from schemas import DType, RunRequest, UsageError


def device_table_peaks(name: str) -> Peaks:
    """Peaks of a device named in the device table; UsageError when no row matches."""
    from validator import match_device

    rows = match_device(name)
    if not rows:
        raise UsageError(
            f"no device in the device table matches {name!r}",
            where="--peaks-of",
            fix="name a model of validator/peaks/devices.csv, e.g. 'H100 SXM5'",
        )
    row = rows[0]
    if row.memory_bw_gbps is None:
        raise UsageError(f"{row.model} has no memory bandwidth in the table", where="--peaks-of")
    tflops = dict(row.peak_tflops)
    tflops.setdefault(DType.FP32, max(tflops.values()))
    return Peaks(tflops, row.memory_bw_gbps, f"device table: {row.vendor} {row.model}")


def local_peaks(request: RunRequest) -> Peaks:
    """The device's peaks here: a GPU's declared ones, else the probed CPU's."""
    system = describe_system()
    if request.device.startswith("cuda") and system.accelerators:
        accelerator = system.accelerators[0]
        if accelerator.peak_tflops and accelerator.memory_bandwidth_gbps:
            return Peaks(
                dict(accelerator.peak_tflops),
                accelerator.memory_bandwidth_gbps,
                f"declared: {accelerator.model}",
            )
        return device_table_peaks(accelerator.model)
    return cpu_peaks(system.host, request.threads or 1, clock_ghz=None)


def estimate(
    request: RunRequest, plans: Sequence[SuitePlan], peaks_of: str | None
) -> tuple[Peaks, tuple[SuiteEstimate, ...]]:
    """Each suite's estimate: calibrated here, or from the table for a device elsewhere."""
    if peaks_of is not None:
        peaks = device_table_peaks(peaks_of)
        calibrations: list[Calibration] = [UNCALIBRATED] * len(plans)
    else:
        import torch

        torch.set_num_threads(request.threads or torch.get_num_threads())
        peaks = local_peaks(request)
        calibrations = [calibrate(plan, request, peaks) for plan in plans]
    return peaks, estimate_run(plans, POLICIES[request.profile], peaks, calibrations)


def plan_table(plans: Sequence[SuitePlan], estimates: Sequence[SuiteEstimate]) -> Table:
    """One row per suite: problems, directions, precisions, cases and the estimated time."""
    table = Table(
        "suite", "problems", "directions", "precisions", "cases", "efficiency", "estimate"
    )
    for plan, suite_estimate in zip(plans, estimates, strict=True):
        cases = plan.cases
        calibration = suite_estimate.calibration
        efficiency = f"{calibration.efficiency:.2f}" + (
            "" if calibration.measured else " (assumed)"
        )
        table.add_row(
            plan.suite.suite,
            str(len({c.problem.id for c in cases})),
            ",".join(sorted({c.direction.value for c in cases})),
            ",".join(sorted({c.precision.input.value for c in cases})),
            str(len(cases)),
            efficiency,
            duration_text(suite_estimate.seconds),
        )
    total = sum(e.seconds for e in estimates)
    table.add_row(
        "all", "", "", "", str(sum(len(p.cases) for p in plans)), "", duration_text(total)
    )
    return table


def duration_text(seconds: float) -> str:
    """1.2 s, 3 min 20 s, 2 h 05 min."""
    if seconds < 60:
        return f"{seconds:.1f} s"
    if seconds < 3600:
        return f"{int(seconds // 60)} min {int(seconds % 60):02d} s"
    return f"{int(seconds // 3600)} h {int(seconds % 3600 // 60):02d} min"
