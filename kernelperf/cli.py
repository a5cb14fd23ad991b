"""Parses the command line and dispatches to one command module; prints errors, never tracebacks."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from types import ModuleType

from rich.markup import escape

from kernelperf import console
from kernelperf.commands import (
    cluster,
    container,
    keys,
    leaderboard,
    problems,
    run,
    sign,
    submit,
    system,
    validate,
    verify,
)
from schemas import KernelPerfError

# Each module adds its subcommand with `register(subparsers)`; the handler returns an exit code.
COMMANDS: tuple[ModuleType, ...] = (
    problems,
    run,
    system,
    validate,
    leaderboard,
    submit,
    keys,
    sign,
    verify,
    container,
    cluster,
)


def build_parser() -> argparse.ArgumentParser:
    """The whole argument parser, one subcommand per command module."""
    parser = argparse.ArgumentParser(
        prog="kernelperf",
        description="Benchmark deep-learning kernels, validate submissions, publish a leaderboard.",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in COMMANDS:
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Runs one command and returns its exit code: 0 ok, 1 findings or failure, 2 usage."""
    args = build_parser().parse_args(argv)
    try:
        code: int = args.handler(args)
    except KernelPerfError as exc:
        console.stderr.print(f"[kp.fail]error:[/] {escape(exc.what)}")
        if exc.where:
            console.stderr.print(f"  [kp.note]where:[/] {escape(exc.where)}")
        if exc.fix:
            console.stderr.print(f"  [kp.note]fix:[/] {escape(exc.fix)}")
        return exc.exit_code
    except KeyboardInterrupt:
        console.stderr.print("[kp.warn]interrupted[/]")
        return 130
    except BrokenPipeError:
        # The reader (`| head`) went away: stop quietly, and keep Python's exit-time flush from
        # writing into the closed pipe again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    return code


if __name__ == "__main__":
    sys.exit(main())
