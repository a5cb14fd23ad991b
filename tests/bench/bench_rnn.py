"""Harness overhead on RNNs: the smallest machine-translation LSTM, every direction, fp32.

The bare loops call the recurrence functions and the weight-gradient product directly on the
same seeded operands and buffers, without the suite's Layer (see side_by_side.py).
"""

from __future__ import annotations

import torch
from rich.console import Console

from harness.suites.base import Case, RunOptions
from harness.suites.contracts import precision_of
from harness.suites.rnn import cells
from harness.suites.rnn import kernels as rnn
from schemas import Direction, DType, Suite, load_problems
from schemas.suites.rnn import RnnParams
from tests.bench.side_by_side import Contender, print_comparison

PROBLEM_ID = "rnn/train/012"


def run(console: Console) -> None:
    """fwd, bwd_data and bwd_weights of one problem, each three ways, interleaved."""
    problem = {p.id: p for p in load_problems(Suite("rnn"))}[PROBLEM_ID]
    params = problem.params
    assert isinstance(params, RnnParams)
    options = RunOptions(device="cpu", dtypes=(DType.FP32,), seed=0)
    cell = params.cell
    ops = rnn.operands(params, DType.FP32, "cpu", options.seed)
    trace, grads = cells.new_trace(cell, ops), cells.new_grads(cell, ops)
    cells.forward(cell, ops, trace)
    cells.backward_data(cell, ops, trace, grads)
    steps_by_batch = params.timesteps * params.batch
    dg_t = grads.dg.reshape(steps_by_batch, -1).t()
    states = trace.h[:-1].reshape(steps_by_batch, -1)
    du = torch.empty_like(ops.u)
    bare = {
        Direction.FWD: lambda: cells.forward(cell, ops, trace),
        Direction.BWD_DATA: lambda: cells.backward_data(cell, ops, trace, grads),
        Direction.BWD_WEIGHTS: lambda: torch.mm(dg_t, states, out=du),
    }
    print_comparison(
        console,
        [
            Contender(rnn.RnnSuite(), Case(problem, d, precision_of(DType.FP32)), options, bare[d])
            for d in problem.directions
        ],
    )
