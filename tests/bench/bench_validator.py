"""Validator speed: a round of 200 bundles x 250 results must validate in under 10 s on one core,
and ten times that round with two worker processes in time linear in its size (goal: 60 s here).

The round is generated in a temporary folder: one open-division submitter per 20 bundles, each
bundle a GEMM run of 250 results with 100 raw samples each, written by the harness's own bundle
writer. It is validated twice in one process: cold (nothing cached) and warm (the cache by file
hash), both with one worker process. Then the same round and one of 2,000 bundles are validated
cold with two worker processes; "linear" is the 10x round's time per bundle over the 1x round's.
"""

from __future__ import annotations

import tempfile
import time
from datetime import timedelta
from pathlib import Path

from rich.console import Console
from rich.table import Table

from harness.bundle import write_bundle
from schemas import Division, DType, Precision, Suite, load_problems
from tests.validator.conftest import FP32, kernel_result, run_result, system_description
from validator import validate

BUNDLES = 200
RESULTS = 250
SAMPLES = 100
BUNDLES_PER_SUBMITTER = 20
TARGET_S = 10.0
SCALE = 10
SCALED_JOBS = 2
SCALED_TARGET_S = 60.0
BF16 = Precision(input=DType.BF16, compute=DType.FP32, output=DType.BF16)


def make_round(root: Path, bundles: int = BUNDLES, results: int = RESULTS) -> Path:
    """Writes a clean open-division round of `bundles` bundles into `root`/2026.1."""
    problems = load_problems(Suite("gemm"))
    # Past the 248 GEMM problems the same problems return in bf16: one result per kernel.
    kernels = tuple(
        kernel_result(
            problems[i % len(problems)],
            seed=i,
            sample_count=SAMPLES,
            precision=FP32 if i < len(problems) else BF16,
        )
        for i in range(results)
    )
    # The run lasted at least as long as its samples and warm-ups (the time-accounting check).
    measured_ns = sum(sum(k.samples_ns) + k.warmup_count * k.stats.min_ns for k in kernels)
    started = run_result().started_utc
    finished = started + timedelta(seconds=measured_ns / 1e9 + 1)
    round_root = root / "2026.1"
    for index in range(bundles):
        # One system per bundle: two GEMM bundles of one system would measure the same kernels.
        system = system_description(system_id=f"cpu-{index:03d}")
        submitter_root = round_root / "open" / f"org{index // BUNDLES_PER_SUBMITTER:02d}"
        systems = submitter_root / "systems"
        if not systems.exists():
            systems.mkdir(parents=True)
            code = submitter_root / "code"
            code.mkdir()
            (code / "README.md").write_text("# Open submission\n\n## Changes\nnone\n\n## Why\n-\n")
        (systems / f"{system.system_id}.json").write_text(system.model_dump_json(indent=2))
        run = run_result(
            Suite("gemm"),
            count=0,
            run_id=f"run-{index:04d}",
            division=Division.OPEN,
            results=kernels,
            seed=index,
            finished_utc=finished,
        )
        target = submitter_root / "results" / system.system_id / "gemm" / f"bundle-{index:04d}"
        write_bundle(target, run, system)
    return round_root


def run(console: Console) -> None:
    """Generates the round, validates it cold and warm, and prints wall and CPU seconds."""
    with tempfile.TemporaryDirectory(prefix="kernelperf-bench-") as folder:
        started = time.perf_counter()
        round_root = make_round(Path(folder) / "round")
        generated_s = time.perf_counter() - started
        size_mb = sum(p.stat().st_size for p in round_root.rglob("*") if p.is_file()) / 1e6
        cache = Path(folder) / "cache"  # empty: the first run is cold, the second finds its work
        timings = []
        for label in ("cold", "warm"):
            started, cpu_started = time.perf_counter(), time.process_time()
            report = validate(round_root, jobs=1, cache_dir=cache)
            wall_s, cpu_s = time.perf_counter() - started, time.process_time() - cpu_started
            timings.append((label, wall_s, cpu_s, report))
    table = Table("run", "bundles", "results", "MB", "wall s", "CPU s", "target", "ok")
    for label, wall_s, cpu_s, report in timings:
        verdict = "[green]yes[/]" if wall_s < TARGET_S and report.ok else "[red]no[/]"
        table.add_row(
            label, str(report.counts["bundles"]), str(BUNDLES * RESULTS), f"{size_mb:.0f}",
            f"{wall_s:.2f}", f"{cpu_s:.2f}", f"< {TARGET_S:.0f}", verdict,
        )  # fmt: skip
    console.print(table)
    console.print(f"[dim]round generated in {generated_s:.1f} s; one worker process[/]")
    console.print(scaled_table())


def scaled_table() -> Table:
    """The round at 1x and SCALEx, cold, with SCALED_JOBS workers: seconds and linearity."""
    table = Table("bundles", "results", "wall s", "ms per bundle", "linear", "target", "ok")
    per_bundle_ms: list[float] = []
    for bundles in (BUNDLES, BUNDLES * SCALE):
        with tempfile.TemporaryDirectory(prefix="kernelperf-bench-") as folder:
            round_root = make_round(Path(folder) / "round", bundles=bundles)
            started = time.perf_counter()
            report = validate(round_root, jobs=SCALED_JOBS, cache_dir=None)
            wall_s = time.perf_counter() - started
        per_bundle_ms.append(wall_s * 1e3 / bundles)
        linear = per_bundle_ms[-1] / per_bundle_ms[0]
        scaled = bundles > BUNDLES
        ok = report.ok and (wall_s <= SCALED_TARGET_S if scaled else True)
        table.add_row(
            str(bundles), str(bundles * RESULTS), f"{wall_s:.1f}", f"{per_bundle_ms[-1]:.1f}",
            f"{linear:.2f}", f"<= {SCALED_TARGET_S:.0f} s" if scaled else "-",
            "[green]yes[/]" if ok else "[red]no[/]",
        )  # fmt: skip
    table.title = f"cold, {SCALED_JOBS} worker processes; linear: ms per bundle / the 1x round's"
    return table
