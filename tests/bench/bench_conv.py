"""Harness overhead on convolution: DeepSpeech's smallest training layer, every direction, fp32.

The bare loops call the aten kernels directly on the same seeded operands (see side_by_side.py).
"""

from __future__ import annotations

import torch
from rich.console import Console
from torch.nn import functional

from harness.suites.base import Case, RunOptions
from harness.suites.contracts import precision_of
from harness.suites.conv import kernels as conv
from schemas import Direction, DType, Suite, load_problems
from schemas.suites.conv import ConvParams
from tests.bench.side_by_side import Contender, print_comparison

PROBLEM_ID = "conv/train/012"


def run(console: Console) -> None:
    """fwd, bwd_data and bwd_filter of one problem, each three ways, interleaved."""
    problem = {p.id: p for p in load_problems(Suite("conv"))}[PROBLEM_ID]
    params = problem.params
    assert isinstance(params, ConvParams)
    options = RunOptions(device="cpu", dtypes=(DType.FP32,), seed=0)
    ops = conv.operands(params, DType.FP32, "cpu", options.seed)
    stride, padding = [params.hstride, params.wstride], [params.pad_h, params.pad_w]

    def backward(mask: list[bool]) -> object:
        return torch.ops.aten.convolution_backward(
            ops.dy, ops.x, ops.w, None, stride, padding, [1, 1], False, [0, 0], 1, mask
        )

    bare = {
        Direction.FWD: lambda: functional.conv2d(ops.x, ops.w, None, stride, padding),
        Direction.BWD_DATA: lambda: backward([True, False, False]),
        Direction.BWD_FILTER: lambda: backward([False, True, False]),
    }
    print_comparison(
        console,
        [
            Contender(
                conv.ConvSuite(), Case(problem, d, precision_of(DType.FP32)), options, bare[d]
            )
            for d in problem.directions
        ],
    )
