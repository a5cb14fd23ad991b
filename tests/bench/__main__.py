"""Runs every benchmark section `tests/bench/bench_*.py` (or those named) and prints its table.

Each section module defines `run(console: rich.console.Console) -> None`.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys

from rich.console import Console

import tests.bench as package


def main(argv: list[str]) -> int:
    """Runs the named sections, or all of them, in name order."""
    # A log file or pipe gets the full table width rather than the 80-column fallback.
    console = Console() if sys.stdout.isatty() else Console(width=140)
    names = sorted(
        info.name
        for info in pkgutil.iter_modules(package.__path__)
        if info.name.startswith("bench_")
    )
    wanted = [n for n in names if not argv or n.removeprefix("bench_") in argv]
    for name in wanted:
        console.rule(f"[bold]{name.removeprefix('bench_')}")
        importlib.import_module(f"tests.bench.{name}").run(console)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
