"""Normwise error against a float64 reference, and the tolerance each precision earns.

The bound 4·u_out + 2·√k·u_acc follows the usual probabilistic rounding-error model: output
rounding plus accumulation error that grows with the square root of the reduction length k.
Measured here (DESIGN): fp32 about 3e-7, fp16 about 4e-4, bf16 about 3e-3 on DeepBench shapes.
"""

from __future__ import annotations

import math

import torch

from schemas import DType

UNIT_ROUNDOFF: dict[DType, float] = {
    DType.FP64: 2.0**-53,
    DType.FP32: 2.0**-24,
    DType.TF32: 2.0**-11,
    DType.FP16: 2.0**-11,
    DType.BF16: 2.0**-8,
    # Integer kernels are exact up to the output's rounding back to the input scale.
    DType.INT32: 0.0,
    DType.INT8: 2.0**-8,
}


def tolerance(output: DType, accumulate: DType, reduction_length: int) -> float:
    """Largest relative error accepted for this precision contract and reduction length."""
    bound = 4 * UNIT_ROUNDOFF[output] + 2 * math.sqrt(reduction_length) * UNIT_ROUNDOFF[accumulate]
    return max(bound, 1e-12)


def relative_error(output: torch.Tensor, reference: torch.Tensor) -> float:
    """‖output - reference‖_F / ‖reference‖_F, computed in float64."""
    ref = reference.to(torch.float64)
    diff = output.to(torch.float64) - ref
    norm = float(torch.linalg.vector_norm(ref))
    return float(torch.linalg.vector_norm(diff)) / norm if norm > 0 else float("inf")
