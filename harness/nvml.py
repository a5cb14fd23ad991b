"""A GPU's state through NVML (`nvidia-ml-py`): clocks, power, temperature, throttling, ECC, MIG.

torch says what a GPU is, not how it is running: a GPU that throttles for power or heat during a
case delivers less than its clock promises, and nothing in the samples shows it. NVML reads the
clocks and the reasons they are held down, cheaply (microseconds), before and after each case.

Optional and lazy: `nvidia-ml-py` is in the cuda image's lock but not required elsewhere, and a
machine without an NVIDIA driver has no NVML. Every function then answers None or {}; nothing
here raises for a missing GPU.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import suppress
from types import ModuleType
from typing import Any, TypeVar, cast

from schemas.result import GpuState

T = TypeVar("T")
# Clock-event reasons that are not throttling: an idle GPU, or clocks the administrator set.
BENIGN_REASONS = frozenset({"gpu_idle", "applications_clocks_setting"})
# NVML's clocksEventReasons bits (nvml.h), by the names recorded.
REASON_BITS = {
    "gpu_idle": 0x1,
    "applications_clocks_setting": 0x2,
    "sw_power_cap": 0x4,
    "hw_slowdown": 0x8,
    "sync_boost": 0x10,
    "sw_thermal_slowdown": 0x20,
    "hw_thermal_slowdown": 0x40,
    "hw_power_brake_slowdown": 0x80,
    "display_clock_setting": 0x100,
}


@functools.cache
def _nvml() -> ModuleType | None:
    """pynvml, initialised once; None without the package or without a driver."""
    try:
        import pynvml  # type: ignore[import-not-found,import-untyped,unused-ignore]
    except ImportError:
        return None
    try:
        pynvml.nvmlInit()
    except Exception:  # NVMLError_LibraryNotFound, DriverNotLoaded, ...: no NVML here
        return None
    return cast(ModuleType, pynvml)


def available() -> bool:
    """Whether NVML answers on this machine."""
    return _nvml() is not None


def _ask(call: Callable[[], T]) -> T | None:
    """One NVML query; None where the GPU or driver does not support it."""
    try:
        return call()
    except Exception:  # pynvml raises NVMLError subclasses for "not supported" and the like
        return None


def _handle(uuid: str) -> Any | None:
    """NVML's handle of the GPU whose UUID torch reports.

    By UUID, not index: CUDA_VISIBLE_DEVICES renumbers CUDA's devices, never NVML's.
    """
    nvml = _nvml()
    if nvml is None:
        return None
    name = uuid if uuid.startswith(("GPU-", "MIG-")) else f"GPU-{uuid}"
    return _ask(lambda: nvml.nvmlDeviceGetHandleByUUID(name))


def throttle_reasons(mask: int) -> tuple[str, ...]:
    """The clock-limiting reasons set in NVML's bit mask, the benign ones left out."""
    return tuple(
        name for name, bit in REASON_BITS.items() if mask & bit and name not in BENIGN_REASONS
    )


def state(uuid: str) -> GpuState | None:
    """The GPU's clocks, power, temperature and throttle reasons now; None without NVML."""
    nvml = _nvml()
    handle = _handle(uuid)
    if nvml is None or handle is None:
        return None
    sm = _ask(lambda: nvml.nvmlDeviceGetClockInfo(handle, nvml.NVML_CLOCK_SM))
    memory = _ask(lambda: nvml.nvmlDeviceGetClockInfo(handle, nvml.NVML_CLOCK_MEM))
    power_mw = _ask(lambda: nvml.nvmlDeviceGetPowerUsage(handle))
    temperature = _ask(lambda: nvml.nvmlDeviceGetTemperature(handle, nvml.NVML_TEMPERATURE_GPU))
    mask = _ask(lambda: nvml.nvmlDeviceGetCurrentClocksEventReasons(handle))
    if mask is None:  # drivers before 535 name it "throttle reasons"
        mask = _ask(lambda: nvml.nvmlDeviceGetCurrentClocksThrottleReasons(handle))
    return GpuState(
        sm_clock_mhz=int(sm or 0),
        memory_clock_mhz=int(memory or 0),
        power_w=None if power_mw is None else power_mw / 1000,
        temperature_c=None if temperature is None else int(temperature),
        throttle_reasons=throttle_reasons(int(mask or 0)),
    )


def _text(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _facts(nvml: Any, handle: Any) -> Iterator[tuple[str, object]]:
    """(name, value) of what does not change during a run; unsupported queries are skipped."""
    queries: dict[str, Callable[[], object]] = {
        "name": lambda: _text(nvml.nvmlDeviceGetName(handle)),
        "uuid": lambda: _text(nvml.nvmlDeviceGetUUID(handle)),
        "pci_bus_id": lambda: _text(nvml.nvmlDeviceGetPciInfo(handle).busId),
        "max_sm_clock_mhz": lambda: nvml.nvmlDeviceGetMaxClockInfo(handle, nvml.NVML_CLOCK_SM),
        "max_memory_clock_mhz": lambda: nvml.nvmlDeviceGetMaxClockInfo(handle, nvml.NVML_CLOCK_MEM),
        "application_sm_clock_mhz": lambda: nvml.nvmlDeviceGetApplicationsClock(
            handle, nvml.NVML_CLOCK_SM
        ),
        "memory_bus_width_bits": lambda: nvml.nvmlDeviceGetMemoryBusWidth(handle),
        "power_limit_w": lambda: nvml.nvmlDeviceGetEnforcedPowerLimit(handle) / 1000,
        "ecc_enabled": lambda: bool(nvml.nvmlDeviceGetEccMode(handle)[0]),
        "mig_enabled": lambda: bool(nvml.nvmlDeviceGetMigMode(handle)[0]),
        "persistence_mode": lambda: bool(nvml.nvmlDeviceGetPersistenceMode(handle)),
        "pcie_link": lambda: (
            f"gen {nvml.nvmlDeviceGetCurrPcieLinkGeneration(handle)}"
            f" x{nvml.nvmlDeviceGetCurrPcieLinkWidth(handle)}"
            f" (max gen {nvml.nvmlDeviceGetMaxPcieLinkGeneration(handle)}"
            f" x{nvml.nvmlDeviceGetMaxPcieLinkWidth(handle)})"
        ),
        "ecc_uncorrected_volatile": lambda: nvml.nvmlDeviceGetTotalEccErrors(
            handle, nvml.NVML_MEMORY_ERROR_TYPE_UNCORRECTED, nvml.NVML_VOLATILE_ECC
        ),
    }
    for name, query in queries.items():
        value = _ask(query)
        if value is not None:
            yield name, value


def device_facts(uuid: str) -> dict[str, str]:
    """Clocks, power limit, ECC, MIG, persistence and PCIe link of one GPU; {} without NVML."""
    nvml = _nvml()
    handle = _handle(uuid)
    if nvml is None or handle is None:
        return {}
    return {name: str(value) for name, value in _facts(nvml, handle)}


def driver_versions() -> dict[str, str]:
    """The driver's version and the CUDA version it supports (not the CUDA torch was built for)."""
    nvml = _nvml()
    if nvml is None:
        return {}
    versions: dict[str, str] = {}
    driver = _ask(nvml.nvmlSystemGetDriverVersion)
    if driver is not None:
        versions["driver"] = _text(driver)
    cuda = _ask(nvml.nvmlSystemGetCudaDriverVersion)
    if cuda is not None:
        versions["cuda_driver"] = f"{int(cuda) // 1000}.{int(cuda) % 1000 // 10}"
    return versions


def memory_bandwidth_gbps(uuid: str) -> float | None:
    """Theoretical bandwidth from NVML: 2 transfers per memory clock times the bus width."""
    with suppress(KeyError, ValueError):
        facts = device_facts(uuid)
        clock_mhz = float(facts["max_memory_clock_mhz"])
        bus_bits = float(facts["memory_bus_width_bits"])
        return 2 * clock_mhz * 1e6 * bus_bits / 8 / 1e9
    return None
