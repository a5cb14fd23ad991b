"""Physical plausibility: no result faster than the hardware can go, no declared peak above the
published one, no bandwidth above the memory or the link.

Ceilings come from `validator.peaks` (published device peaks with clock headroom; CPU peaks from
cores, the fastest clock and the ISA). Bandwidth from logical bytes can exceed DRAM when the data
fits in cache, so only working sets far above any accelerator's last-level cache are held to it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from schemas import (
    RESULT_NAME,
    SYSTEM_NAME,
    Accelerator,
    Division,
    DType,
    KernelResult,
    SystemDescription,
)
from validator._context import BundleContext
from validator._findings import Code, Finding, Severity, finding
from validator.checks.identity import CPU
from validator.checks.rules import division_of
from validator.peaks import (
    CLOCK_HEADROOM,
    DevicePeaks,
    cpu_ceiling_tflops,
    device_ceiling_tflops,
    match_device,
)

# Above the largest on-chip cache in the table (256 MB Infinity Cache on MI300X/MI325X), x2.
DRAM_BOUND_BYTES = 512 << 20
_LINK = re.compile(r"(\d+(?:\.\d+)?)\s*([GT])(b|B)(?:it)?(?:/s|ps)", re.IGNORECASE)


def _accelerator_of(system: SystemDescription, device_name: str) -> Accelerator | None:
    """The declared accelerator the backend's device name refers to."""
    for accelerator in system.accelerators:
        if accelerator.model == device_name:
            return accelerator
    return system.accelerators[0] if len(system.accelerators) == 1 else None


def check_declared_peaks(ctx: BundleContext) -> Iterator[Finding]:
    """Declared peaks may not exceed the known device table; unknown devices are a note."""
    for index, accelerator in enumerate(ctx.system.accelerators):
        rows = match_device(accelerator.model)
        if not rows:
            yield finding(
                Code.PLAUSIBILITY_UNKNOWN_DEVICE,
                file=SYSTEM_NAME,
                json_path=f"accelerators[{index}].model",
                found=accelerator.model,
            )
            continue
        for dtype, declared in accelerator.peak_tflops.items():
            ceiling = device_ceiling_tflops(rows, dtype)
            if ceiling is not None and declared > ceiling:
                yield finding(
                    Code.PLAUSIBILITY_DECLARED_PEAK,
                    file=SYSTEM_NAME,
                    json_path=f"accelerators[{index}].peak_tflops.{dtype.value}",
                    expected=f"<= {ceiling:.4g} ({' / '.join(r.model for r in rows)})",
                    found=declared,
                )


def _ceiling(ctx: BundleContext, result: KernelResult) -> tuple[float, str] | None:
    """The TFLOP/s no run of this kernel can beat on this system, and where it comes from.

    The precision contract picks the column: an fp32 result on a GPU is held to the fp32 peak,
    never to TF32's, unless its contract says TF32 (issue 12, attack 8). A declared peak always
    tightens the bound; it stands alone only with a public source.
    """
    dtype = result.precision.input
    if result.precision.compute is DType.TF32:
        dtype = DType.TF32
    backend = ctx.run.backend
    if backend.device == CPU:
        ceiling = cpu_ceiling_tflops(ctx.system.host, backend.threads, dtype)
        return (
            ceiling,
            f"CPU peak of {min(ctx.system.host.cores or backend.threads, backend.threads)} cores",
        )
    accelerator = _accelerator_of(ctx.system, backend.device_name)
    rows: tuple[DevicePeaks, ...] = match_device(backend.device_name)
    bounds: list[tuple[float, str]] = []
    table = device_ceiling_tflops(rows, dtype) if rows else None
    if table is not None:
        bounds.append((table, "published peak"))
    if accelerator is not None and dtype in accelerator.peak_tflops:
        declared = accelerator.peak_tflops[dtype] * CLOCK_HEADROOM
        if bounds or accelerator.peak_source is not None:
            bounds.append((declared, f"declared peak ({accelerator.peak_source or 'no source'})"))
    return min(bounds) if bounds else None


def _no_ceiling(ctx: BundleContext, json_path: str, what: str) -> Finding:
    """A figure nothing bounds: an error in closed; in open a warning that must keep it unranked."""
    severity = Severity.ERROR if division_of(ctx) is Division.CLOSED else Severity.WARNING
    return finding(
        Code.PLAUSIBILITY_NO_CEILING,
        file=RESULT_NAME,
        json_path=json_path,
        message=f"no ceiling is known for {what}",
        severity=severity,
    )


def _link_gbps(text: str | None) -> float | None:
    """Per-direction GB/s named in a free-text interconnect, e.g. '200 Gb/s InfiniBand'."""
    match = _LINK.search(text or "")
    if match is None:
        return None
    value = float(match.group(1)) * (1000 if match.group(2).upper() == "T" else 1)
    return value / 8 if match.group(3) == "b" else value


def _bandwidth(ctx: BundleContext, result: KernelResult, path: str) -> Iterator[Finding]:
    device = ctx.run.backend
    rows = () if device.device == CPU else match_device(device.device_name)
    memory_gbps = max((r.memory_bw_gbps or 0.0 for r in rows), default=0.0)
    if memory_gbps and result.bytes_moved >= DRAM_BOUND_BYTES:
        ceiling = memory_gbps * CLOCK_HEADROOM
        if result.gbps > ceiling:
            yield finding(
                Code.PLAUSIBILITY_BANDWIDTH,
                file=RESULT_NAME,
                json_path=f"{path}.gbps",
                expected=f"<= {ceiling:.4g} GB/s (device memory)",
                found=result.gbps,
            )
    collective = result.collective
    if collective is None:
        return
    bound = _busbw_ceiling(ctx, rows)
    if bound is None:
        yield _no_ceiling(ctx, f"{path}.collective.busbw_gbps", "this collective's links")
    elif collective.busbw_gbps > bound[0]:
        yield finding(
            Code.PLAUSIBILITY_BANDWIDTH,
            file=RESULT_NAME,
            json_path=f"{path}.collective.busbw_gbps",
            expected=f"<= {bound[0]:.4g} GB/s ({bound[1]})",
            found=collective.busbw_gbps,
        )


def _busbw_ceiling(ctx: BundleContext, rows: tuple[DevicePeaks, ...]) -> tuple[float, str] | None:
    """The busbw no rank can beat: the links between nodes, else the memory or device link.

    Between nodes only a declared interconnect with a public source counts. Within a node CPU
    ranks share the host's memory (declared with a source), GPUs their published link.
    """
    system = ctx.system
    if system.nodes > 1:
        link = _link_gbps(system.interconnect) if system.interconnect_source else None
        if link is None:
            return None
        return link * system.ranks_per_node, f"declared interconnect ({system.interconnect_source})"
    if ctx.run.backend.device == CPU:
        host = system.host
        if host.memory_bandwidth_gbps is None or host.memory_bandwidth_source is None:
            return None
        ceiling = host.memory_bandwidth_gbps * CLOCK_HEADROOM
        return ceiling, f"host memory ({host.memory_bandwidth_source})"
    per_direction = [r.interconnect_gbps / 2 for r in rows if r.interconnect_gbps]
    if not per_direction:
        return None
    return max(per_direction) * CLOCK_HEADROOM, "device link, per direction"


def check_plausibility(ctx: BundleContext) -> Iterator[Finding]:
    """Every result's TFLOP/s and GB/s against the physical ceilings of its device."""
    for index, result in enumerate(ctx.run.results):
        path = f"results[{index}]"
        bound = _ceiling(ctx, result) if result.flops else None
        if result.flops and bound is None:
            yield _no_ceiling(
                ctx,
                f"{path}.tflops",
                f"{result.precision.input.value} on {ctx.run.backend.device_name}",
            )
        elif bound is not None and result.tflops > bound[0]:
            yield finding(
                Code.PLAUSIBILITY_TFLOPS,
                file=RESULT_NAME,
                json_path=f"{path}.tflops",
                expected=f"<= {bound[0]:.4g} TFLOP/s ({bound[1]})",
                found=result.tflops,
            )
        yield from _bandwidth(ctx, result, path)
