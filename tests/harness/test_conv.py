"""The convolution suite on real torch: FLOPs, each direction's kernel and check, int8, seeds."""

from __future__ import annotations

import csv
import math
from collections.abc import Callable
from importlib.resources import files

import pytest
import torch
from torch.utils.flop_counter import FlopCounterMode

from harness.suites.base import Case, Prepared, RunOptions
from harness.suites.contracts import precision_of
from harness.suites.conv import kernels as conv
from schemas import Direction, DType, MeasurementError, Problem, ProblemSet, Suite, load_problems
from schemas.suites.conv import SPEC, ConvParams

SUITE = conv.ConvSuite()
TRAINING = (Direction.FWD, Direction.BWD_DATA, Direction.BWD_FILTER)
# Small enough for fp64 in milliseconds; stride 2 and padding exercise the geometry.
SMALL = ConvParams(
    w=9, h=7, c=3, n=2, k=4, filter_w=3, filter_h=3, pad_w=1, pad_h=1, wstride=2, hstride=2
)


def problem(params: ConvParams = SMALL, problem_set: str = "train") -> Problem:
    """A convolution problem of any shape, with an id the schema accepts."""
    training = problem_set == "train"
    return Problem(
        id=f"conv/{problem_set}/999",
        suite=Suite("conv"),
        set=ProblemSet(problem_set),
        index=999,
        application="test",
        directions=TRAINING if training else (Direction.FWD,),
        params=params,
    )


def options(*dtypes: DType, seed: int = 0, device: str = "cpu") -> RunOptions:
    return RunOptions(device=device, dtypes=dtypes or (DType.FP32,), seed=seed)


def prepare(
    direction: Direction, dtype: DType = DType.FP32, *, seed: int = 0, device: str = "cpu"
) -> Prepared:
    """The suite's prepared case for the small problem (int8 on an inference set)."""
    p = problem(problem_set="train" if dtype is not DType.INT8 else "inference_server")
    case = Case(p, direction, precision_of(dtype, int8_output=DType.FP32))
    return SUITE.prepare(case, options(dtype, seed=seed, device=device))


def output(prepared: Prepared) -> torch.Tensor:
    result = prepared.kernel()
    assert isinstance(result, torch.Tensor)
    return result


def test_flops_match_hand_counts_and_the_csv() -> None:
    by_id = {p.id: p for p in load_problems(Suite("conv"))}
    # DeepSpeech's first layer: 700x161 input, 20x5 filter, stride 2 -> 341x79 output.
    assert by_id["conv/train/000"].flops() == 2 * 341 * 79 * 4 * 32 * 1 * 20 * 5 == 689_638_400
    # A ResNet projection: 28x28x512 input, 1x1 filter, stride 2 -> 14x14 output, 1024 filters.
    p070 = by_id["conv/train/070"].params
    assert isinstance(p070, ConvParams) and (p070.out_w, p070.out_h) == (14, 14)
    assert by_id["conv/train/070"].flops() == 2 * 14 * 14 * 8 * 1024 * 512 == 1_644_167_168
    text = files("schemas.suites.conv").joinpath("problems.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(text.splitlines()))
    assert len(rows) == len(by_id)
    for row in rows:
        p = by_id[f"conv/{row['set']}/{int(row['index']):03d}"]
        assert p.flops() == int(row["flops_per_direction"]), p.id


@pytest.mark.parametrize("direction", TRAINING)
def test_each_direction_times_exactly_its_own_work(direction: Direction) -> None:
    """The timed call does one convolution's FLOPs: bwd_data does not also compute dW."""
    prepared = prepare(direction)
    with FlopCounterMode(display=False) as counter:
        prepared.kernel()
    assert counter.get_total_flops() == SMALL.flops()


@pytest.mark.parametrize("direction", TRAINING)
def test_results_have_the_direction_s_shape(direction: Direction) -> None:
    expected = {
        Direction.FWD: (2, 4, SMALL.out_h, SMALL.out_w),
        Direction.BWD_DATA: (2, 3, 7, 9),
        Direction.BWD_FILTER: (4, 3, 3, 3),
    }[direction]
    assert tuple(output(prepare(direction)).shape) == expected


@pytest.mark.parametrize("dtype", [DType.FP32, DType.BF16, DType.FP16])
@pytest.mark.parametrize("direction", TRAINING)
def test_every_direction_and_float_precision_passes(direction: Direction, dtype: DType) -> None:
    correctness = prepare(direction, dtype).check()
    assert correctness.passed, correctness
    assert not correctness.reduced_problem and correctness.reference == "torch fp64 cpu"


def _wrong(
    build: Callable[..., Callable[[], torch.Tensor]],
) -> Callable[..., Callable[[], torch.Tensor]]:
    """A kernel builder whose kernels are 1% off: what a broken backend would return."""

    def builder(*args: object) -> Callable[[], torch.Tensor]:
        kernel = build(*args)
        return lambda: kernel() * 1.01

    return builder


@pytest.mark.parametrize("direction", TRAINING)
def test_check_catches_a_wrong_kernel(
    monkeypatch: pytest.MonkeyPatch, direction: Direction
) -> None:
    monkeypatch.setattr(conv, "_float_kernel", _wrong(conv._float_kernel))
    correctness = prepare(direction).check()
    assert not correctness.passed and correctness.error > correctness.tolerance


def test_int8_accumulates_exactly_and_a_wrong_int8_kernel_fails(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    prepared = prepare(Direction.FWD, DType.INT8)
    correctness = prepared.check()
    assert correctness.passed and correctness.error == 0.0
    assert output(prepared).dtype == torch.float32
    monkeypatch.setattr(conv, "_int8_kernel", _wrong(conv._int8_kernel))
    assert not prepare(Direction.FWD, DType.INT8).check().passed


def test_int8_without_a_backend_kernel_is_a_measurement_error() -> None:
    """On a device with no int8 convolution the case fails cleanly, before touching the device."""
    with pytest.raises(MeasurementError, match="int8") as caught:
        prepare(Direction.FWD, DType.INT8, device="cuda:0")
    assert "conv/inference_server/999 fwd int8" in caught.value.where


def test_int8_runs_on_inference_sets_only() -> None:
    every = options(DType.FP32, DType.BF16, DType.INT8)
    train = [(c.direction, c.precision.input) for c in SUITE.cases(problem(), every)]
    assert len(train) == 6 and all(dtype is not DType.INT8 for _, dtype in train)
    server = list(SUITE.cases(problem(problem_set="inference_server"), every))
    assert [c.precision.input for c in server] == [DType.FP32, DType.BF16, DType.INT8]
    assert server[2].precision.compute is DType.INT32


@pytest.mark.parametrize("direction", TRAINING)
def test_big_problems_are_checked_on_a_slice_of_the_result(
    monkeypatch: pytest.MonkeyPatch, direction: Direction
) -> None:
    """The slice keeps the reduced dimension whole: the compared elements are the kernel's own."""
    monkeypatch.setattr(conv, "REFERENCE_FLOPS", SMALL.flops() // 3)
    correctness = prepare(direction).check()
    assert correctness.passed and correctness.reduced_problem
    part = conv.reference_slice(SMALL, direction)
    kept = {Direction.FWD: "c", Direction.BWD_DATA: "k", Direction.BWD_FILTER: "n"}[direction]
    assert kept not in part  # never sliced
    assert math.prod(part.values()) < math.prod(getattr(SMALL, name) for name in part)
    assert correctness.region is not None and correctness.region.dims == tuple(part)


def test_same_seed_same_results_other_seed_other_results() -> None:
    first = output(prepare(Direction.BWD_FILTER, seed=5))
    again = output(prepare(Direction.BWD_FILTER, seed=5))
    other = output(prepare(Direction.BWD_FILTER, seed=6))
    assert torch.equal(first, again) and not torch.equal(first, other)


def test_bytes_moved_counts_input_filter_and_output() -> None:
    elements = 2 * 3 * 7 * 9 + 4 * 3 * 3 * 3 + 2 * 4 * SMALL.out_h * SMALL.out_w
    assert prepare(Direction.BWD_DATA).bytes_moved == 4 * elements
    assert prepare(Direction.FWD, DType.BF16).bytes_moved == 2 * elements


def test_quick_and_smoke_ids_cover_every_set_and_direction() -> None:
    by_id = {p.id: p for p in load_problems(Suite("conv"))}
    quick = [by_id[i] for i in SPEC.quick_ids]
    assert {p.set for p in quick} == {
        ProblemSet.TRAIN, ProblemSet.INFERENCE_SERVER, ProblemSet.INFERENCE_DEVICE
    }  # fmt: skip
    assert {d for p in quick for d in p.directions} == set(TRAINING)
    assert set(SPEC.smoke_ids) <= set(by_id) and 1 <= len(SPEC.smoke_ids) <= 3
