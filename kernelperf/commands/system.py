"""`kernelperf system probe`: what the harness sees of this machine (the system.json it writes)."""

from __future__ import annotations

import argparse
from typing import Any

from rich.markup import escape
from rich.table import Table

from harness import describe_system
from kernelperf import console
from schemas import SystemDescription


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Adds the `system` subcommand and its `probe` action."""
    parser = subparsers.add_parser(
        "system",
        help="describe this machine as a bundle's system.json would",
        description="Probe this machine: CPU, memory, ISA, OS, torch, BLAS, GPUs, MPI, container.",
    )
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    probe = actions.add_parser("probe", help="print the system description")
    add_identity_arguments(probe)
    probe.add_argument("--json", action="store_true", help="print one JSON document")
    probe.set_defaults(handler=handle_probe)


def add_identity_arguments(parser: argparse.ArgumentParser) -> None:
    """--system-id and --submitter, shared with `kernelperf run`."""
    parser.add_argument(
        "--system-id", metavar="ID", help="short id of the system (default: the hostname)"
    )
    parser.add_argument(
        "--submitter", default="unsubmitted", metavar="ORG", help="organisation that submits"
    )


def system_table(system: SystemDescription) -> Table:
    """The description as two columns: what, and what was found."""
    table = Table("field", "value", title=f"system {system.system_id}", show_header=False)
    host, software = system.host, system.software
    rows = [
        ("submitter", system.submitter),
        ("cpu", f"{host.cpu_model}: {host.sockets} socket(s), {host.cores} cores, "
                f"{host.logical_cpus} logical CPUs"),
        ("memory", f"{(host.memory_bytes or 0) / 2**30:.1f} GiB"),
        ("isa", " ".join(host.isa_flags) or "-"),
        ("os", f"{software.os}, kernel {software.kernel}"),
        ("python", software.python),
        ("framework", software.framework),
        ("blas", software.blas or "-"),
        ("mpi", software.mpi_library or "-"),
    ]  # fmt: skip
    for accelerator in system.accelerators:
        rows.append(
            (
                "accelerator",
                f"{accelerator.count} x {accelerator.model}, "
                f"{(accelerator.memory_bytes or 0) / 2**30:.0f} GiB",
            )
        )
    if software.cuda:
        rows.append(("cuda", f"{software.cuda} (driver {software.driver or 'unknown'})"))
    if system.container is not None:
        rows.append(("container", f"{system.container.image} via {system.container.runtime}"))
    for name, value in rows:
        table.add_row(f"[kp.key]{name}[/]", escape(value))
    return table


def handle_probe(args: argparse.Namespace) -> int:
    """Probes and prints the description (JSON with --json)."""
    system = describe_system(system_id=args.system_id, submitter=args.submitter)
    if args.json:
        print(system.model_dump_json(indent=2))
    else:
        console.stdout.print(system_table(system))
    return 0
