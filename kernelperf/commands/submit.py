"""`kernelperf submit BUNDLE...`: places bundles into the submission layout, then validates it."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from kernelperf import console
from kernelperf.commands.validate import run_validation
from schemas import Division
from validator import Placement, place_bundles, render_report


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Adds the `submit` subcommand."""
    parser = subparsers.add_parser(
        "submit",
        help="copy bundles into a submission round and validate it",
        description="Place result bundles at <into>/<round>/<division>/<submitter>/results/"
        "<system_id>/<suite>/, declare the system if needed, and validate the submission.",
    )
    parser.add_argument("bundles", type=Path, nargs="+", metavar="BUNDLE", help="bundle or .tar.gz")
    parser.add_argument("--round", required=True, help="round name, e.g. 2026.1")
    parser.add_argument("--division", required=True, choices=[d.value for d in Division])
    parser.add_argument("--submitter", required=True, metavar="ORG", help="submitter folder name")
    parser.add_argument("--system-id", metavar="ID", help="default: the bundle's own system_id")
    parser.add_argument("--into", type=Path, default=Path("submissions"), metavar="DIR")
    parser.add_argument("--force", action="store_true", help="replace bundles of the same name")
    parser.add_argument("--json", action="store_true", help="print the validation as JSON")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Places every bundle, then validates the submitter's folder; 1 when it has findings."""
    placement = Placement(
        into=args.into, round=args.round, division=Division(args.division), submitter=args.submitter
    )
    placed = place_bundles(args.bundles, placement, args.system_id, force=args.force)
    for target in placed:
        console.stderr.print(f"[kp.note]placed[/] {target}")
    report = run_validation(placement.submitter_root, jobs=None, show_progress=not args.json)
    if args.json:
        print(report.model_dump_json(indent=2))
    else:
        console.stdout.print(render_report(report))
    return 0 if report.ok else 1
