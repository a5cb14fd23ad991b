"""CLI start-up, side by side: `kernelperf --help` and `validate` beside `python -c pass`.

Every round starts each command once as a new process, interleaved, so that drift of the machine
hits them alike; the table shows the median wall time over ROUNDS, its ratio to a bare
interpreter, and the spread. Targets: --help under 0.3 s, validating the
reference round under 1 s. One untimed round first fills the validation cache (a temporary one)
and the page cache, as for a reviewer's second run; `--no-cache` shows the bundles checked anew.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.table import Table

REPO = Path(__file__).resolve().parents[2]
ROUND = "submissions/2026.1"
ROUNDS = 7


@dataclass(frozen=True)
class Contender:
    """A command line to start, and the most seconds its median may take (None: the baseline)."""

    label: str
    argv: tuple[str, ...]
    target_s: float | None


def contenders() -> tuple[Contender, ...]:
    """The baseline, then the CLI as `python -m kernelperf.cli` (what the console script runs)."""
    kernelperf = (sys.executable, "-m", "kernelperf.cli")
    return (
        Contender("python -c pass", (sys.executable, "-c", "pass"), None),
        Contender("kernelperf --help", (*kernelperf, "--help"), 0.3),
        Contender(f"kernelperf validate {ROUND}", (*kernelperf, "validate", ROUND), 1.0),
        Contender("  ... --no-cache", (*kernelperf, "validate", ROUND, "--no-cache"), 1.0),
    )


def start(argv: tuple[str, ...], env: dict[str, str]) -> float:
    """Wall seconds of one run; a failing command stops the section."""
    started = time.perf_counter()
    done = subprocess.run(
        argv, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False
    )
    wall_s = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} exited {done.returncode}")
    return wall_s


def run(console: Console) -> None:
    """Starts every contender ROUNDS times, interleaved, and prints medians beside the baseline."""
    chosen = contenders()
    with tempfile.TemporaryDirectory(prefix="kernelperf-bench-cache-") as cache:
        env = os.environ | {"KERNELPERF_CACHE_DIR": cache}
        for contender in chosen:
            start(contender.argv, env)
        walls: dict[str, list[float]] = {c.label: [] for c in chosen}
        for _ in range(ROUNDS):
            for contender in chosen:
                walls[contender.label].append(start(contender.argv, env))
    baseline_s = statistics.median(walls[chosen[0].label])
    table = Table("command", "median s", "x python", "spread", "target", "ok")
    for contender in chosen:
        median_s = statistics.median(walls[contender.label])
        spread = 50 * (max(walls[contender.label]) - min(walls[contender.label])) / median_s
        target, verdict = "-", "-"
        if contender.target_s is not None:
            target = f"< {contender.target_s:g} s"
            verdict = "[green]yes[/]" if median_s < contender.target_s else "[red]no[/]"
        table.add_row(
            contender.label, f"{median_s:.3f}", f"{median_s / baseline_s:.1f}",
            f"±{spread:.0f}%", target, verdict,
        )  # fmt: skip
    console.print(table)
    console.print(f"[dim]{ROUNDS} rounds, interleaved, each command a new process[/]")
