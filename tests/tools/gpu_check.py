"""`make gpu-check`: the first GPU run, in one script of at most 10 minutes on a one-GPU machine.

Writes OUT/REPORT.md and the raw files beside it (docs/GPU_CHECK.md lists them): `nvidia-smi -q`
and topology, versions, `pytest -m gpu`, a clock cross-check of a bf16 8192³ GEMM (CUDA events,
`triton.testing.do_bench` and the torch profiler's kernel durations, within 3%), the mode chosen
for a cold and a warm tiny kernel, a 16 MB reduction with and without the L2 flush, RNN and conv
smoke cases as event time over summed kernel time (above 1.2: launch-bound), every suite at the
smoke profile in every dtype on cuda, a 1-rank NCCL all-reduce under torchrun with warnings as
errors, and the lowest SM clock and the throttle reasons seen.

Every step runs under its own time limit and records its failure instead of stopping the check.
Without a GPU (or with --dry-run) nothing is measured: REPORT.md says "no GPU" and lists the
steps that would run, so the script is exercised on any machine.

    python -m tests.tools.gpu_check [--out out/gpu-check] [--dry-run]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_OUT = Path("out/gpu-check")
# The clock cross-check passes when every clock is within this of the events' median.
AGREEMENT = 0.03
# Event time over summed kernel time above this: the call is launch-bound.
LAUNCH_BOUND_RATIO = 1.2
GEMM_SIZE = 8192
REDUCTION_BYTES = 16 << 20
# Wall-clock limits of the subprocess steps, in seconds: together well under 10 minutes.
PYTEST_S = 120
SMOKE_S = 240
NCCL_S = 90


@dataclass(frozen=True)
class Step:
    """One part of the check: its title, and the function that runs it and writes raw files."""

    title: str
    run: Callable[[Path], str]


def _write(out: Path, name: str, payload: object) -> None:
    """A raw file: text as is, anything else as indented JSON."""
    text = payload if isinstance(payload, str) else json.dumps(payload, indent=2, default=str)
    (out / name).write_text(text + "\n", encoding="utf-8")


def _command(argv: Sequence[str], timeout_s: float, env: dict[str, str] | None = None) -> str:
    """stdout and stderr of a command, with its exit status; a timeout is reported, not raised."""
    try:
        done = subprocess.run(
            list(argv),
            capture_output=True,
            text=True,
            timeout=timeout_s,
            env=None if env is None else os.environ | env,
        )
    except FileNotFoundError:
        return f"$ {' '.join(argv)}\nnot found"
    except subprocess.TimeoutExpired as exc:
        return f"$ {' '.join(argv)}\ntimed out after {timeout_s} s\n{exc.stdout or ''}"
    return f"$ {' '.join(argv)}\nexit {done.returncode}\n{done.stdout}\n{done.stderr}"


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else ""


def nvidia_smi(out: Path) -> str:
    """`nvidia-smi -q` and `nvidia-smi topo -m`, raw."""
    _write(out, "nvidia-smi-q.txt", _command(["nvidia-smi", "-q"], 60))
    _write(out, "nvidia-smi-topo.txt", _command(["nvidia-smi", "topo", "-m"], 60))
    return "raw: nvidia-smi-q.txt, nvidia-smi-topo.txt"


def versions(out: Path) -> str:
    """torch, CUDA (build and driver), cuDNN, cuBLAS, NCCL, triton and NVML as installed."""
    import torch

    from harness.probe import cuda_library_versions
    from harness.records import cuda_settings

    found: dict[str, Any] = {"torch": torch.__version__, "cuda_build": torch.version.cuda}
    found |= cuda_library_versions()
    for module in ("triton", "pynvml"):
        try:
            found[module] = getattr(__import__(module), "__version__", "present")
        except ImportError:
            found[module] = None
    found["device"] = torch.cuda.get_device_name()
    found["settings_after_strict_precision"] = cuda_settings()
    _write(out, "versions.json", found)
    return ", ".join(f"{k} {v}" for k, v in found.items() if isinstance(v, str))


def pytest_gpu(out: Path) -> str:
    """The tests marked gpu, on this GPU."""
    text = _command(
        [sys.executable, "-m", "pytest", "-q", "-m", "gpu", "-p", "no:cacheprovider", "tests"],
        PYTEST_S,
    )
    _write(out, "pytest-gpu.txt", text)
    return _last_line(text)


def _profiled_kernel_ns(call: Callable[[], object], calls: int) -> float:
    """Mean summed device-kernel time per call, from the torch profiler's CUDA activity."""
    import torch
    from torch.profiler import ProfilerActivity, profile

    torch.cuda.synchronize()
    with profile(activities=[ProfilerActivity.CUDA]) as prof:
        for _ in range(calls):
            call()
        torch.cuda.synchronize()
    total_us = sum(
        event.device_time_total
        for event in prof.key_averages()
        if event.device_type.name == "CUDA" and not event.key.startswith("Memset")
    )
    return float(total_us) * 1e3 / calls


def _events_median_ns(call: Callable[[], object], *, flush: bool = True) -> tuple[float, str]:
    """The harness's own clock on `call`: median ns per call, and the mode it chose."""
    import torch

    from harness.cuda_clock import CudaEventClock
    from harness.timing import TimingPolicy, measure

    clock = CudaEventClock.on(f"cuda:{torch.cuda.current_device()}", flush_l2=flush)
    timing = measure(call, TimingPolicy(budget_s=0.3), clock)
    regime = timing.regime
    mode = f"{regime.mode.value} x{regime.calls_per_sample}" if regime else "?"
    return float(statistics.median(timing.samples_ns)), mode


def clock_crosscheck(out: Path) -> str:
    """bf16 8192³ GEMM: events vs triton's do_bench vs the profiler's kernel time."""
    import torch

    a = torch.randn(GEMM_SIZE, GEMM_SIZE, device="cuda", dtype=torch.bfloat16)
    b = torch.randn_like(a)
    c = torch.empty_like(a)

    def gemm() -> object:
        return torch.matmul(a, b, out=c)

    events_ns, mode = _events_median_ns(gemm)
    clocks: dict[str, float | None] = {"events": events_ns}
    try:
        from triton.testing import do_bench

        clocks["triton_do_bench"] = float(do_bench(gemm, return_mode="median")) * 1e6
    except ImportError:
        clocks["triton_do_bench"] = None
    clocks["profiler_kernels"] = _profiled_kernel_ns(gemm, 20)
    spread = {
        name: abs(value / events_ns - 1) for name, value in clocks.items() if value is not None
    }
    agree = all(value <= AGREEMENT for value in spread.values())
    tflops = 2 * GEMM_SIZE**3 / events_ns / 1e3
    _write(out, "clock-crosscheck.json", {"ns": clocks, "relative": spread, "mode": mode})
    verdict = "agree" if agree else "DISAGREE"
    return f"{verdict} within {AGREEMENT:.0%}: {spread}; events {tflops:.0f} TFLOP/s ({mode})"


def tiny_kernel(out: Path) -> str:
    """A 256-element add: its cold first call, and the mode the clock chooses on warm calls."""
    import torch

    x = torch.ones(256, device="cuda")
    y = torch.empty_like(x)
    start = torch.cuda.Event(enable_timing=True)  # type: ignore[no-untyped-call]
    end = torch.cuda.Event(enable_timing=True)  # type: ignore[no-untyped-call]
    start.record()
    torch.add(x, 1, out=y)
    end.record()
    end.synchronize()
    cold_ns = start.elapsed_time(end) * 1e6
    warm_ns, mode = _events_median_ns(lambda: torch.add(x, 1, out=y))
    _write(out, "tiny-kernel.json", {"cold_ns": cold_ns, "warm_ns": warm_ns, "mode": mode})
    return f"cold {cold_ns / 1e3:.1f} µs, warm {warm_ns / 1e3:.2f} µs per call, mode {mode}"


def reduction_flush(out: Path) -> str:
    """A 16 MB sum with and without the L2 flush: the flushed one reads HBM, the other L2."""
    import torch

    x = torch.randn(REDUCTION_BYTES // 4, device="cuda")
    total = torch.empty((), device="cuda")
    found = {}
    for flush in (True, False):
        ns, mode = _events_median_ns(lambda: torch.sum(x, out=total), flush=flush)
        found["flushed" if flush else "warm"] = {
            "ns": ns,
            "gbps": REDUCTION_BYTES / ns,
            "mode": mode,
        }
    _write(out, "reduction-flush.json", found)
    return "; ".join(f"{k} {v['gbps']:.0f} GB/s ({v['mode']})" for k, v in found.items())


def launch_bound(out: Path) -> str:
    """RNN and conv smoke cases: direct event time over summed kernel time."""
    import torch

    from harness import plan_suites
    from harness.plan import run_options
    from harness.timing import MultiLaunchKernel
    from schemas import DType, Profile, RunRequest, Suite

    device = f"cuda:{torch.cuda.current_device()}"
    request = RunRequest(
        suites=(Suite("rnn"), Suite("conv")),
        profile=Profile.SMOKE,
        device=device,
        dtypes=(DType.FP32,),
        seed=0,
        threads=1,
    )
    rows = []
    options = run_options(request)
    for plan in plan_suites(request):
        for case in plan.cases[:3]:
            prepared = plan.suite.prepare(case, options)
            kernel = prepared.kernel
            raw = kernel.call if isinstance(kernel, MultiLaunchKernel) else kernel  # no graph
            event_ns, _ = _events_median_ns_direct(raw)
            kernel_ns = _profiled_kernel_ns(raw, 5)
            ratio = event_ns / kernel_ns if kernel_ns else float("inf")
            rows.append({"case": case.label, "event_ns": event_ns, "kernel_ns": kernel_ns,
                         "ratio": ratio, "launch_bound": ratio > LAUNCH_BOUND_RATIO})  # fmt: skip
    _write(out, "launch-bound.json", rows)
    bound = [row["case"] for row in rows if row["launch_bound"]]
    return f"{len(rows)} cases; launch-bound (ratio > {LAUNCH_BOUND_RATIO}): {bound or 'none'}"


def _events_median_ns_direct(call: Callable[[], object]) -> tuple[float, str]:
    """Direct event timing only (no graph), so host dispatch shows in the ratio."""
    import torch

    from harness.cuda_clock import CudaEventClock, TorchCudaDevice
    from harness.timing import TimingPolicy, measure

    device = TorchCudaDevice(f"cuda:{torch.cuda.current_device()}")
    clock = CudaEventClock(device, graph_below_ns=0)
    timing = measure(call, TimingPolicy(budget_s=0.2), clock)
    return float(statistics.median(timing.samples_ns)), "direct"


def _kernelperf() -> list[str]:
    return [sys.executable, "-m", "kernelperf.cli"]


def smoke_all(out: Path) -> str:
    """Every compute suite at the smoke profile in every dtype on cuda, then validated."""
    bundles = out / "bundles"
    shutil.rmtree(bundles, ignore_errors=True)
    run = [*_kernelperf(), "run", "--suite", "all", "--profile", "smoke", "--dtype", "all"]
    run += ["--device", "cuda", "--out", str(bundles), "--time-budget", str(SMOKE_S - 30)]
    text = _command(run, SMOKE_S)
    text += _command([*_kernelperf(), "validate", str(bundles)], 60)
    _write(out, "smoke-all.txt", text)
    return _bundle_summary(bundles)


def _bundle_summary(bundles: Path) -> str:
    """Results, errors by kind, and modes seen across the bundles written."""
    results = errors = 0
    kinds: dict[str, int] = {}
    modes: dict[str, int] = {}
    for path in sorted(bundles.glob("*/result.json")):
        run = json.loads(path.read_text(encoding="utf-8"))
        results += len(run["results"])
        errors += len(run["errors"])
        for error in run["errors"]:
            kinds[str(error.get("kind"))] = kinds.get(str(error.get("kind")), 0) + 1
        for result in run["results"]:
            regime = result.get("regime") or {}
            key = f"{regime.get('mode')} x{regime.get('calls_per_sample')}"
            modes[key] = modes.get(key, 0) + 1
    return f"{results} results, {errors} errors {kinds}, modes {modes}"


def nccl_torchrun(out: Path) -> str:
    """A 1-rank NCCL all-reduce under torchrun, every warning an error."""
    bundles = out / "bundles-nccl"
    shutil.rmtree(bundles, ignore_errors=True)
    argv = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc-per-node", "1"]
    argv += ["-m", "kernelperf.cli", "run", "--suite", "allreduce", "--backend", "torch"]
    argv += ["--device", "cuda", "--profile", "smoke", "--dtype", "all", "--out", str(bundles)]
    text = _command(argv, NCCL_S, env={"PYTHONWARNINGS": "error"})
    _write(out, "nccl-torchrun.txt", text)
    return _bundle_summary(bundles) + " | " + _last_line(text)


def clocks_seen(out: Path) -> str:
    """The lowest SM clock and every throttle reason in the bundles' GPU states, and now."""
    from harness import nvml
    from harness.runner import gpu_state

    lowest: int | None = None
    reasons: set[str] = set()
    for path in sorted(out.glob("bundles*/*/result.json")):
        for result in json.loads(path.read_text(encoding="utf-8"))["results"]:
            states = result.get("gpu_state") or {}
            for reading in (states.get("before"), states.get("after")):
                if reading:
                    clock = int(reading["sm_clock_mhz"])
                    lowest = clock if lowest is None else min(lowest, clock)
                    reasons.update(reading["throttle_reasons"])
    now = gpu_state("cuda:0")
    _write(out, "clocks.json", {"lowest_sm_clock_mhz": lowest, "throttle_reasons": sorted(reasons),
                                "now": now.model_dump() if now else None,
                                "nvml": nvml.available()})  # fmt: skip
    return f"lowest SM clock {lowest} MHz; throttle reasons {sorted(reasons) or 'none'}"


STEPS = (
    Step("nvidia-smi -q and topology", nvidia_smi),
    Step("versions", versions),
    Step("pytest -m gpu", pytest_gpu),
    Step("clock cross-check, bf16 8192³ GEMM", clock_crosscheck),
    Step("cold vs warm tiny kernel", tiny_kernel),
    Step("16 MB reduction with and without the L2 flush", reduction_flush),
    Step("RNN and conv: event time / summed kernel time", launch_bound),
    Step("every suite, smoke profile, every dtype, on cuda", smoke_all),
    Step("1-rank NCCL all-reduce under torchrun, warnings as errors", nccl_torchrun),
    Step("lowest SM clock and throttle reasons seen", clocks_seen),
)


def has_gpu() -> bool:
    """torch sees a CUDA device."""
    try:
        import torch
    except ImportError:
        return False
    return bool(torch.cuda.is_available())


def run_check(out: Path, *, dry_run: bool, gpu: bool) -> Path:
    """Runs every step (or none, without a GPU) and writes OUT/REPORT.md; returns its path."""
    out.mkdir(parents=True, exist_ok=True)
    lines = ["# GPU check", ""]
    if dry_run or not gpu:
        reason = "dry run" if dry_run else "no GPU: torch sees no CUDA device"
        lines += [f"**{reason}** — nothing was measured. The steps a GPU run takes:", ""]
        lines += [f"- {step.title} (`{step.run.__name__}`)" for step in STEPS]
    else:
        started = time.monotonic()
        for step in STEPS:
            begun = time.monotonic()
            try:
                summary = step.run(out)
            except Exception as exc:  # a failed step is reported; the others still run
                summary = f"FAILED: {type(exc).__name__}: {exc}"
            lines += [f"## {step.title}", "", summary, f"({time.monotonic() - begun:.0f} s)", ""]
        lines.append(f"Total {time.monotonic() - started:.0f} s.")
    report = out / "REPORT.md"
    report.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return report


def main(argv: Sequence[str] | None = None) -> int:
    """Parses the options, runs the check, prints where the report is."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--dry-run", action="store_true", help="measure nothing; list the steps")
    args = parser.parse_args(argv)
    report = run_check(args.out, dry_run=args.dry_run, gpu=has_gpu())
    print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
