"""`kernelperf keys generate`: makes the Ed25519 key pair a submitter signs bundles with."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from rich.markup import escape

from kernelperf import console


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Adds the `keys` subcommand and its `generate` action."""
    parser = subparsers.add_parser(
        "keys",
        help="make a key pair for signing bundles",
        description="Manage the Ed25519 keys that sign result bundles.",
    )
    actions = parser.add_subparsers(dest="keys_action", required=True, metavar="ACTION")
    generate = actions.add_parser(
        "generate",
        help="write NAME.key (private, mode 0600) and NAME.pub (register it) into DIR",
        description="Make a new Ed25519 key pair. The private key is never printed; keep it "
        "secret. Register NAME.pub as submissions/<round>/keys/<submitter>.pub.",
    )
    generate.add_argument("--out", type=Path, required=True, metavar="DIR", help="key folder")
    generate.add_argument(
        "--name", default="kernelperf", metavar="NAME", help="file name stem (default: kernelperf)"
    )
    generate.add_argument("--json", action="store_true", help="print one JSON document")
    generate.set_defaults(handler=handle_generate)


def handle_generate(args: argparse.Namespace) -> int:
    """Writes the pair and prints where it went and its keyid, never the key itself."""
    import attestation

    pair = attestation.generate_key_pair(args.out, args.name)
    if args.json:
        document = {
            "private_key": str(pair.private_path),
            "public_key": str(pair.public_path),
            "keyid": pair.keyid,
        }
        print(json.dumps(document, indent=2))
        return 0
    console.stdout.print(f"[kp.key]private key[/] {escape(str(pair.private_path))} (keep secret)")
    console.stdout.print(f"[kp.key]public key[/]  {escape(str(pair.public_path))}")
    console.stdout.print(f"[kp.key]keyid[/]       {pair.keyid}")
    return 0
