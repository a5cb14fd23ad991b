"""Turns measurements into the records of a bundle: kernel results, error entries, the backend.

Every suite (the compute runner and the all-reduce package alike) builds its records here, so
that throughput, statistics and the recorded settings are derived one way (the formulas are
`schemas.throughput`'s). torch is imported only by the functions that describe it: MPI ranks
import this module to build their results.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from importlib import metadata

from harness.failures import error_kind
from harness.probe import cpu_model, cuda_library_versions, torch_build_libraries
from harness.timing import Timing
from schemas import (
    Backend,
    Collective,
    Correctness,
    Direction,
    KernelError,
    KernelPerfError,
    KernelResult,
    Precision,
    Problem,
    gbps,
    summarize,
    tflops,
)
from schemas.result import GpuStates

# The version of the run rules this harness follows (validator/rules/<version>.json).
RULES_VERSION = "2026.1"
# Environment variables that change timings: allocator, threading, BLAS/oneDNN, CUDA libraries
# (cuBLAS workspaces, cuDNN logging, NCCL algorithms) and the NVIDIA runtime's device selection.
TIMING_ENV_PREFIXES = (
    "MALLOC_",
    "OMP_",
    "MKL_",
    "KMP_",
    "GOMP_",
    "OPENBLAS_",
    "DNNL_",
    "ONEDNN_",
    "CUDA_",
    "CUBLAS_",
    "CUBLASLT_",
    "CUDNN_",
    "NCCL_",
    "NVIDIA_",
    "PYTORCH_",
    "TORCH_",
    "LD_PRELOAD",
)


def harness_version() -> str:
    """The installed KernelPerf version, or a marker when running from an uninstalled tree."""
    try:
        return metadata.version("kernelperf")
    except metadata.PackageNotFoundError:
        return "0+unknown"


def kernel_result(
    problem: Problem,
    direction: Direction,
    precision: Precision,
    timing: Timing,
    correctness: Correctness,
    *,
    bytes_moved: int,
    seed: int,
    flops: int | None = None,
    collective: Collective | None = None,
    gpu_state: GpuStates | None = None,
) -> KernelResult:
    """One kernel's record: statistics of the samples, and TFLOP/s and GB/s from their median.

    `flops` defaults to the problem's logical count. Page faults come from `timing`; a caller
    with a better count (the most of all ranks) passes `dataclasses.replace(timing, ...)`.
    """
    stats = summarize(timing.samples_ns)
    logical_flops = problem.flops() if flops is None else flops
    return KernelResult(
        problem=problem,
        direction=direction,
        precision=precision,
        timer=timing.timer,
        warmup_count=timing.warmup_count,
        samples_ns=timing.samples_ns,
        stats=stats,
        flops=logical_flops,
        bytes_moved=bytes_moved,
        tflops=tflops(logical_flops, stats.median_ns),
        gbps=gbps(bytes_moved, stats.median_ns),
        correctness=correctness,
        seed=seed,
        page_faults=timing.page_faults,
        collective=collective,
        regime=timing.regime,
        gpu_state=gpu_state,
        timing_method=timing.method,
    )


def kernel_error(
    problem_id: str, direction: Direction, precision: Precision | None, exc: BaseException
) -> KernelError:
    """The error entry of a kernel that raised: our errors keep what and fix, others their type;
    its kind (unsupported, out of memory, device failure) is read from the exception chain."""
    if isinstance(exc, KernelPerfError):
        message = exc.what + (f" (fix: {exc.fix})" if exc.fix else "")
    else:
        lines = str(exc).strip().splitlines()
        message = f"{type(exc).__name__}: {lines[0]}" if lines else type(exc).__name__
    return KernelError(
        problem_id=problem_id,
        direction=direction,
        precision=precision,
        message=message,
        kind=error_kind(exc),
    )


def timing_environment() -> dict[str, str]:
    """The environment variables that change timings (allocator, threads, BLAS), as recorded."""
    return {
        name: value
        for name, value in sorted(os.environ.items())
        if name.startswith(TIMING_ENV_PREFIXES)
    }


def torch_settings(device: str = "cpu") -> dict[str, str]:
    """torch's own settings that change timings; on CUDA every precision and library switch.

    Read as the kernels ran: the runner applies `strict_precision` before it records them.
    """
    import torch

    recorded = {
        "torch.float32_matmul_precision": torch.get_float32_matmul_precision(),
        "torch.interop_threads": str(torch.get_num_interop_threads()),
    }
    if device.startswith("cuda"):
        recorded |= cuda_settings()
    return recorded


def cuda_settings() -> dict[str, str]:
    """TF32, reduced-precision reductions, fp16 accumulation, cuDNN's algorithm choice and the
    preferred BLAS: each changes which kernel cuBLAS or cuDNN runs. Readable on any torch build;
    a switch this torch lacks is left out."""
    import torch

    matmul = torch.backends.cuda.matmul
    cudnn = torch.backends.cudnn
    switches = {
        "torch.cuda.matmul.allow_tf32": (matmul, "allow_tf32"),
        "torch.cuda.matmul.allow_fp16_reduced_precision_reduction": (
            matmul,
            "allow_fp16_reduced_precision_reduction",
        ),
        "torch.cuda.matmul.allow_bf16_reduced_precision_reduction": (
            matmul,
            "allow_bf16_reduced_precision_reduction",
        ),
        "torch.cuda.matmul.allow_fp16_accumulation": (matmul, "allow_fp16_accumulation"),
        "torch.backends.cudnn.allow_tf32": (cudnn, "allow_tf32"),
        "torch.backends.cudnn.benchmark": (cudnn, "benchmark"),
        "torch.backends.cudnn.deterministic": (cudnn, "deterministic"),
    }
    recorded = {
        name: str(getattr(owner, attribute))
        for name, (owner, attribute) in switches.items()
        if hasattr(owner, attribute)
    }
    preferred = getattr(torch.backends.cuda, "preferred_blas_library", None)
    if preferred is not None:
        recorded["torch.cuda.preferred_blas_library"] = str(preferred()).rsplit(".", 1)[-1]
    return recorded


def torch_library_versions() -> dict[str, str]:
    """Versions of the libraries that ran the kernels (BLAS and oneDNN from torch's build)."""
    import numpy
    import torch

    versions = {
        "torch": torch.__version__,
        "numpy": numpy.__version__,
    }
    versions |= {name: v for name, v in torch_build_libraries().items() if name != "blas"}
    if torch.version.cuda:
        versions["cuda"] = torch.version.cuda
    cudnn = torch.backends.cudnn
    if cudnn.is_available():  # type: ignore[no-untyped-call]
        versions["cudnn"] = str(cudnn.version())  # type: ignore[no-untyped-call]
    if torch.version.hip:
        versions["hip"] = torch.version.hip
    return versions | cuda_library_versions()


def device_name(device: str) -> str:
    """The model of the device: the GPU's name, or the CPU model as /proc/cpuinfo gives it."""
    if device.startswith("cuda"):
        import torch

        return torch.cuda.get_device_name(torch.device(device))
    return cpu_model()


def backend(
    name: str,
    device: str,
    *,
    threads: int,
    library_versions: Mapping[str, str],
    environment: Mapping[str, str],
) -> Backend:
    """The record of what ran the kernels, for every suite: KernelPerf's version and the timing
    environment variables are always in it, beside what the caller adds."""
    return Backend(
        name=name,
        device=device,
        device_name=device_name(device),
        threads=threads,
        library_versions={"kernelperf": harness_version(), **library_versions},
        environment=timing_environment() | dict(environment),
    )


def torch_backend(device: str, threads: int) -> Backend:
    """The torch backend of the compute suites as it ran: its libraries and settings."""
    return backend(
        "torch",
        device,
        threads=threads,
        library_versions=torch_library_versions(),
        environment=torch_settings(device),
    )
