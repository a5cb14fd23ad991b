"""Normwise error against a float64 reference, and the tolerance each kernel's contract earns.

The tolerance is the harness's bound table (`schemas.harness_bounds()`, per suite, direction and
precision), the same figures the rules of the round judge by: measured errors of every official
problem times a margin, capped far below the error of garbage (tests/tools/measure_errors.py).
"""

from __future__ import annotations

import torch

from schemas import Direction, Precision, Suite, error_bound, harness_bounds


def tolerance(suite: Suite, direction: Direction, precision: Precision) -> float:
    """Largest relative error accepted for this suite, direction and precision contract."""
    cap, table = harness_bounds()
    return error_bound(table, suite, direction, precision.input, precision.compute, cap=cap)


def relative_error(output: torch.Tensor, reference: torch.Tensor) -> float:
    """‖output - reference‖_F / ‖reference‖_F, computed in float64."""
    ref = reference.to(torch.float64)
    diff = output.to(torch.float64) - ref
    norm = float(torch.linalg.vector_norm(ref))
    return float(torch.linalg.vector_norm(diff)) / norm if norm > 0 else float("inf")
