"""The three forgeries the audit must catch (issue 13), made the way a vendor would make them.

Each rewrites result.json consistently (statistics, throughput), keeps the log's request, and
rewrites the manifest through the harness's own bundle writer, so every file-level check holds:
only a re-measurement can tell.

    keep_fastest    the 5 fastest samples kept, the statistics recomputed
    scaled          every sample times 0.7
    relabelled      a bf16 run labelled fp32 (precision, request and all)
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from harness import write_bundle
from schemas import (
    LOG_NAME,
    RESULT_NAME,
    SYSTEM_NAME,
    DType,
    KernelResult,
    Precision,
    RunResult,
    SystemDescription,
    gbps,
    summarize,
    tflops,
)

KEPT_SAMPLES = 5
SCALE = 0.7
FP32 = Precision(input=DType.FP32, compute=DType.FP32, output=DType.FP32)


def with_samples(result: KernelResult, samples_ns: tuple[int, ...]) -> KernelResult:
    """The result with other samples and every figure derived from them recomputed."""
    stats = summarize(samples_ns)
    return result.model_copy(
        update={
            "samples_ns": samples_ns,
            "stats": stats,
            "tflops": tflops(result.flops, stats.median_ns),
            "gbps": gbps(result.bytes_moved, stats.median_ns),
        }
    )


def keep_fastest(result: KernelResult) -> KernelResult:
    """Only the 5 fastest samples."""
    return with_samples(result, tuple(sorted(result.samples_ns)[:KEPT_SAMPLES]))


def scaled(result: KernelResult) -> KernelResult:
    """Every sample times 0.7."""
    return with_samples(result, tuple(max(1, int(s * SCALE)) for s in result.samples_ns))


def relabelled(result: KernelResult) -> KernelResult:
    """A bf16 result that says fp32."""
    return result.model_copy(update={"precision": FP32})


def forge(source: Path, target: Path, change: Callable[[KernelResult], KernelResult]) -> Path:
    """Writes a copy of the bundle `source` with every result changed, into `target`."""
    run = RunResult.model_validate_json((source / RESULT_NAME).read_bytes())
    system = SystemDescription.model_validate_json((source / SYSTEM_NAME).read_bytes())
    events = [json.loads(line) for line in (source / LOG_NAME).read_text().splitlines() if line]
    for event in events:
        request = event.get("request")
        if change is relabelled and isinstance(request, dict):
            request["dtypes"] = [DType.FP32.value]
    forged = run.model_copy(update={"results": tuple(change(r) for r in run.results)})
    return write_bundle(target, forged, system, events)
