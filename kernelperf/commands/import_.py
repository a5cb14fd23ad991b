"""`kernelperf import deepbench WORKBOOK... --round R --into DIR`: published results as bundles.

A publisher's tool: it needs the `publisher` extra (python-calamine) that a reviewer's install
lacks, and imports it only when it runs. The import report goes to stdout (rich tables, or one
JSON document with --json); nothing is written when any workbook cannot be read.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from kernelperf import console

SOURCES = ("deepbench",)


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Adds the `import` subcommand."""
    parser = subparsers.add_parser(
        "import",
        help="import published results (DeepBench's workbooks) as a historical round",
        description="Read DeepBench's published result workbooks and write one bundle per "
        "(workbook, result sheet, suite) into the historical division of a round.",
    )
    parser.add_argument("source", choices=SOURCES, help="whose published results")
    parser.add_argument("workbooks", nargs="+", type=Path, metavar="WORKBOOK", help=".xlsx files")
    parser.add_argument("--round", required=True, metavar="NAME", help="e.g. deepbench-2019")
    parser.add_argument(
        "--into", type=Path, default=Path("submissions"), metavar="DIR", help="default: submissions"
    )
    parser.add_argument("--unmatched", action="store_true", help="also list every unmatched row")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Imports the workbooks and prints the import report; 0 on success."""
    from validator import import_table, import_workbooks, unmatched_table

    command = ("kernelperf", *sys.argv[1:]) if sys.argv[1:2] == ["import"] else ("kernelperf",)
    report = import_workbooks(list(args.workbooks), args.round, args.into, command)
    if args.json:
        print(report.model_dump_json(indent=2))
        return 0
    console.stdout.print(import_table(report))
    if args.unmatched:
        console.stdout.print(unmatched_table(report))
    console.stderr.print(
        f"[kp.note]wrote[/] {report.results} published results into {args.into / args.round}"
    )
    return 0
