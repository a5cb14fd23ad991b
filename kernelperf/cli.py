"""Parses the command line and dispatches to one command module; prints errors, never tracebacks.

Only the module of the command being run is imported: `kernelperf validate` must not pay for
torch (1 s, 250 MB) because `kernelperf run` needs it, and a reviewer's install has no torch at
all. `kernelperf --help` imports no command module; it lists the summaries kept in COMMANDS.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import import_module


@dataclass(frozen=True)
class Command:
    """A subcommand: the module whose `register(subparsers)` adds it, and its line in --help.

    `summary` repeats the `help=` the module registers, so that --help needs no import;
    tests/kernelperf/test_cli_lazy.py keeps the two equal.
    """

    name: str
    module: str
    summary: str


COMMANDS: tuple[Command, ...] = (
    Command(
        "problems",
        "kernelperf.commands.problems",
        "list DeepBench's problem sets (counts, or every problem with --json)",
    ),
    Command(
        "run", "kernelperf.commands.run", "measure compute suites and write one bundle per suite"
    ),
    Command(
        "system",
        "kernelperf.commands.system",
        "describe this machine as a bundle's system.json would",
    ),
    Command(
        "validate",
        "kernelperf.commands.validate",
        "check bundles or a submission round (schema, integrity, statistics, rules)",
    ),
    Command(
        "leaderboard",
        "kernelperf.commands.leaderboard",
        "rank a validated round: tables, Markdown, CSV, JSON or a static site",
    ),
    Command(
        "submit",
        "kernelperf.commands.submit",
        "copy bundles into a submission round and validate it",
    ),
    Command(
        "import",
        "kernelperf.commands.import_",
        "import published results (DeepBench's workbooks) as a historical round",
    ),
    Command("keys", "kernelperf.commands.keys", "make a key pair for signing bundles"),
    Command(
        "sign",
        "kernelperf.commands.sign",
        "sign a result bundle (in-toto statement in a DSSE envelope, Ed25519)",
    ),
    Command(
        "verify", "kernelperf.commands.verify", "check a bundle's signature against a public key"
    ),
    Command(
        "audit",
        "kernelperf.commands.audit",
        "re-measure a seeded sample of a submission and judge each result",
    ),
    Command(
        "container",
        "kernelperf.commands.container",
        "build the standard images and run the harness inside them",
    ),
    Command(
        "cluster",
        "kernelperf.commands.cluster",
        "containers as the nodes of a local cluster, for multi-node all-reduce",
    ),
)


def _named(argv: Sequence[str]) -> str | None:
    """The command `argv` names: its first word that is no option (the top level has only -h)."""
    return next((arg for arg in argv if not arg.startswith("-")), None)


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The argument parser, with in full only the command `argv` names (every one without argv).

    The other commands are stand-ins that carry their summary for --help and nothing else.
    """
    wanted = None if argv is None else _named(argv)
    parser = argparse.ArgumentParser(
        prog="kernelperf",
        description="Benchmark deep-learning kernels, validate submissions, publish a leaderboard.",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        if argv is None or command.name == wanted:
            import_module(command.module).register(subparsers)
        else:
            subparsers.add_parser(command.name, help=command.summary)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Runs one command and returns its exit code: 0 ok, 1 findings or failure, 2 usage."""
    arguments = sys.argv[1:] if argv is None else list(argv)
    args = build_parser(arguments).parse_args(arguments)
    # Only now: --help and usage errors load neither schemas with pydantic (80 ms here) nor rich.
    from rich.markup import escape

    from kernelperf import console
    from schemas import KernelPerfError

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
