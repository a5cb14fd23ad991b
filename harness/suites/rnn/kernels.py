"""The RNN suite: DeepBench's single-layer recurrences, forward, backward-data and backward-weights.

What is timed, per direction (the recurrences themselves are in cells.py):
- fwd: T steps of h_t = cell(xw_t + h_{t-1}·Uᵀ), with xw = W·x + b computed before timing, as
  DeepBench excludes the input projection; GEMM work 2·g·T·N·H², as RnnParams.flops counts it.
- bwd_data: back-propagation through time of dy (the gradient of every h_t) from the activations
  the forward pass stored, to the gradients of every xw_t and of h_0; the same GEMM work.
- bwd_weights: dU = sum over t of dg_tᵀ·h_{t-1}, one (gH by TN)·(TN by H) product over the
  stored states and backward-data's gradients; the same GEMM work (the vanilla formula's T·N·H
  term is the forward's elementwise work, which this direction does not repeat).
The inputs a direction consumes from the others are computed once, untimed. Each call is a
Python loop over the steps, several kernels per step: it is a `MultiLaunchKernel`, so that on a
GPU the clock times it as one captured graph (or behind a blocking kernel), not host dispatch.

int8 is not run: torch has no recurrence with int8 operands and int32 accumulation on any device
(its dynamically quantised LSTM and GRU also compute W·x, which DeepBench excludes, and it has no
int8 vanilla cell), so int8 cases raise MeasurementError, as DeepBench's GPU results left int8
RNNs out.

Correctness, in float64 from the same inputs the direction consumes: fwd against the recurrence
written plainly; bwd_data against the same back-propagation fed the stored activations (a ReLU
mask recomputed from a float64 forward would flip where a pre-activation rounds across zero, an
error of the forward, not of this kernel); bwd_weights against the product of the same stored
operands. Where that costs more than REFERENCE_FLOPS, the check runs a reduced problem of the same
cell and hidden size on a block of the real inputs: fewer sequences, placed where the run's seed
draws them (`check_region`), then the first timesteps. The tests check
the backward formulas against autograd and the cells against torch's own.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable

import torch

from harness.inputs import TORCH_DTYPES, generator, random_nonzero
from harness.suites.base import Case, Prepared, RunOptions
from harness.suites.contracts import (
    compare,
    drawn_region,
    missing_kernel,
    official_cases,
    region_slices,
    strict_precision,
    unsupported,
)
from harness.suites.rnn import cells
from harness.timing import MultiLaunchKernel
from schemas import CheckedRegion, Correctness, Direction, DType, Problem, RnnCell, Suite
from schemas.suites.rnn import GATES, RnnParams

# fp64 GEMM runs at about 70 GFLOP/s here; a reference of this size takes ~0.1-0.3 s.
REFERENCE_FLOPS = 4_000_000_000
# A reduced reference problem keeps at least this many sequences before it drops timesteps.
MIN_REFERENCE_BATCH = 4


def operands(p: RnnParams, dtype: DType, device: str, seed: int) -> cells.Operands:
    """Seeded inputs; U is scaled by 1/sqrt(H) so the recurrence neither explodes nor dies out."""
    gen = generator(seed)
    width = GATES[p.cell] * p.hidden

    def draw(*shape: int, scale: float = 1.0) -> torch.Tensor:
        values = random_nonzero(shape, DType.FP32, device, gen) * scale
        return values.to(TORCH_DTYPES[dtype])

    return cells.Operands(
        u=draw(width, p.hidden, scale=1 / math.sqrt(p.hidden)),
        xw=draw(p.timesteps, p.batch, width),
        h0=draw(p.batch, p.hidden),
        c0=draw(p.batch, p.hidden),
        dy=draw(p.timesteps, p.batch, p.hidden),
    )


def _wide(*tensors: torch.Tensor) -> list[torch.Tensor]:
    """Detached float64 CPU copies, the reference's inputs."""
    return [t.detach().to(device="cpu", dtype=torch.float64) for t in tensors]


class Layer:
    """One layer's operands and preallocated buffers: each direction's call and its reference."""

    def __init__(self, cell: RnnCell, ops: cells.Operands) -> None:
        self.cell = cell
        self.ops = ops
        self.trace = cells.new_trace(cell, ops)
        self.grads = cells.new_grads(cell, ops)
        self.du = torch.empty_like(ops.u)

    def forward(self) -> torch.Tensor:
        """States h_1..h_T."""
        return cells.forward(self.cell, self.ops, self.trace)

    def backward_data(self) -> torch.Tensor:
        """dg for every step (dx_n and dh0 are filled alongside)."""
        return cells.backward_data(self.cell, self.ops, self.trace, self.grads).dg

    def backward_weights(self) -> torch.Tensor:
        """dU = dgᵀ·h over all steps and sequences, into the preallocated dU."""
        dg, states = self._weights_operands()
        return torch.mm(dg.t(), states, out=self.du)

    def _weights_operands(self) -> tuple[torch.Tensor, torch.Tensor]:
        """dg as (T·N by gH) and h_0..h_{T-1} as (T·N by H): views, no copies."""
        steps, batch, width = self.grads.dg.shape
        return (
            self.grads.dg.reshape(steps * batch, width),
            self.trace.h[:-1].reshape(steps * batch, -1),
        )

    def kernel(self, direction: Direction) -> Callable[[], torch.Tensor]:
        """The call to time, after running (untimed) the passes whose results it consumes."""
        if direction is Direction.FWD:
            return self.forward
        self.forward()
        if direction is Direction.BWD_DATA:
            return self.backward_data
        self.backward_data()
        return self.backward_weights

    def result(self, direction: Direction) -> torch.Tensor:
        """The direction's whole result, flattened: states, input and h_0 gradients, or dU."""
        output = self.kernel(direction)()
        if direction is not Direction.BWD_DATA:
            return output.flatten()
        return torch.cat(
            (cells.input_grad(self.cell, self.grads).flatten(), self.grads.dh0.flatten())
        )

    def reference(self, direction: Direction) -> torch.Tensor:
        """The same result in float64 from the inputs the direction consumed (module docs)."""
        ops = cells.Operands(*_wide(self.ops.u, self.ops.xw, self.ops.h0, self.ops.c0, self.ops.dy))
        if direction is Direction.FWD:
            return cells.reference_forward(self.cell, ops).flatten()
        if direction is Direction.BWD_WEIGHTS:
            dg, states = _wide(*self._weights_operands())
            return (dg.t() @ states).flatten()
        trace = cells.Trace(*_wide(self.trace.h, self.trace.c, self.trace.act, self.trace.rec))
        grads = cells.backward_data(self.cell, ops, trace, cells.new_grads(self.cell, ops))
        return torch.cat((cells.input_grad(self.cell, grads).flatten(), grads.dh0.flatten()))


def reference_params(p: RnnParams) -> RnnParams:
    """The problem the fp64 reference runs: `p` itself, or fewer sequences and timesteps."""
    batch, steps = p.batch, p.timesteps

    def cost() -> int:
        return p.model_copy(update={"batch": batch, "timesteps": steps}).flops()

    while cost() > REFERENCE_FLOPS and batch * steps > 1:
        if batch > MIN_REFERENCE_BATCH or steps == 1:
            batch = (batch + 1) // 2
        else:
            steps = (steps + 1) // 2
    return p.model_copy(update={"batch": batch, "timesteps": steps})


def _describe(p: RnnParams, small: RnnParams) -> str:
    """How many timesteps the reference problem keeps; empty when it keeps them all."""
    if small.timesteps == p.timesteps:
        return ""
    return f"first {small.timesteps} of {p.timesteps} steps"


def check_region(case: Case, seed: int) -> CheckedRegion:
    """The sequences (batch) the reference problem keeps, placed by the seed."""
    params = case.problem.params
    assert isinstance(params, RnnParams), case.problem.id
    return drawn_region(case, seed, {"batch": reference_params(params).batch})


def region_operands(ops: cells.Operands, region: CheckedRegion, steps: int) -> cells.Operands:
    """The reference problem's inputs: the region's sequences and the first `steps` timesteps of
    the real ones (U whole)."""
    rows = region_slices(region)["batch"]
    return cells.Operands(
        u=ops.u,
        xw=ops.xw[:steps, rows].contiguous(),
        h0=ops.h0[rows].contiguous(),
        c0=ops.c0[rows].contiguous(),
        dy=ops.dy[:steps, rows].contiguous(),
    )


def _bytes_moved(p: RnnParams, direction: Direction, dtype: DType) -> int:
    """Weights and per-step tensors read once, results written once, in the operands' dtype.

    fwd reads U and xw and writes the states and activations; bwd_data reads U, dy and the
    stored activations and writes dg; bwd_weights reads dg and the states and writes dU.
    """
    width = GATES[p.cell] * p.hidden
    per_step = p.timesteps * p.batch
    weights = width * p.hidden
    if direction is Direction.FWD:
        elements = weights + per_step * (2 * width + p.hidden)
    elif direction is Direction.BWD_DATA:
        elements = weights + per_step * (2 * width + 2 * p.hidden)
    else:
        elements = weights + per_step * (width + p.hidden)
    return elements * TORCH_DTYPES[dtype].itemsize


def _streamed_bytes(p: RnnParams, direction: Direction, dtype: DType) -> int:
    """The logical bytes with U read again at every step, as the step-by-step directions do:
    at small batches U is what a step mostly reads, and it may not stay in cache."""
    once = _bytes_moved(p, direction, dtype)
    if direction is Direction.BWD_WEIGHTS:  # one product over all steps: U is not read
        return once
    weights = GATES[p.cell] * p.hidden * p.hidden * TORCH_DTYPES[dtype].itemsize
    return once + (p.timesteps - 1) * weights


class RnnSuite:
    """DeepBench recurrences timed through torch's GEMM and elementwise kernels."""

    suite = Suite("rnn")

    def cases(self, problem: Problem, options: RunOptions) -> Iterable[Case]:
        """Every official direction in every requested precision the problem's set allows."""
        return official_cases(problem, options)

    def bytes_moved(self, case: Case) -> int:
        """Logical bytes of one call, without preparing it (for the run-time estimate)."""
        params = case.problem.params
        assert isinstance(params, RnnParams), case.problem.id
        return _bytes_moved(params, case.direction, case.precision.input)

    def streamed_bytes(self, case: Case) -> int:
        """Bytes of one call with U read at every step (for the run-time estimate's roofline)."""
        params = case.problem.params
        assert isinstance(params, RnnParams), case.problem.id
        return _streamed_bytes(params, case.direction, case.precision.input)

    def prepare(self, case: Case, options: RunOptions) -> Prepared:
        """Seeded operands, the untimed passes the direction consumes, and its timed call."""
        params = case.problem.params
        assert isinstance(params, RnnParams), case.problem.id
        dtype = case.precision.input
        if dtype is DType.INT8:
            reason = "torch has no int8 recurrence with int32 accumulation"
            raise unsupported(case, options.device, reason)
        strict_precision(options.device)
        with missing_kernel(case, options.device):
            layer = Layer(params.cell, operands(params, dtype, options.device, options.seed))
            kernel = MultiLaunchKernel(layer.kernel(case.direction))
            kernel()

        def check() -> Correctness:
            small = reference_params(params)
            region = check_region(case, options.seed)
            checked = layer
            if small != params:
                small_ops = region_operands(layer.ops, region, small.timesteps)
                checked = Layer(params.cell, small_ops)
            return compare(
                case,
                checked.result(case.direction),
                checked.reference(case.direction),
                region,
                reduced=_describe(params, small),
            )

        return Prepared(
            kernel=kernel, check=check, bytes_moved=_bytes_moved(params, case.direction, dtype)
        )
