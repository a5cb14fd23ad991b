"""Error classification: unsupported, out of memory, sticky device errors, anything else."""

from __future__ import annotations

import pytest
import torch

from harness.failures import error_kind
from harness.records import kernel_error
from harness.suites.base import Case
from harness.suites.contracts import missing_kernel, precision_of
from schemas import Direction, DType, MeasurementError
from schemas.result import ErrorKind
from tests.harness.test_records import PROBLEM

CASE = Case(PROBLEM, Direction.FWD, precision_of(DType.FP32))
ILLEGAL = "CUDA error: an illegal memory access was encountered"


@pytest.mark.parametrize(
    ("exc", "kind"),
    [
        (RuntimeError(ILLEGAL), ErrorKind.DEVICE_FAILURE),
        (RuntimeError("CUDA error: device-side assert triggered"), ErrorKind.DEVICE_FAILURE),
        (RuntimeError("CUDA error: uncorrectable ECC error encountered"), ErrorKind.DEVICE_FAILURE),
        (
            torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2 GiB"),
            ErrorKind.OUT_OF_MEMORY,
        ),
        (RuntimeError("DefaultCPUAllocator: can't allocate memory"), ErrorKind.OUT_OF_MEMORY),
        (MemoryError(), ErrorKind.OUT_OF_MEMORY),
        (MeasurementError("cannot run int8 fwd on cuda:0"), ErrorKind.UNSUPPORTED),
        (ValueError("a bug"), ErrorKind.FAILED),
    ],
)
def test_each_failure_gets_its_kind(exc: BaseException, kind: ErrorKind) -> None:
    assert error_kind(exc) is kind
    assert kernel_error(PROBLEM.id, Direction.FWD, None, exc).kind is kind


def test_a_missing_kernel_is_unsupported() -> None:
    with pytest.raises(MeasurementError) as caught, missing_kernel(CASE, "cuda:0"):
        raise RuntimeError("\"addmm_cuda\" not implemented for 'Int'")
    assert error_kind(caught.value) is ErrorKind.UNSUPPORTED


@pytest.mark.parametrize(
    "exc", [RuntimeError(ILLEGAL), torch.OutOfMemoryError("CUDA out of memory.")]
)
def test_out_of_memory_and_sticky_errors_are_never_called_a_missing_kernel(
    exc: RuntimeError,
) -> None:
    with pytest.raises(type(exc)), missing_kernel(CASE, "cuda:0"):
        raise exc


def test_a_sticky_error_outranks_what_it_caused() -> None:
    try:
        try:
            raise RuntimeError(ILLEGAL)
        except RuntimeError as inner:
            raise MeasurementError("cannot run fp32 fwd") from inner
    except MeasurementError as outer:
        assert error_kind(outer) is ErrorKind.DEVICE_FAILURE
