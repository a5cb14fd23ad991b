"""Kernel records: throughput from the median, error entries, and the recorded environment."""

from __future__ import annotations

import pytest

from harness.records import (
    backend,
    kernel_error,
    kernel_result,
    timing_environment,
    torch_backend,
    torch_settings,
)
from harness.timing import Timing
from schemas import (
    Correctness,
    Direction,
    DType,
    MeasurementError,
    Precision,
    Problem,
    ProblemSet,
    Suite,
    Timer,
)
from schemas.suites.gemm import GemmParams

PROBLEM = Problem(
    id="gemm/train/999",
    suite=Suite("gemm"),
    set=ProblemSet.TRAIN,
    index=999,
    application="test",
    directions=(Direction.FWD,),
    params=GemmParams(m=100, n=100, k=100, a_t=False, b_t=False),
)
FP32 = Precision(input=DType.FP32, compute=DType.FP32, output=DType.FP32)
CHECKED = Correctness(
    reference="torch fp64 cpu", reduced_problem=False, error=1e-7, tolerance=1e-6, passed=True
)


def test_throughput_is_taken_from_the_median() -> None:
    timing = Timing(
        samples_ns=(1000, 4000, 2000), warmup_count=2, timer=Timer.HOST_CLOCK, page_faults=7
    )
    result = kernel_result(
        PROBLEM, Direction.FWD, FP32, timing, CHECKED, bytes_moved=120_000, seed=1
    )
    assert result.stats.median_ns == 2000
    assert result.tflops == pytest.approx(2_000_000 / 2000 / 1e3)  # 2e6 FLOP in 2 µs = 1 TFLOP/s
    assert result.gbps == pytest.approx(60.0)
    assert result.page_faults == 7 and result.warmup_count == 2
    overridden = kernel_result(
        PROBLEM, Direction.FWD, FP32, timing, CHECKED, bytes_moved=1, seed=1, flops=0
    )
    assert overridden.flops == 0 and overridden.tflops == 0


def test_error_entries_keep_our_fix_and_other_errors_first_line() -> None:
    ours = kernel_error(
        "gemm/train/999", Direction.FWD, FP32, MeasurementError("no kernel", fix="use fp32")
    )
    assert ours.message == "no kernel (fix: use fp32)"
    theirs = kernel_error("gemm/train/999", Direction.FWD, FP32, RuntimeError("OOM\ntrace"))
    assert theirs.message == "RuntimeError: OOM"
    bare = kernel_error("gemm/train/999", Direction.FWD, None, MemoryError())
    assert bare.message == "MemoryError"


def test_environment_records_allocator_and_thread_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MALLOC_MMAP_THRESHOLD_", "1000000")
    monkeypatch.setenv("OMP_NUM_THREADS", "2")
    monkeypatch.setenv("UNRELATED_SETTING", "x")
    recorded = timing_environment()
    assert recorded["MALLOC_MMAP_THRESHOLD_"] == "1000000" and recorded["OMP_NUM_THREADS"] == "2"
    assert "UNRELATED_SETTING" not in recorded
    assert torch_settings()["torch.float32_matmul_precision"] == "highest"


def test_backend_names_torch_and_its_libraries() -> None:
    described = torch_backend("cpu", 2)
    assert described.threads == 2 and described.device == "cpu"
    assert {"torch", "numpy", "kernelperf"} <= set(described.library_versions)
    assert described.environment["torch.float32_matmul_precision"] == "highest"


def test_every_backend_record_carries_kernelperf_and_the_timing_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OMP_NUM_THREADS", "3")
    described = backend(
        "mpi4py", "cpu", threads=1, library_versions={"mpi": "X"}, environment={"ranks": "2"}
    )
    assert set(described.library_versions) == {"kernelperf", "mpi"}
    assert described.environment["OMP_NUM_THREADS"] == "3"
    assert described.environment["ranks"] == "2"


def test_strict_precision_is_what_the_cuda_record_says() -> None:
    """Readable on a CPU build: the switches exist there too, so the order is tested here.

    torch's cuBLAS settings object cannot be monkeypatched (it has no attribute to delete), so
    the switches are saved and put back by hand.
    """
    import torch

    from harness.records import cuda_settings
    from harness.suites.contracts import strict_precision

    matmul = torch.backends.cuda.matmul
    switches = (
        (matmul, "allow_tf32"),
        (matmul, "allow_fp16_reduced_precision_reduction"),
        (matmul, "allow_bf16_reduced_precision_reduction"),
        (matmul, "allow_fp16_accumulation"),
        (torch.backends.cudnn, "allow_tf32"),
    )
    saved = [(owner, name, getattr(owner, name)) for owner, name in switches]
    try:
        for owner, name in switches[:3]:
            setattr(owner, name, True)
        torch.backends.cudnn.allow_tf32 = True
        strict_precision("cuda:0")
        recorded = cuda_settings()
    finally:
        for owner, name, value in saved:
            setattr(owner, name, value)
    for name in (
        "torch.cuda.matmul.allow_tf32",
        "torch.cuda.matmul.allow_fp16_reduced_precision_reduction",
        "torch.cuda.matmul.allow_bf16_reduced_precision_reduction",
        "torch.backends.cudnn.allow_tf32",
    ):
        assert recorded[name] == "False", name
    assert {"torch.backends.cudnn.benchmark", "torch.backends.cudnn.deterministic"} <= set(recorded)
    assert "torch.cuda.preferred_blas_library" in recorded


def test_cuda_library_variables_are_recorded(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("NVIDIA_VISIBLE_DEVICES", "CUDNN_LOGINFO_DBG", "NCCL_ALGO"):
        monkeypatch.setenv(name, "x")
    assert {"NVIDIA_VISIBLE_DEVICES", "CUDNN_LOGINFO_DBG", "NCCL_ALGO"} <= set(timing_environment())
