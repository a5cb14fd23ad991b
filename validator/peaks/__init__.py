"""Physical ceilings: published accelerator peaks (devices.csv, see README.md) and CPU peaks.

A ceiling here is an upper bound, never an estimate: where a device name matches several rows
(e.g. "NVIDIA H100 80GB HBM3" could be SXM5, PCIe or NVL) the highest figure wins, and a CPU's
peak assumes the fastest clock any current CPU holds. A result above a ceiling is impossible,
so the check has no false positives from honest runs.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

from schemas import DType, Host

# The fastest all-core clock of a shipping CPU (desktop parts boost near 6 GHz); /proc/cpuinfo's
# nominal clock is not used because it can be far below the real one (an EPYC here: 2.6 GHz
# listed, 4.3 GHz measured).
CPU_MAX_CLOCK_GHZ = 6.0
# GeForce boards run above the reference boost clock the table's peaks assume (README: 1965 vs
# 1695 MHz seen on RTX 3090s); 20% covers that headroom for every device.
CLOCK_HEADROOM = 1.20
_COLUMNS = {
    DType.FP64: "fp64_tflops",
    DType.FP32: "fp32_tflops",
    DType.TF32: "tf32_tflops",
    DType.FP16: "fp16_tflops",
    DType.BF16: "bf16_tflops",
    DType.INT8: "int8_tops",
}
_NOT_FAMILY = re.compile(r"^(\d+gb|sxm\d*|gen\d+)$")


@dataclass(frozen=True)
class DevicePeaks:
    """One row of devices.csv: dense peaks per dtype, memory and link bandwidth."""

    vendor: str
    model: str
    peak_tflops: dict[DType, float]
    memory_bw_gbps: float | None
    interconnect_gbps: float | None
    tokens: frozenset[str]
    family: frozenset[str]

    def ceiling_tflops(self, dtype: DType) -> float | None:
        """Dense peak for `dtype`: FP32 is the FP32 column, TF32 its own (the caller picks TF32
        only when the precision contract says so)."""
        return self.peak_tflops.get(dtype)


def _tokens(name: str) -> list[str]:
    return re.sub(r"[^a-z0-9]+", " ", name.lower()).split()


def _family(tokens: list[str]) -> frozenset[str]:
    """The tokens that name the chip: those with a digit, plus the word before a bare number."""
    family: set[str] = set()
    for index, token in enumerate(tokens):
        if any(c.isdigit() for c in token) and not _NOT_FAMILY.match(token):
            family.add(token)
            if token.isdigit() and index > 0:
                family.add(tokens[index - 1])
    return frozenset(family)


def _number(text: str) -> float | None:
    return float(text) if text.strip() else None


@cache
def device_table() -> tuple[DevicePeaks, ...]:
    """Every row of the shipped devices.csv."""
    text = files(__package__).joinpath("devices.csv").read_text(encoding="utf-8")
    rows = []
    for row in csv.DictReader(text.splitlines()):
        tokens = _tokens(row["model"])
        peaks = {d: v for d, c in _COLUMNS.items() if (v := _number(row[c])) is not None}
        rows.append(
            DevicePeaks(
                vendor=row["vendor"],
                model=row["model"],
                peak_tflops=peaks,
                memory_bw_gbps=_number(row["memory_bw_gbps"]),
                interconnect_gbps=_number(row["interconnect_gbps"]),
                tokens=frozenset(tokens),
                family=_family(tokens),
            )
        )
    return tuple(rows)


def match_device(name: str) -> tuple[DevicePeaks, ...]:
    """Rows whose chip the device name names; the best variant match when one is clear."""
    tokens = set(_tokens(name))
    candidates = [row for row in device_table() if row.family and row.family <= tokens]
    if not candidates:
        return ()
    scores = {row.model: len((row.tokens - row.family) & tokens) for row in candidates}
    best = max(scores.values())
    return tuple(row for row in candidates if best == 0 or scores[row.model] == best)


def _max_or_none(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return max(present) if present else None


def device_ceiling_tflops(rows: tuple[DevicePeaks, ...], dtype: DType) -> float | None:
    """The highest published peak of the matching rows for `dtype`, with clock headroom."""
    peak = _max_or_none([row.ceiling_tflops(dtype) for row in rows])
    return None if peak is None else peak * CLOCK_HEADROOM


# FLOPs (or int8 ops) per cycle per core by instruction set, README's table, fastest variant
# of each ISA (two 512-bit FMA units for AVX-512). Checked from the most capable down.
_FP32_PER_CYCLE = (("avx512f", 64), ("avx2", 32), ("sve", 64), ("asimd", 32), ("avx", 16))
_LOW_PRECISION_PER_CYCLE: dict[DType, tuple[tuple[str, int], ...]] = {
    DType.BF16: (("amx_bf16", 1024), ("avx512_bf16", 128)),
    DType.FP16: (("amx_fp16", 1024), ("avx512_fp16", 128)),
    DType.INT8: (("amx_int8", 2048), ("avx512_vnni", 256), ("avx_vnni", 128)),
}


def cpu_ceiling_tflops(host: Host, threads: int, dtype: DType) -> float:
    """cores x max clock x FLOPs per cycle for `dtype` on this ISA, in TFLOP/s (README's formula).

    Only physical cores count (SMT siblings share vector units), and no more than the threads
    the run used. Without a known ISA flag the widest SIMD of any CPU is assumed.
    """
    cores = max(1, min(host.cores or threads, threads))
    flags = {flag.lower() for flag in host.isa_flags}
    fp32 = next((n for flag, n in _FP32_PER_CYCLE if flag in flags), None)
    fp32 = fp32 if fp32 is not None else 64
    per_cycle = {DType.FP64: fp32 / 2, DType.FP32: fp32, DType.TF32: fp32}.get(dtype)
    if per_cycle is None:
        special = _LOW_PRECISION_PER_CYCLE.get(dtype, ())
        # Without a native unit the type is converted and computed at an FP32-like rate; int8
        # multiply-add without VNNI reaches about twice the FP32 rate.
        fallback = 2 * fp32 if dtype is DType.INT8 else fp32
        per_cycle = next((n for flag, n in special if flag in flags), fallback)
    return cores * CPU_MAX_CLOCK_GHZ * per_cycle / 1e3
