"""The torch backend's GPU binding and NCCL batching rules, checked without a GPU."""

from __future__ import annotations

import pytest

from harness.allreduce._launch import Launch
from harness.allreduce._torch import BATCH_BELOW_BYTES, NCCL_BATCH_CALLS, batch_calls, local_gpu
from schemas import Timer, UsageError


def launch(local_rank: int | None, rank: int = 3) -> Launch:
    return Launch(launcher="mpiexec", rank=rank, size=8, local_rank=local_rank)


def test_each_rank_takes_the_gpu_of_its_local_rank() -> None:
    assert [local_gpu(launch(local), 4) for local in range(4)] == [0, 1, 2, 3]


def test_more_local_ranks_than_gpus_is_refused_not_wrapped() -> None:
    with pytest.raises(UsageError, match="local rank 4 has no GPU of its own") as caught:
        local_gpu(launch(4), 4)
    assert "one rank per GPU" in caught.value.fix


def test_a_missing_local_rank_is_refused_not_gpu_0() -> None:
    with pytest.raises(UsageError, match="gave rank 3 no local rank"):
        local_gpu(launch(None), 4)


def test_small_nccl_messages_are_batched_and_large_ones_are_not() -> None:
    assert batch_calls(Timer.DEVICE_EVENTS, 8) == NCCL_BATCH_CALLS
    assert batch_calls(Timer.DEVICE_EVENTS, BATCH_BELOW_BYTES) == NCCL_BATCH_CALLS
    assert batch_calls(Timer.DEVICE_EVENTS, BATCH_BELOW_BYTES + 1) == 1
    assert batch_calls(Timer.HOST_CLOCK, 8) == 1
