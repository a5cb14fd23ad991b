"""Reproduction audits (issue 13): false alarms on honest bundles, detection of forged ones.

20 honest fp32 bundles and 6 bf16 ones are made, each in a fresh process (medians move about
±10% between processes here, and the audit must live with that); 20 forged bundles are made from
them the three ways of tests/harness/audit/forgeries.py (7 with the 5 fastest samples kept and 7
with samples x 0.7, from honest ones; 6 bf16 runs labelled fp32). Each audit round runs in a
process of its own. Each is audited with N = 10 natively, with the
open division's tolerance, and timed. Goals: false alarms <= 5%, detection >= 95%.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from rich.console import Console
from rich.table import Table

import harness.audit
from harness.probe import describe_system
from schemas import AuditVerdict, DType, KernelResult
from tests.harness.audit.forgeries import forge, keep_fastest, relabelled, scaled
from tests.harness.audit.quiet import Quiet

HONEST = int(os.environ.get("KP_BENCH_AUDIT_HONEST", "20"))
FORGED: tuple[tuple[str, Callable[[KernelResult], KernelResult], DType, int], ...] = (
    ("5 fastest kept", keep_fastest, DType.FP32, 7),
    ("samples x 0.7", scaled, DType.FP32, 7),
    ("bf16 labelled fp32", relabelled, DType.BF16, 6),
)
SAMPLE = 10
TOLERANCE = 0.2  # the open division's default (validator/rules/2026.1.json)
FAILING = {AuditVerdict.SLOWER, AuditVerdict.NOT_REPRODUCED}
REASONS: Counter[str] = Counter()
MAKE = "from tests.harness.audit.bundles import make_bundle; from schemas import DType; import sys;"


def fresh_bundle(out: Path, dtype: DType) -> Path:
    """A bundle made by its own process."""
    code = f"{MAKE} make_bundle(__import__('pathlib').Path(sys.argv[1]), DType('{dtype.value}'))"
    subprocess.run([sys.executable, "-c", code, str(out)], check=True)
    return out / "gemm"


def audit_fails(bundle: Path, out: Path, seed: int) -> tuple[bool, float]:
    """Whether the audit of `bundle` failed, and how long it took in seconds; a failed audit's
    verdicts are counted in REASONS."""
    started = time.perf_counter()
    target = harness.audit.read_target(bundle)
    audit = harness.audit.start_audit(
        target, sample_size=SAMPLE, seed=seed, tolerance=TOLERANCE, runtime="native"
    )
    auditor = describe_system(system_id="auditor-box", submitter="bench")
    done = harness.audit.run_audit(
        audit, target, out, auditor, harness.audit.fresh_process, Quiet()
    )
    if not done.passed:
        REASONS.update(
            f"{r.verdict.value} (ratio {r.ratio or 0:.2f}, {len(r.submitted_samples_ns)} samples)"
            for r in done.results
            if r.verdict in FAILING
        )
    return not done.passed, time.perf_counter() - started


def run(console: Console) -> None:
    """Makes the bundles, audits them all, prints both rates and the time of one audit."""
    load_start = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="kernelperf-audit-bench-") as folder:
        root = Path(folder)
        rows: list[tuple[str, int, int, list[float]]] = []
        alarms, seconds, honest = 0, [], []
        for index in range(HONEST):
            honest.append(fresh_bundle(root / f"honest{index}", DType.FP32))
            failed, took = audit_fails(honest[-1], root / f"audit-honest{index}", seed=index)
            alarms += failed
            seconds.append(took)
        rows.append(("honest", HONEST, alarms, seconds))
        honest_reasons = dict(REASONS)
        REASONS.clear()
        caught_all = 0
        sources = iter(honest)
        for name, change, dtype, count in FORGED:
            caught, times = 0, []
            for index in range(count):
                # fp32 forgeries start from the honest bundles (each made by its own process).
                made = root / f"{name}-src{index}"
                source = next(sources) if dtype is DType.FP32 else fresh_bundle(made, dtype)
                forged = forge(source, root / f"{name}-{index}", change)
                failed, took = audit_fails(forged, root / f"audit-{name}-{index}", seed=index)
                caught += failed
                times.append(took)
            caught_all += caught
            rows.append((name, count, caught, times))
    table = Table("bundles", "audited", "audit failed", "median s per audit (N = 10)")
    for name, count, failed, times in rows:
        table.add_row(name, str(count), str(failed), f"{statistics.median(times):.1f}")
    console.print(table)
    for reason, count in sorted(honest_reasons.items()):
        console.print(f"  false alarm: {count} x {reason}")
    forged = sum(count for _, _, _, count in FORGED)
    console.print(
        f"false alarms {alarms}/{HONEST} = {alarms / HONEST:.0%} (goal <= 5%); "
        f"detection {caught_all}/{forged} = {caught_all / forged:.0%} (goal >= 95%); "
        f"load average {load_start:.1f} → {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    )
