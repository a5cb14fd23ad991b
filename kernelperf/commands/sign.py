"""`kernelperf sign BUNDLE --key KEY`: writes the signed attestation beside the manifest."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from rich.markup import escape

from kernelperf import console


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Adds the `sign` subcommand."""
    parser = subparsers.add_parser(
        "sign",
        help="sign a result bundle (in-toto statement in a DSSE envelope, Ed25519)",
        description="Sign a bundle folder: every file, the run id and the system fingerprint "
        "go into attestation.dsse.json beside MANIFEST.json.",
    )
    parser.add_argument("bundle", type=Path, metavar="BUNDLE", help="bundle folder")
    parser.add_argument(
        "--key", type=Path, required=True, metavar="KEY", help="private key (NAME.key)"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Signs the bundle and prints the attestation's path and the signing keyid."""
    import attestation

    private_key = attestation.load_private_key(args.key)
    if attestation.readable_by_others(args.key):
        console.stderr.print(
            f"[kp.warn]warning:[/] {escape(str(args.key))} is readable by others; `chmod 600` it"
        )
    signed = attestation.sign_bundle(args.bundle, private_key)
    if args.json:
        document = {
            "bundle": str(args.bundle),
            "attestation": str(signed.attestation_path),
            "keyid": signed.keyid,
            "run_id": signed.statement.predicate.run_id,
            "subjects": len(signed.statement.subject),
        }
        print(json.dumps(document, indent=2))
        return 0
    console.stdout.print(
        f"[kp.ok]signed[/] {escape(str(signed.attestation_path))}: "
        f"{len(signed.statement.subject)} files, keyid {signed.keyid[:16]}"
    )
    return 0
