"""Harness overhead on sparse GEMM: DeepSpeech's 95%-sparse layer times four vectors, fp32.

The bare loops call `torch.mm` on the same seeded CSR A and dense B (see side_by_side.py).
"""

from __future__ import annotations

import torch
from rich.console import Console

from harness.suites.base import Case, RunOptions
from harness.suites.contracts import precision_of
from harness.suites.sparse_gemm import kernels as sparse_gemm
from schemas import DType, Suite, load_problems
from schemas.suites.sparse_gemm import SparseGemmParams
from tests.bench.side_by_side import Contender, print_comparison

PROBLEM_ID = "sparse_gemm/inference_server/002"


def run(console: Console) -> None:
    """The problem three ways, interleaved."""
    options = RunOptions(device="cpu", dtypes=(DType.FP32,), seed=0)
    problem = {p.id: p for p in load_problems(Suite("sparse_gemm"))}[PROBLEM_ID]
    params = problem.params
    assert isinstance(params, SparseGemmParams)
    ops = sparse_gemm.operands(params, DType.FP32, "cpu", options.seed)
    case = Case(problem, problem.directions[0], precision_of(DType.FP32))
    bare = Contender(
        sparse_gemm.SparseGemmSuite(), case, options, lambda: torch.mm(ops.a, ops.b, out=ops.c)
    )
    print_comparison(console, [bare])
