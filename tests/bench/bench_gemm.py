"""Harness overhead on GEMM: three DeepBench shapes, fp32, timed side by side with bare loops.

The bare loops call `torch.matmul(left, right, out=c)` on the same seeded operands the suite
times (see side_by_side.py for the three ways and the target).
"""

from __future__ import annotations

import torch
from rich.console import Console

from harness.suites.base import Case, RunOptions
from harness.suites.contracts import precision_of
from harness.suites.gemm import kernels as gemm
from schemas import DType, Problem, Suite, load_problems
from schemas.suites.gemm import GemmParams
from tests.bench.side_by_side import Contender, print_comparison

SHAPES = ("gemm/train/003", "gemm/train/023", "gemm/inference_server/025")


def contender(problem: Problem, options: RunOptions) -> Contender:
    """The suite's fp32 case of `problem`, and the same matmul written bare."""
    params = problem.params
    assert isinstance(params, GemmParams)
    ops = gemm.operands(params, DType.FP32, "cpu", options.seed)
    out = torch.empty((params.n, params.m), dtype=torch.float32)

    def bare() -> object:
        return torch.matmul(ops.left, ops.right, out=out)

    case = Case(problem, problem.directions[0], precision_of(DType.FP32))
    return Contender(gemm.GemmSuite(), case, options, bare)


def run(console: Console) -> None:
    """Each shape three ways, interleaved, with the ratios."""
    problems = {p.id: p for p in load_problems(Suite("gemm"))}
    options = RunOptions(device="cpu", dtypes=(DType.FP32,), seed=0)
    print_comparison(console, [contender(problems[shape], options) for shape in SHAPES])
