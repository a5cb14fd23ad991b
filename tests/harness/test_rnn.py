"""The RNN suite on real torch: FLOPs, cells and their backward, each direction's check, seeds."""

from __future__ import annotations

import csv
from collections.abc import Callable
from importlib.resources import files

import pytest
import torch
from torch.utils.flop_counter import FlopCounterMode

from harness.suites.base import Case, Prepared, RunOptions
from harness.suites.contracts import precision_of
from harness.suites.rnn import cells
from harness.suites.rnn import kernels as rnn
from schemas import (
    Direction,
    DType,
    MeasurementError,
    Problem,
    ProblemSet,
    RnnCell,
    Suite,
    load_problems,
)
from schemas.suites.rnn import GATES, SPEC, RnnParams

SUITE = rnn.RnnSuite()
TRAINING = (Direction.FWD, Direction.BWD_DATA, Direction.BWD_WEIGHTS)
CELLS = tuple(RnnCell)


def params(cell: RnnCell, hidden: int = 8, batch: int = 3, timesteps: int = 5) -> RnnParams:
    return RnnParams(cell=cell, hidden=hidden, batch=batch, timesteps=timesteps, input_size=hidden)


def problem(p: RnnParams, problem_set: str = "train") -> Problem:
    """An RNN problem of any shape, with an id the schema accepts."""
    return Problem(
        id=f"rnn/{problem_set}/999",
        suite=Suite("rnn"),
        set=ProblemSet(problem_set),
        index=999,
        application="test",
        directions=TRAINING if problem_set == "train" else (Direction.FWD,),
        params=p,
    )


def prepare(
    cell: RnnCell, direction: Direction, dtype: DType = DType.FP32, *, seed: int = 0
) -> Prepared:
    problem_set = "inference_server" if dtype is DType.INT8 else "train"
    case = Case(problem(params(cell), problem_set), direction, precision_of(dtype))
    return SUITE.prepare(case, RunOptions(device="cpu", dtypes=(dtype,), seed=seed))


def wide_operands(cell: RnnCell, p: RnnParams) -> cells.Operands:
    """fp64 operands that track gradients, for autograd."""
    ops = rnn.operands(p, DType.FP64, "cpu", seed=1)
    return cells.Operands(*(t.requires_grad_() for t in (ops.u, ops.xw, ops.h0, ops.c0, ops.dy)))


def test_flops_match_hand_counts_and_the_csv() -> None:
    by_id = {p.id: p for p in load_problems(Suite("rnn"))}
    # Vanilla 2·T·N·H² + T·N·H; LSTM 8·T·N·H²; GRU 6·T·N·H².
    assert by_id["rnn/train/000"].flops() == 2 * 50 * 16 * 1760**2 + 50 * 16 * 1760 == 4_957_568_000
    assert by_id["rnn/train/012"].flops() == 8 * 25 * 16 * 512**2 == 838_860_800
    assert by_id["rnn/train/034"].flops() == 6 * 1500 * 32 * 2816**2 == 2_283_798_528_000
    text = files("schemas.suites.rnn").joinpath("problems.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(text.splitlines()))
    assert len(rows) == len(by_id)
    for row in rows:
        p = by_id[f"rnn/{row['set']}/{int(row['index']):03d}"]
        assert p.flops() == int(row["flops_per_direction"]), p.id


@pytest.mark.parametrize("direction", TRAINING)
@pytest.mark.parametrize("cell", CELLS)
def test_timed_gemm_work_is_the_flop_formula(cell: RnnCell, direction: Direction) -> None:
    """The timed call's matmuls are exactly 2·g·T·N·H² (vanilla's T·N·H is elementwise)."""
    p = params(cell)
    prepared = prepare(cell, direction)
    with FlopCounterMode(display=False) as counter:
        prepared.kernel()
    elementwise = p.timesteps * p.batch * p.hidden if cell is RnnCell.VANILLA else 0
    assert counter.get_total_flops() == p.flops() - elementwise


@pytest.mark.parametrize("cell", CELLS)
def test_plain_recurrence_is_torch_s_own_cell(cell: RnnCell) -> None:
    """Gate order and GRU reset placement match torch's cells (an identity input weight)."""
    p = params(cell)
    ops = rnn.operands(p, DType.FP64, "cpu", seed=2)
    width = GATES[cell] * p.hidden
    eye = torch.eye(width, dtype=torch.float64)
    h, c, expected = ops.h0, ops.c0, []
    for t in range(p.timesteps):
        if cell is RnnCell.LSTM:
            h, c = torch.lstm_cell(ops.xw[t], (h, c), eye, ops.u)
        elif cell is RnnCell.GRU:
            h = torch.gru_cell(ops.xw[t], h, eye, ops.u)
        else:
            h = torch.rnn_relu_cell(ops.xw[t], h, eye, ops.u)
        expected.append(h)
    assert torch.allclose(cells.reference_forward(cell, ops), torch.stack(expected))
    trace = cells.new_trace(cell, ops)
    assert torch.allclose(cells.forward(cell, ops, trace), torch.stack(expected))


@pytest.mark.parametrize("cell", CELLS)
def test_backward_formulas_are_autograd_s(cell: RnnCell) -> None:
    """The hand-written back-propagation equals autograd of the plain recurrence, in fp64."""
    p = params(cell)
    ops = wide_operands(cell, p)
    states = cells.reference_forward(cell, ops)
    dxw, dh0, du = torch.autograd.grad(states, (ops.xw, ops.h0, ops.u), ops.dy)
    layer = rnn.Layer(
        cell, cells.Operands(*(t.detach() for t in (ops.u, ops.xw, ops.h0, ops.c0, ops.dy)))
    )
    layer.kernel(Direction.BWD_WEIGHTS)  # runs forward and backward-data, untimed
    assert torch.allclose(cells.input_grad(cell, layer.grads), dxw)
    assert torch.allclose(layer.grads.dh0, dh0)
    assert torch.allclose(layer.backward_weights(), du)


@pytest.mark.parametrize("dtype", [DType.FP32, DType.BF16, DType.FP16])
@pytest.mark.parametrize("direction", TRAINING)
@pytest.mark.parametrize("cell", CELLS)
def test_every_cell_direction_and_precision_passes(
    cell: RnnCell, direction: Direction, dtype: DType
) -> None:
    correctness = prepare(cell, direction, dtype).check()
    assert correctness.passed, correctness
    assert not correctness.reduced_problem


def _off_by_one_percent(
    method: Callable[[rnn.Layer], torch.Tensor],
) -> Callable[[rnn.Layer], torch.Tensor]:
    """A layer method whose result (written in place, as the buffers are) is 1% off."""

    def wrong(layer: rnn.Layer) -> torch.Tensor:
        return method(layer).mul_(1.01)

    return wrong


@pytest.mark.parametrize(
    ("direction", "method"),
    [
        (Direction.FWD, "forward"),
        (Direction.BWD_DATA, "backward_data"),
        (Direction.BWD_WEIGHTS, "backward_weights"),
    ],
)
@pytest.mark.parametrize("cell", CELLS)
def test_check_catches_a_wrong_kernel(
    monkeypatch: pytest.MonkeyPatch, cell: RnnCell, direction: Direction, method: str
) -> None:
    monkeypatch.setattr(rnn.Layer, method, _off_by_one_percent(getattr(rnn.Layer, method)))
    correctness = prepare(cell, direction).check()
    assert not correctness.passed and correctness.error > correctness.tolerance


def test_big_problems_are_checked_on_a_reduced_problem(monkeypatch: pytest.MonkeyPatch) -> None:
    p = params(RnnCell.LSTM, batch=8, timesteps=6)
    monkeypatch.setattr(rnn, "REFERENCE_FLOPS", p.flops() // 10)
    monkeypatch.setattr(rnn, "MIN_REFERENCE_BATCH", 2)
    small = rnn.reference_params(p)
    # Sequences first, down to the minimum, then timesteps (6, 3, 2); hidden size and cell stay.
    assert (small.batch, small.timesteps, small.hidden) == (2, 2, 8)
    case = Case(problem(p), Direction.BWD_DATA, precision_of(DType.FP32))
    correctness = SUITE.prepare(case, RunOptions("cpu", (DType.FP32,), 0)).check()
    assert correctness.passed and correctness.reduced_problem
    region = correctness.region
    assert region is not None and region.dims == ("batch",) and region.sizes == (2,)
    (b0,) = region.offsets
    assert correctness.reference.endswith(f"batch {b0}..{b0 + 1} of 8, first 2 of 6 steps")


def test_int8_is_a_measurement_error() -> None:
    with pytest.raises(MeasurementError, match="int8") as caught:
        prepare(RnnCell.GRU, Direction.FWD, DType.INT8)
    assert caught.value.fix


def test_int8_runs_on_inference_sets_only() -> None:
    every = RunOptions("cpu", (DType.FP32, DType.INT8), 0)
    train = list(SUITE.cases(problem(params(RnnCell.LSTM)), every))
    assert [(c.direction, c.precision.input) for c in train] == [(d, DType.FP32) for d in TRAINING]
    server = list(SUITE.cases(problem(params(RnnCell.LSTM), "inference_server"), every))
    assert [c.precision.input for c in server] == [DType.FP32, DType.INT8]


def test_same_seed_same_results_other_seed_other_results() -> None:
    def result(seed: int) -> torch.Tensor:
        output = prepare(RnnCell.LSTM, Direction.BWD_WEIGHTS, seed=seed).kernel()
        assert isinstance(output, torch.Tensor)
        return output.clone()

    assert torch.equal(result(4), result(4)) and not torch.equal(result(4), result(5))


def test_states_stay_bounded_and_non_zero_over_long_sequences() -> None:
    """U scaled by 1/sqrt(H): no overflow, no decay to denormals that would slow the CPU."""
    for cell in CELLS:
        layer = rnn.Layer(cell, rnn.operands(params(cell, 64, 2, 300), DType.FP32, "cpu", 0))
        states = layer.forward()
        assert bool(torch.isfinite(states).all()) and float(states[-1].abs().max()) < 1e3
        assert float(states[-1].abs().max()) > 1e-3


def test_quick_and_smoke_ids_cover_every_set_and_direction() -> None:
    by_id = {p.id: p for p in load_problems(Suite("rnn"))}
    quick = [by_id[i] for i in SPEC.quick_ids]
    assert {p.set for p in quick} == {
        ProblemSet.TRAIN, ProblemSet.INFERENCE_SERVER, ProblemSet.INFERENCE_DEVICE
    }  # fmt: skip
    assert {d for p in quick for d in p.directions} == set(TRAINING)
    assert set(SPEC.smoke_ids) <= set(by_id) and 1 <= len(SPEC.smoke_ids) <= 3
