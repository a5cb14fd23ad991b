"""All-reduce: the harness's median beside a plain C `MPI_Allreduce` loop, side by side.

Targets (issue 16): latency <= 1.2 x C from 4 B up; busbw >= 0.98 x C from 64 KiB up; in and
out of place. `run` compiles `allreduce_loop.c` with the venv's `mpicc` into a temporary
directory and starts two ranks under the venv's `mpiexec`. In each rank, per size, mode and for
several interleaved rounds, the harness times the all-reduce as `kernelperf run` does (its
default loop: native where it builds, batched samples), then the C loop times the same
all-reduce per call with the harness's warm-up and sample count, then the harness's Python
fallback loop: one process, one MPI library, one communicator.
"""

from __future__ import annotations

import ctypes
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console
from rich.table import Table

RANKS = 2
SIZES_BYTES = (4, 8, 128, 2_048, 32_768, 65_536, 524_288, 4_194_304, 33_554_432)
LATENCY_BELOW_BYTES = 65_536
BUSBW_TARGET = 0.98
LATENCY_TARGET = 1.2
ROUNDS = 5
# Short rounds: the spread over interleaved rounds says more than one long round.
BUDGET_S = 0.2
SOURCE = Path(__file__).with_name("allreduce_loop.c")
BIN = Path(sys.executable).parent
REPO = Path(__file__).resolve().parents[2]


def run(console: Console) -> None:
    """Builds the C loop, runs both loops under mpiexec, prints one row per size."""
    with tempfile.TemporaryDirectory(prefix="kp-bench-allreduce-") as scratch:
        library = Path(scratch) / "liballreduce_loop.so"
        subprocess.run(
            [str(BIN / "mpicc"), "-O2", "-shared", "-fPIC", str(SOURCE), "-o", str(library)],
            check=True,
        )
        rows_path = Path(scratch) / "rows.json"
        worker = [sys.executable, "-m", __name__, str(library), str(rows_path)]
        subprocess.run(
            [str(BIN / "mpiexec"), "-n", str(RANKS), *worker],
            check=True,
            cwd=REPO,
            timeout=900,
        )
        rows = json.loads(rows_path.read_text(encoding="utf-8"))
    console.print(_table(rows))


def _table(rows: list[dict[str, Any]]) -> Table:
    """One row per size and mode: medians, the ratio with its spread over rounds, the verdict."""
    table = Table(
        "size",
        "mode",
        "harness µs",
        "C µs",
        "time ratio (spread)",
        "python loop ratio",
        "busbw GB/s",
        "busbw ratio",
        "method",
        "target",
        title=f"all-reduce: {RANKS} ranks, fp32; medians of {ROUNDS} paired rounds",
    )
    for row in rows:
        size = int(row["size_bytes"])
        if size < LATENCY_BELOW_BYTES:
            target, met = f"time <= {LATENCY_TARGET}", row["time_ratio"] <= LATENCY_TARGET
        else:
            target, met = f"busbw >= {BUSBW_TARGET}", row["busbw_ratio"] >= BUSBW_TARGET
        table.add_row(
            _bytes(size),
            "in place" if row["in_place"] else "out of place",
            f"{row['harness_ns'] / 1e3:.3f}",
            f"{row['c_ns'] / 1e3:.3f}",
            f"{row['time_ratio']:.2f} ({row['time_ratio_min']:.2f}-{row['time_ratio_max']:.2f})",
            f"{row['python_ratio']:.2f}",
            f"{row['harness_busbw_gbps']:.2f}",
            f"{row['busbw_ratio']:.3f}",
            f"{row['method']} k={row['calls_per_sample']:.0f}",
            f"[green]{target} ok[/]" if met else f"[bold red]{target} missed[/]",
        )
    return table


def _bytes(size: int) -> str:
    """8 B, 2 KiB, 32 MiB."""
    for unit, scale in (("MiB", 1 << 20), ("KiB", 1 << 10)):
        if size >= scale:
            return f"{size / scale:g} {unit}"
    return f"{size} B"


def _worker(library: Path, rows_path: Path) -> None:
    """One rank: the three loops per size and mode, interleaved; rank 0 writes the rows."""
    from harness.allreduce._measure import PythonBatches, measure_collective
    from harness.allreduce._mpi import MpiBackend
    from harness.allreduce._run import agreed_loop
    from harness.timing import TimingPolicy
    from schemas import CollectiveOptions, DType

    backend = MpiBackend()
    options = CollectiveOptions(backend="mpi", timeout_s=300)
    policy = TimingPolicy(warmup_s=0.05, min_samples=20, max_samples=20_000, budget_s=BUDGET_S)
    loop = ctypes.CDLL(str(library)).allreduce_loop
    loop.restype = ctypes.c_int
    loop.argtypes = [ctypes.c_void_p] * 2 + [ctypes.c_int] * 3 + [ctypes.c_void_p]
    rows = []
    for size_bytes in SIZES_BYTES:
        count = size_bytes // 4
        for in_place in (False, True):
            buffers = backend.buffers(count, DType.FP32, in_place=in_place)
            buffers.load(np.ones(count, np.uint8))
            native = agreed_loop(backend, buffers, options)
            python = PythonBatches(buffers.kernel())
            send, recv = np.ones(count, np.float32), np.zeros(count, np.float32)
            taken: dict[str, list[float]] = {"harness": [], "c": [], "python": []}
            for _ in range(ROUNDS):
                # The harness first, then C with the harness's warm-up and sample counts, then
                # the Python fallback; each warms its own buffers the same way.
                timing = measure_collective(
                    backend, native, policy, min_sample_ns=options.min_sample_us * 1e3
                )
                samples = np.zeros(len(timing.samples_ns), np.int64)
                status = loop(
                    None if in_place else send.ctypes.data,
                    recv.ctypes.data,
                    count,
                    timing.warmup_count,
                    samples.size,
                    samples.ctypes.data,
                )
                assert status == 0, f"MPI_Allreduce failed with code {status}"
                fallback = measure_collective(
                    backend, python, policy, min_sample_ns=options.min_sample_us * 1e3
                )
                taken["harness"].append(statistics.median(timing.samples_ns))
                taken["c"].append(float(np.median(samples)))
                taken["python"].append(statistics.median(fallback.samples_ns))
            rows.append(_row(size_bytes, in_place, taken, backend.size, timing))
    if backend.rank == 0:
        rows_path.write_text(json.dumps(rows), encoding="utf-8")


def _row(
    size_bytes: int, in_place: bool, taken: dict[str, list[float]], ranks: int, timing: Any
) -> dict[str, float | str]:
    """Medians and paired ratios: each round's pair ran back to back, cancelling slow drifts."""
    from schemas import bandwidths_gbps

    ratios = [h / c for h, c in zip(taken["harness"], taken["c"], strict=True)]
    python_ratios = [p / c for p, c in zip(taken["python"], taken["c"], strict=True)]
    ratio = statistics.median(ratios)
    harness_median, c_median = statistics.median(taken["harness"]), statistics.median(taken["c"])
    return {
        "size_bytes": size_bytes,
        "in_place": in_place,
        "harness_ns": harness_median,
        "c_ns": c_median,
        "time_ratio": ratio,
        "time_ratio_min": min(ratios),
        "time_ratio_max": max(ratios),
        "python_ratio": statistics.median(python_ratios),
        "harness_busbw_gbps": bandwidths_gbps(size_bytes, ranks, harness_median)[1],
        "busbw_ratio": 1 / ratio,
        "method": timing.method.loop.value,
        "calls_per_sample": timing.method.calls_per_sample,
    }


if __name__ == "__main__":
    _worker(Path(sys.argv[1]), Path(sys.argv[2]))
