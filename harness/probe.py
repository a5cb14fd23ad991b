"""Describes the machine the harness runs on: the `system.json` of every bundle it writes.

Facts come from the OS (/proc/cpuinfo, /proc/meminfo, /etc/os-release, the affinity mask), from
torch (its version, its BLAS, its GPUs), from NVML where there is one (driver, clocks, power,
ECC, MIG, PCIe: harness/nvml.py), from `nvidia-smi topo -m`, and from the container runner,
which passes the image it started through KERNELPERF_CONTAINER_* environment variables
(`schemas.container_env`). The
vendor declares what cannot be probed (peaks, status, interconnect) by editing the system file
before submitting.

torch is imported by the functions that ask it, so that importing the probe stays light.
"""

from __future__ import annotations

import os
import platform
import re
import socket
import subprocess
import sys
from collections.abc import Mapping
from importlib import metadata
from importlib.util import find_spec
from pathlib import Path
from typing import Any, cast

from harness import nvml
from schemas import (
    Accelerator,
    ContainerImage,
    Host,
    Software,
    SystemDescription,
    SystemStatus,
    UsageError,
    container_env,
)
from schemas.names import NAME_RULE, is_valid_name

# Vector and matrix instruction sets that decide which kernels a library can run.
ISA_FLAGS = (
    "sse4_2", "avx", "avx2", "fma", "avx_vnni", "avx512f", "avx512bw", "avx512vl", "avx512_vnni",
    "avx512_bf16", "avx512_fp16", "amx_tile", "amx_bf16", "amx_int8", "amx_fp16",
    "asimd", "asimdhp", "sve", "sve2", "sme", "bf16", "i8mm",
)  # fmt: skip
MPI_PROBE = (
    "import mpi4py\n"
    "mpi4py.rc.initialize = mpi4py.rc.finalize = False\n"
    "from mpi4py import MPI\n"
    "print(MPI.Get_library_version().strip().splitlines()[0])\n"
)
MPI_THREAD_LEVELS = ("single", "funneled", "serialized", "multiple")
# The wheels that carry torch's CUDA libraries (cu12 and cu13 names), by the name recorded.
CUDA_LIBRARY_WHEELS = {
    "cublas": ("nvidia-cublas", "nvidia-cublas-cu12", "nvidia-cublas-cu13"),
    "cudnn_wheel": ("nvidia-cudnn", "nvidia-cudnn-cu12", "nvidia-cudnn-cu13"),
    "nccl_wheel": ("nvidia-nccl", "nvidia-nccl-cu12", "nvidia-nccl-cu13"),
}


def _cpuinfo() -> list[dict[str, str]]:
    """/proc/cpuinfo as one dict per logical CPU (empty where there is no such file)."""
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    blocks = []
    for block in text.strip().split("\n\n"):
        entry = {}
        for line in block.splitlines():
            key, _, value = line.partition(":")
            entry[key.strip()] = value.strip()
        blocks.append(entry)
    return blocks


def cpu_model() -> str:
    """The CPU model name the OS reports (x86 'model name', Arm 'Hardware'/'CPU part')."""
    for entry in _cpuinfo():
        for key in ("model name", "Hardware", "Processor", "cpu model"):
            if entry.get(key):
                return entry[key]
    return platform.processor() or platform.machine() or "unknown"


def _usable_cpus() -> set[int]:
    """Logical CPUs this process may run on (a container or taskset narrows them)."""
    try:
        return os.sched_getaffinity(0)
    except AttributeError:
        return set(range(os.cpu_count() or 1))


def host() -> Host:
    """CPU model, sockets and cores among the usable CPUs, memory and vector ISA."""
    usable = _usable_cpus()
    entries = [e for e in _cpuinfo() if e.get("processor", "").isdigit()]
    mine = [e for e in entries if int(e["processor"]) in usable] or entries
    sockets = {e.get("physical id", "0") for e in mine}
    cores = {(e.get("physical id", "0"), e.get("core id", e["processor"])) for e in mine}
    flags = set()
    for entry in mine[:1]:
        flags = set((entry.get("flags") or entry.get("Features") or "").split())
    return Host(
        cpu_model=cpu_model(),
        sockets=max(1, len(sockets)),
        cores=max(1, len(cores) if mine else len(usable)),
        logical_cpus=max(1, len(usable)),
        memory_bytes=_memory_bytes(),
        isa_flags=tuple(flag for flag in ISA_FLAGS if flag in flags),
    )


def _memory_bytes() -> int:
    """MemTotal from /proc/meminfo, or the page count times the page size."""
    try:
        for line in Path("/proc/meminfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))


def _os_name() -> str:
    """PRETTY_NAME from /etc/os-release, or the platform's own name."""
    try:
        for line in Path("/etc/os-release").read_text(encoding="utf-8").splitlines():
            if line.startswith("PRETTY_NAME="):
                return line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    return platform.platform()


def torch_build_libraries() -> dict[str, str]:
    """BLAS and oneDNN that torch was built with, and their versions, from torch's build info."""
    import torch

    libraries: dict[str, str] = {}
    for line in torch.__config__.show().splitlines():
        text = line.strip().removeprefix("- ")
        if "Math Kernel Library Version" in text:
            libraries["mkl"] = text.split("Version", 1)[1].split()[0].removesuffix("-Product")
        elif text.startswith("Intel(R) MKL-DNN v"):
            libraries["onednn"] = text.removeprefix("Intel(R) MKL-DNN v").split()[0]
        match = re.search(r"BLAS_INFO=(\w+)", text)
        if match:
            libraries["blas"] = match.group(1)
    return libraries


def _blas() -> str | None:
    """'mkl 2024.2', 'open' (OpenBLAS) and so on: the BLAS behind torch's CPU matmul."""
    libraries = torch_build_libraries()
    name = libraries.get("blas")
    if name is None:
        return None
    return f"{name} {libraries[name]}" if name in libraries else name


def _nvidia_driver() -> str | None:
    """The NVIDIA kernel module's version, which /proc/driver/nvidia/version states."""
    try:
        text = Path("/proc/driver/nvidia/version").read_text(encoding="utf-8")
    except OSError:
        return None
    match = re.search(r"Kernel Module\s+(?:for \S+\s+)?([0-9][0-9.]+)", text)
    return match.group(1) if match else None


def cuda_library_versions() -> dict[str, str]:
    """cuBLAS, cuDNN and NCCL as installed (their wheels) and NCCL as torch loaded it, with the
    driver and the CUDA version the driver supports; {} on a build without CUDA."""
    import torch

    if not torch.version.cuda:
        return {}
    versions: dict[str, str] = {}
    for name, wheels in CUDA_LIBRARY_WHEELS.items():
        for wheel in wheels:
            try:
                versions[name] = metadata.version(wheel)
                break
            except metadata.PackageNotFoundError:
                continue
    if torch.cuda.is_available():
        nccl = torch.cuda.nccl.version()  # type: ignore[no-untyped-call]
        versions["nccl"] = ".".join(str(part) for part in nccl)
    return versions | nvml.driver_versions()


def nvidia_topology() -> str | None:
    """`nvidia-smi topo -m`: how the GPUs, NICs and CPUs connect (NVLink, PCIe switches, NUMA)."""
    try:
        done = subprocess.run(
            ["nvidia-smi", "topo", "-m"], capture_output=True, text=True, timeout=30
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() or None if done.returncode == 0 else None


def accelerators() -> tuple[Accelerator, ...]:
    """The CUDA (or ROCm) devices torch sees, one entry per model with its count."""
    import torch

    if not torch.cuda.is_available():
        return ()
    by_model: dict[str, list[Any]] = {}
    for index in range(torch.cuda.device_count()):
        props = torch.cuda.get_device_properties(index)
        by_model.setdefault(props.name, []).append(props)
    return tuple(
        Accelerator(
            model=model,
            count=len(devices),
            memory_bytes=devices[0].total_memory,
            memory_bandwidth_gbps=_memory_bandwidth_gbps(devices[0]),
        )
        for model, devices in by_model.items()
    )


def _memory_bandwidth_gbps(props: Any) -> float | None:
    """Theoretical bandwidth: 2 transfers per memory clock times the bus width in bytes.

    NVML first: torch's properties carry the memory clock and bus width only in some versions.
    """
    from_nvml = nvml.memory_bandwidth_gbps(str(getattr(props, "uuid", "")))
    if from_nvml is not None:
        return from_nvml
    clock_khz = getattr(props, "memory_clock_rate", 0)
    bus_bits = getattr(props, "memory_bus_width", 0)
    if not clock_khz or not bus_bits:
        return None
    return float(2 * clock_khz * 1e3 * bus_bits / 8 / 1e9)


def device_properties() -> list[dict[str, str]]:
    """Every CUDA device's properties as torch reports them, and NVML's clocks, power limit,
    ECC, MIG, persistence and PCIe link where it answers, for the bundle's log."""
    import torch

    if not torch.cuda.is_available():
        return []
    names = (
        "name", "major", "minor", "multi_processor_count", "total_memory", "L2_cache_size",
        "clock_rate", "memory_clock_rate", "memory_bus_width", "warp_size", "uuid",
    )  # fmt: skip
    described = []
    for index in range(torch.cuda.device_count()):
        props = torch.cuda.get_device_properties(index)
        facts = {name: str(getattr(props, name, "")) for name in names}
        from_nvml = nvml.device_facts(facts["uuid"])
        described.append(facts | {f"nvml.{name}": value for name, value in from_nvml.items()})
    return described


def _mpi() -> tuple[str | None, str | None]:
    """The MPI library and the thread level in use, without starting MPI in this process.

    When this process already uses MPI, it answers; otherwise a child asks mpi4py with
    initialisation switched off (importing mpi4py.MPI here would start MPI, or stop a later
    `MPI.Init` from happening).
    """
    module = sys.modules.get("mpi4py.MPI")
    if module is not None:
        mpi = cast(Any, module)
        library = mpi.Get_library_version().strip().splitlines()[0]
        level = MPI_THREAD_LEVELS[mpi.Query_thread()] if mpi.Is_initialized() else None
        return " ".join(library.split()), level
    if find_spec("mpi4py") is None:
        return None, None
    try:
        done = subprocess.run(
            [sys.executable, "-c", MPI_PROBE], capture_output=True, text=True, timeout=30
        )
    except (OSError, subprocess.TimeoutExpired):
        return None, None
    first = done.stdout.strip()
    return (" ".join(first.split()) or None) if done.returncode == 0 else None, None


def software() -> Software:
    """OS, kernel, Python, torch and the libraries behind it."""
    import torch

    mpi_library, mpi_thread_level = _mpi()
    return Software(
        os=_os_name(),
        kernel=platform.release(),
        python=platform.python_version(),
        framework=f"torch {torch.__version__}",
        blas=_blas(),
        driver=_nvidia_driver() or nvml.driver_versions().get("driver"),
        cuda=_cuda_version(torch.version.cuda),
        rocm=torch.version.hip,
        mpi_library=mpi_library,
        mpi_thread_level=mpi_thread_level,
    )


def _cuda_version(build: str | None) -> str | None:
    """The CUDA torch was built for and, where NVML says, the newest the driver supports."""
    driver = nvml.driver_versions().get("cuda_driver")
    if build is None:
        return None
    return f"{build} (torch build; driver supports {driver})" if driver else build


def container(environ: Mapping[str, str] = os.environ) -> ContainerImage | None:
    """The image the container runner started us in, or None when not containerised."""
    return container_env.from_env(environ)


def default_system_id() -> str:
    """A slug of the hostname that the system id pattern accepts."""
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", socket.gethostname()).strip("-._")[:64]
    return slug if is_valid_name(slug) else "system"


def describe_system(
    *, system_id: str | None = None, submitter: str = "unsubmitted"
) -> SystemDescription:
    """The system this process runs on; a bad id or submitter is a UsageError."""
    chosen = default_system_id() if system_id is None else system_id
    if not is_valid_name(chosen):
        raise UsageError(f"{chosen!r} cannot be a system id", where="--system-id", fix=NAME_RULE)
    if not submitter.strip():
        raise UsageError(
            "the submitter is empty", where="--submitter", fix="name your organisation"
        )
    return SystemDescription(
        system_id=chosen,
        submitter=submitter,
        status=SystemStatus.AVAILABLE,
        host=host(),
        accelerators=accelerators(),
        nodes=1,
        software=software(),
        container=container(),
    )
