"""Leaderboard site at scale: size, build time, and time until the first table is shown.

Two rounds, each validated with two worker processes, then built (`build`) and written as a site
(`write_site`) in this process:

- real: a round shaped like a real one (tests/validator/leaderboard/real_round.py: tens of
  submitters x five suites x every set, direction and precision, and DeepBench's round beside
  it); the targets (issue 16) apply to it: at most 20 MiB, built in at most 10 s;
- bench: the validator benchmark's 200 bundles x 250 results, whose site was 129 MiB when every
  row and plot mark was written into the pages.

Then headless Chromium opens the real site's index, its largest board page and a system page
from file:// and reads the marks assets/site.js writes into the page: when the first table was on
screen, and when the page was ready (sections from data files shown). They are milliseconds
since navigation under Chromium's virtual-time budget, which adds no waiting of its own here.
"""

from __future__ import annotations

import re
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from tests.bench.bench_validator import make_round
from tests.tools.chromium import ChromiumError, dump_dom, find_chromium
from tests.validator.leaderboard.real_round import make_real_round
from validator import validate
from validator.leaderboard import Leaderboard, build, bytes_text, write_site

TARGET_BYTES = 20 << 20
TARGET_BUILD_S = 10.0
JOBS = 2
_MARK = re.compile(r'data-(first-table|ready)-ms="([0-9.]+)"')


def site_row(name: str, round_root: Path, site: Path) -> tuple[list[str], Leaderboard]:
    """Validates, builds and writes one round's site; its table row and leaderboard."""
    started = time.perf_counter()
    report = validate(round_root, jobs=JOBS, cache_dir=None)
    validated_s = time.perf_counter() - started
    started = time.perf_counter()
    leaderboard = build(report)
    built_s = time.perf_counter() - started
    started = time.perf_counter()
    written = write_site(leaderboard, site)
    written_s = time.perf_counter() - started
    size = sum(map(len, written.values()))
    total_s = built_s + written_s
    ok = size <= TARGET_BYTES and total_s <= TARGET_BUILD_S
    verdict = ("[green]yes[/]" if ok else "[red]no[/]") if name == "real" else "[dim]-[/]"
    row = [
        name, str(leaderboard.counts.results), str(leaderboard.counts.systems),
        str(len(leaderboard.boards)), f"{validated_s:.1f}", f"{built_s:.1f}", f"{written_s:.1f}",
        bytes_text(size), str(len(written)), verdict,
    ]  # fmt: skip
    return row, leaderboard


def largest_board(leaderboard: Leaderboard) -> str:
    """The page of the board with the most result rows."""
    rows = {b.anchor: 0 for b in leaderboard.boards}
    for view in leaderboard.problems:
        rows[view.board] += len(view.results)
    return f"board-{max(rows, key=lambda anchor: rows[anchor])}.html"


def browser_table(leaderboard: Leaderboard, site: Path) -> Table:
    """Chromium's marks on three pages of the real site."""
    table = Table("page", "first table ms", "ready ms", "Chromium wall s")
    pages = ("index.html", largest_board(leaderboard), f"system-{leaderboard.systems[0].key}.html")
    for page in pages:
        started = time.perf_counter()
        marks = dict(_MARK.findall(dump_dom(site / page)))
        wall_s = time.perf_counter() - started
        table.add_row(page, marks.get("first-table", "-"), marks.get("ready", "-"), f"{wall_s:.1f}")
    return table


def run(console: Console) -> None:
    """Builds both sites, prints their sizes and times, then the browser's marks."""
    with tempfile.TemporaryDirectory(prefix="kernelperf-site-") as folder:
        root = Path(folder)
        table = Table(
            "round", "results", "systems", "boards", "validate s", "build s", "write s", "size",
            "files", f"<= {bytes_text(TARGET_BYTES)}, <= {TARGET_BUILD_S:.0f} s",
        )  # fmt: skip
        row, real = site_row("real", make_real_round(root / "real"), root / "real-site")
        table.add_row(*row)
        bench_row, _ = site_row("bench", make_round(root / "bench"), root / "bench-site")
        table.add_row(*bench_row)
        console.print(table)
        console.print(
            f"[dim]validated with {JOBS} worker processes; build s + write s is the site's "
            "build time; size is every file of the site[/]"
        )
        if find_chromium() is None:
            console.print("[yellow]no Chromium: `make browser` installs it[/]")
            return
        try:
            console.print(browser_table(real, root / "real-site"))
        except ChromiumError as exc:
            console.print(f"[red]Chromium failed: {exc}[/]")
