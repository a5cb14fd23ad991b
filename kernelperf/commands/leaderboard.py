"""`kernelperf leaderboard DIR`: validates a round, scores it, and prints or publishes the result.

Formats: a rich table (default), Markdown, CSV, JSON (the canonical data every other format is
rendered from) and a static HTML site (`--format html --out DIR`). Nothing is overwritten
without --force.
"""

from __future__ import annotations

import argparse
import io
from pathlib import Path
from typing import Any

from rich.console import Console

from kernelperf import console
from kernelperf.commands.validate import run_validation
from schemas import UsageError
from validator.leaderboard import (
    FORMATS,
    VIEWS,
    Leaderboard,
    build,
    bytes_text,
    render_csv,
    render_json,
    render_markdown,
    render_rich,
    write_file,
    write_site,
)

TEXT_WIDTH = 160


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Adds the `leaderboard` subcommand."""
    parser = subparsers.add_parser(
        "leaderboard",
        help="rank a validated round: tables, Markdown, CSV, JSON or a static site",
        description="Validate the bundles under DIR (a round, or any folder of bundles), score "
        "them per suite, set and precision, and print or publish the leaderboard.",
    )
    parser.add_argument("path", type=Path, metavar="DIR", help="round or folder of bundles")
    parser.add_argument("--format", choices=FORMATS, default="table", help="default: table")
    parser.add_argument(
        "--out", type=Path, metavar="PATH", help="write here instead of stdout (html: a folder)"
    )
    parser.add_argument(
        "--view", choices=VIEWS, default="scores", help="what the text formats show"
    )
    parser.add_argument(
        "--select", metavar="GLOB", help="problem ids (problems view) or systems (systems view)"
    )
    parser.add_argument("--reference", metavar="SYSTEM_ID", help="normalise scores to it")
    parser.add_argument(
        "--compare", type=Path, metavar="ROUND", help="an earlier round: show each score's change"
    )
    parser.add_argument("--force", action="store_true", help="replace existing output")
    parser.add_argument("--json", action="store_true", help="same as --format json")
    parser.add_argument("--jobs", type=int, default=None, metavar="N", help="worker processes")
    parser.set_defaults(handler=handle)


def _checked(args: argparse.Namespace) -> str:
    """The output format, after the argument combinations that cannot work are refused."""
    fmt: str = "json" if args.json else args.format
    if fmt == "html" and args.out is None:
        raise UsageError(
            "the html format writes a folder", where="--format html", fix="add --out DIR"
        )
    if args.select and args.view == "scores":
        raise UsageError(
            "--select filters the problems and systems views",
            where="--select",
            fix="add --view problems or --view systems",
        )
    return fmt


def _table_text(leaderboard: Leaderboard, view: str, select: str | None) -> str:
    """The rich view as plain text, for --out."""
    sink = Console(
        file=io.StringIO(), theme=console.THEME, width=TEXT_WIDTH, color_system=None, record=True
    )
    sink.print(render_rich(leaderboard, view, select))
    return sink.export_text()


def _render(leaderboard: Leaderboard, fmt: str, view: str, select: str | None) -> str:
    if fmt == "md":
        return render_markdown(leaderboard, view, select)
    if fmt == "csv":
        return render_csv(leaderboard, view)
    if fmt == "json":
        return render_json(leaderboard)
    return _table_text(leaderboard, view, select)


def handle(args: argparse.Namespace) -> int:
    """Validates, builds the leaderboard and writes it in the chosen format; 0 on success."""
    fmt = _checked(args)
    report = run_validation(args.path, args.jobs, show_progress=True)
    previous = run_validation(args.compare, args.jobs, show_progress=True) if args.compare else None
    leaderboard = build(report, reference=args.reference, previous=previous)
    if fmt == "html":
        files = write_site(leaderboard, args.out, force=args.force)
        size = sum(map(len, files.values()))
        console.stderr.print(
            f"[kp.note]wrote[/] {args.out / 'index.html'} ({len(files)} files, {bytes_text(size)})"
        )
    elif args.out is not None:
        write_file(args.out, _render(leaderboard, fmt, args.view, args.select), force=args.force)
    elif fmt == "table":
        console.stdout.print(render_rich(leaderboard, args.view, args.select))
    else:
        print(_render(leaderboard, fmt, args.view, args.select), end="")
    return 0
