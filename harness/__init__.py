"""KernelPerf's harness: runs kernels, checks them, times them and writes result bundles.

The public names of the compute path are listed here once. They load on first use, so that
importing a light part does not import torch with the rest. The all-reduce, which runs under a
launcher, is its own package with its own front: `harness.allreduce`.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from harness.bundle import write_bundle
    from harness.checkpoint import Resume, read_resume
    from harness.estimate import (
        UNCALIBRATED,
        Calibration,
        Peaks,
        SuiteEstimate,
        calibrate,
        cpu_peaks,
        estimate_run,
    )
    from harness.plan import ALL_DTYPES, POLICIES, SuitePlan, plan_suites
    from harness.probe import describe_system
    from harness.records import kernel_error, kernel_result, torch_backend
    from harness.runner import Runner, RunObserver, SuiteRun, resolve_device
    from harness.suites import compute_suite, registered
    from harness.suites.base import Case
    from harness.timing import Clock, HostClock, Timing, TimingPolicy, measure

_HOMES = {
    "UNCALIBRATED": "harness.estimate",
    "Calibration": "harness.estimate",
    "Peaks": "harness.estimate",
    "SuiteEstimate": "harness.estimate",
    "calibrate": "harness.estimate",
    "cpu_peaks": "harness.estimate",
    "estimate_run": "harness.estimate",
    "Case": "harness.suites.base",
    "write_bundle": "harness.bundle",
    "read_resume": "harness.checkpoint",
    "Resume": "harness.checkpoint",
    "ALL_DTYPES": "harness.plan",
    "POLICIES": "harness.plan",
    "SuitePlan": "harness.plan",
    "plan_suites": "harness.plan",
    "describe_system": "harness.probe",
    "kernel_error": "harness.records",
    "kernel_result": "harness.records",
    "torch_backend": "harness.records",
    "RunObserver": "harness.runner",
    "Runner": "harness.runner",
    "SuiteRun": "harness.runner",
    "resolve_device": "harness.runner",
    "compute_suite": "harness.suites",
    "registered": "harness.suites",
    "Clock": "harness.timing",
    "HostClock": "harness.timing",
    "Timing": "harness.timing",
    "TimingPolicy": "harness.timing",
    "measure": "harness.timing",
}

__all__ = [
    "ALL_DTYPES",
    "POLICIES",
    "UNCALIBRATED",
    "Calibration",
    "Case",
    "Clock",
    "HostClock",
    "Peaks",
    "Resume",
    "RunObserver",
    "Runner",
    "SuiteEstimate",
    "SuitePlan",
    "SuiteRun",
    "Timing",
    "TimingPolicy",
    "calibrate",
    "compute_suite",
    "cpu_peaks",
    "describe_system",
    "estimate_run",
    "kernel_error",
    "kernel_result",
    "measure",
    "plan_suites",
    "read_resume",
    "registered",
    "resolve_device",
    "torch_backend",
    "write_bundle",
]


def __getattr__(name: str) -> object:
    """Imports the module that defines `name` the first time it is asked for."""
    if name not in _HOMES:
        raise AttributeError(f"module 'harness' has no attribute {name!r}")
    return getattr(import_module(_HOMES[name]), name)
