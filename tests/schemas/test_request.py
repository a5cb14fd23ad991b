"""The run request: one model for every suite, frozen and strict, with its division rule."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from schemas import (
    CollectiveOptions,
    Division,
    DType,
    Profile,
    RunRequest,
    Suite,
    Sweep,
)

COMPUTE = RunRequest(
    suites=(Suite("gemm"), Suite("conv")),
    profile=Profile.FULL,
    device="cpu",
    dtypes=(DType.FP32, DType.BF16),
    seed=4,
    threads=2,
)
ALLREDUCE = RunRequest(
    suites=(Suite("allreduce"),),
    profile=Profile.FULL,
    device="cpu",
    dtypes=(DType.FP32,),
    seed=0,
    collective=CollectiveOptions(backend="mpi", timeout_s=30.0),
)


@pytest.mark.parametrize("request_", [COMPUTE, ALLREDUCE])
def test_a_request_round_trips_through_json(request_: RunRequest) -> None:
    assert RunRequest.model_validate_json(request_.model_dump_json()) == request_
    assert RunRequest.model_validate(request_.model_dump(mode="json")) == request_


@pytest.mark.parametrize(
    "damage",
    [
        {"suites": ["nope"]},
        {"suites": []},
        {"seed": -1},
        {"threads": 0},
        {"dtypes": ["fp99"]},
        {"unknown_field": 1},
        {"schema_version": "9.9"},
        {"collective": {"backend": "carrier-pigeon", "timeout_s": 1.0}},
    ],
)
def test_a_damaged_request_is_refused(damage: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        RunRequest.model_validate(COMPUTE.model_dump(mode="json") | damage)


def test_closed_needs_the_official_problems_at_full_size() -> None:
    assert COMPUTE.division() is Division.CLOSED
    assert ALLREDUCE.division() is Division.CLOSED
    assert COMPUTE.model_copy(update={"profile": Profile.QUICK}).division() is Division.OPEN
    assert COMPUTE.model_copy(update={"id_glob": "gemm/*"}).division() is Division.OPEN
    swept = CollectiveOptions(
        backend="mpi", timeout_s=30.0, sweep=Sweep(min_bytes=8, max_bytes=64, step_factor=2)
    )
    assert ALLREDUCE.model_copy(update={"collective": swept}).division() is Division.OPEN


def test_a_sweep_steps_by_its_factor_up_to_its_largest_size() -> None:
    assert Sweep(min_bytes=8, max_bytes=100, step_factor=2).sizes_bytes() == (8, 16, 32, 64)
