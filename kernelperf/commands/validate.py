"""`kernelperf validate PATH`: checks bundles and submissions; exit 0 clean, 1 findings, 2 usage."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, Literal

from rich.progress import Progress

from kernelperf import console
from validator import Report, render_report, validate, write_junit


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Adds the `validate` subcommand."""
    parser = subparsers.add_parser(
        "validate",
        help="check bundles or a submission round (schema, integrity, statistics, rules)",
        description="Validate a result bundle, a .tar.gz bundle, or any folder holding bundles.",
    )
    parser.add_argument("path", type=Path, metavar="PATH", help="bundle, archive or folder")
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    parser.add_argument("--junit", type=Path, metavar="FILE", help="also write JUnit XML here")
    parser.add_argument("--jobs", type=int, default=None, metavar="N", help="worker processes")
    parser.add_argument("--rows", type=int, default=25, metavar="N", help="findings to show")
    parser.add_argument(
        "--no-cache", action="store_true", help="re-check every bundle (no cache by file hash)"
    )
    parser.set_defaults(handler=handle)


def run_validation(
    path: Path, jobs: int | None, show_progress: bool, use_cache: bool = True
) -> Report:
    """Validates `path` with a transient progress bar on stderr."""
    cache_dir: Literal["default"] | None = "default" if use_cache else None
    if not show_progress:
        return validate(path, jobs=jobs, cache_dir=cache_dir)
    with Progress(console=console.stderr, transient=True) as progress:
        task = progress.add_task("validating", total=None)

        def advance(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        return validate(path, jobs=jobs, progress=advance, cache_dir=cache_dir)


def handle(args: argparse.Namespace) -> int:
    """Validates, prints the report (or JSON), writes JUnit if asked; 1 when any error is found."""
    report = run_validation(
        args.path, args.jobs, show_progress=not args.json, use_cache=not args.no_cache
    )
    if args.junit is not None:
        write_junit(report, args.junit)
    if args.json:
        print(report.model_dump_json(indent=2))
    else:
        console.stdout.print(render_report(report, max_rows=args.rows))
    return 0 if report.ok else 1
