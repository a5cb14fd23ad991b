"""Seeded, random, non-zero inputs in the real dtype.

DeepBench filled fp16 and int8 inputs with zeros, which let hardware skip work and inflated its
results; here every element is drawn away from zero.
"""

from __future__ import annotations

import torch

from schemas import DType

TORCH_DTYPES: dict[DType, torch.dtype] = {
    DType.FP64: torch.float64,
    DType.FP32: torch.float32,
    DType.FP16: torch.float16,
    DType.BF16: torch.bfloat16,
    DType.INT8: torch.int8,
    DType.INT32: torch.int32,
}


def generator(seed: int) -> torch.Generator:
    """A CPU generator: the same seed gives the same inputs on every device."""
    return torch.Generator(device="cpu").manual_seed(seed)


def random_nonzero(
    shape: tuple[int, ...], dtype: DType, device: str, gen: torch.Generator
) -> torch.Tensor:
    """Uniform in ±[0.5, 1.5) for floats, ±[1, 4] for int8."""
    if dtype is DType.INT8:
        magnitude = torch.randint(1, 5, shape, generator=gen, dtype=torch.int8)
    else:
        magnitude = torch.rand(shape, generator=gen, dtype=torch.float32) + 0.5
    sign = torch.randint(0, 2, shape, generator=gen, dtype=torch.int8) * 2 - 1
    values = magnitude * sign.to(magnitude.dtype)
    return values.to(device=device, dtype=TORCH_DTYPES[dtype])
