"""Re-measures one drawn result natively, in this process, with the submitted run's settings.

The case is rebuilt from the submitted result's own problem (its full parameters, so an open
custom problem re-runs as submitted), direction and precision; the device, threads, seed and
timing policy come from the request the bundle's log opens with.
"""

from __future__ import annotations

from harness.audit._target import Submitted
from schemas import KernelResult, ResultKey


class NativeRerun:
    """Runs drawn results in this process; torch is loaded on the first one."""

    def __call__(self, bundle: Submitted, result: KernelResult, key: ResultKey) -> tuple[int, ...]:
        """The re-run's samples; MeasurementError-like failures come back as RuntimeError."""
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
        outcome = run_case(
            compute_suite(key.suite),
            case,
            options,
            POLICIES[request.profile],
            clock_for(options.device),
        )
        if not isinstance(outcome, KernelResult):
            raise RuntimeError(outcome.message)
        return outcome.samples_ns
