"""`kernelperf verify BUNDLE --pubkey PUB`: a reviewer's check of one bundle's signature."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Group, RenderableType
from rich.markup import escape
from rich.text import Text

from kernelperf import console
from schemas import SubmissionError, UsageError

if TYPE_CHECKING:
    from validator import SignatureCheck

# By the status's value: the packages that define the status are imported only when run.
STATUS_STYLE = {"signed": "kp.ok", "unsigned": "kp.fail", "bad": "kp.fail", "unverified": "kp.warn"}


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Adds the `verify` subcommand."""
    parser = subparsers.add_parser(
        "verify",
        help="check a bundle's signature against a public key",
        description="Check that a bundle (folder or .tar.gz) is signed by PUB, for exactly "
        "these files and this run. Exit 0 when signed, 1 otherwise.",
    )
    parser.add_argument("bundle", type=Path, metavar="BUNDLE", help="bundle folder or .tar.gz")
    parser.add_argument(
        "--pubkey", type=Path, required=True, metavar="PUB", help="the signer's public key"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    parser.set_defaults(handler=handle)


def check(bundle: Path, pubkey: Path) -> SignatureCheck:
    """The signature check of a bundle folder or archive; a bad key file is a usage error."""
    import attestation
    from validator import Finding, signature_check, unpacked

    try:
        public_key = attestation.read_public_key(pubkey)
    except SubmissionError as exc:
        raise UsageError(exc.what, where=exc.where, fix="pass a .pub file to --pubkey") from exc
    if not bundle.exists():
        raise UsageError("no such bundle", where=str(bundle), fix="check the path")
    if bundle.is_dir():
        return signature_check(attestation.verify_bundle(bundle, public_key))
    with unpacked(bundle, bundle.name) as root:
        if isinstance(root, Finding):
            raise UsageError(root.message, where=str(bundle), fix=root.fix)
        return signature_check(attestation.verify_bundle(root, public_key))


def render(bundle: Path, result: SignatureCheck) -> RenderableType:
    """`STATUS  bundle  keyid run`, then the findings, if any."""
    from validator import findings_table

    style = STATUS_STYLE[result.status]
    line = f"[{style}]{result.status.value.upper()}[/]  {escape(str(bundle))}"
    if result.status == "signed" and result.statement and result.keyid:
        line += f"  run {escape(result.statement.predicate.run_id)}, keyid {result.keyid[:16]}"
    parts: list[RenderableType] = [Text.from_markup(line)]
    if result.findings:
        parts.append(findings_table(list(result.findings), max_rows=25))
    return Group(*parts)


def handle(args: argparse.Namespace) -> int:
    """Prints the status (or JSON); 0 when the bundle is signed by the key, 1 otherwise."""
    result = check(args.bundle, args.pubkey)
    if args.json:
        print(result.model_dump_json(indent=2))
    else:
        console.stdout.print(render(args.bundle, result))
    return 0 if result.status == "signed" else 1
