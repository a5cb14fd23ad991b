"""`kernelperf audit BUNDLE_OR_SUBMISSION --sample N --seed S --out DIR`: a reproduction audit.

Draws N results by the published seed, re-runs exactly those with the submitted settings
(closed: in the image the bundle names, through `containers`; open: natively), compares and
judges each, and writes the audit bundle; `--key` signs it as the auditor. Ctrl-C leaves an audit
that `--resume DIR` finishes.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from kernelperf import console
from schemas import UsageError

if TYPE_CHECKING:
    import harness.audit
    from schemas import Audit, AuditedResult, ResultKey

STYLE = {
    "consistent": "kp.ok",
    "faster": "kp.note",
    "slower": "kp.fail",
    "not_reproduced": "kp.fail",
}


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Adds the `audit` subcommand."""
    parser = subparsers.add_parser(
        "audit",
        help="re-measure a seeded sample of a submission and judge each result",
        description="Draw N results of one submitted system by a published seed, re-run them "
        "with the same harness settings, and write a signed audit bundle.",
    )
    parser.add_argument("target", type=Path, nargs="?", metavar="BUNDLE_OR_SUBMISSION")
    parser.add_argument("--sample", type=int, default=10, metavar="N", help="results (10)")
    parser.add_argument("--seed", type=int, metavar="S", help="the published seed")
    parser.add_argument("--out", type=Path, metavar="DIR", help="where the audit bundle goes")
    parser.add_argument("--tolerance", type=float, metavar="T", help="default: the rules'")
    parser.add_argument("--resume", type=Path, metavar="DIR", help="finish an interrupted audit")
    parser.add_argument("--key", type=Path, metavar="KEY", help="the auditor's private key")
    parser.add_argument("--system-id", help="the auditing machine's id (default: hostname)")
    parser.add_argument("--auditor", default="auditor", help="who audits (system.json)")
    parser.add_argument("--json", action="store_true", help="print audit.json")
    parser.set_defaults(handler=handle)


class _Bar:
    """The audit's progress on stderr, with the time left."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.task = progress.add_task("auditing", total=None)

    def planned(self, total: int, done: int) -> None:
        self.progress.update(self.task, total=total, completed=done)

    def measured(self, key: ResultKey, round_index: int) -> None:
        label = f"round {round_index + 1}: {key.label}"
        self.progress.update(self.task, advance=1, description=label)

    def loaded(self, load_average: float, logical_cpus: int) -> None:
        self.progress.console.print(
            f"[kp.warn]warning:[/] load average {load_average:.1f} on {logical_cpus} CPUs: "
            "other work is running, and the noise floor will show it"
        )


def _in_image(image: str) -> harness.audit.Remeasure:
    """Re-runs each drawn result by the harness inside `image` (closed division): every result
    of every round is a container of its own, so the rounds are fresh processes too."""
    import containers
    import harness.audit

    settings = containers.RunSettings()

    def once(item: harness.audit.Drawn) -> harness.audit.Remeasured:
        with tempfile.TemporaryDirectory(prefix="kernelperf-audit-") as folder:
            out = Path(folder) / "out"
            args = harness.audit.rerun_args(item.bundle, item.key, out)
            code = containers.run_harness(image, args, settings=settings)
            if code != 0:
                error = f"the harness in {image} exited with {code}"
                return harness.audit.Remeasured(key=item.key, error=error)
            try:
                samples = harness.audit.samples_from(out, item.key)
            except RuntimeError as exc:
                return harness.audit.Remeasured(key=item.key, error=str(exc))
        return harness.audit.Remeasured(key=item.key, samples_ns=samples)

    def remeasure(drawn: Sequence[harness.audit.Drawn]) -> Iterator[harness.audit.Remeasured]:
        return (once(item) for item in drawn)

    return remeasure


def _image_of(target: harness.audit.Target) -> str:
    """The ID of the image a closed bundle ran in, present here; UsageError otherwise.

    By ID, not by name: a rebuilt image under the same tag holds another harness build, and the
    audit must re-run the one the bundle ran.
    """
    import containers

    container = target.system.container
    if container is None:
        raise UsageError(
            "the closed bundle records no container image to re-run it in",
            where=target.bundles[0].shown,
            fix="closed bundles run in the locked image; audit an open bundle natively",
        )
    with closing(containers.connect()) as client:
        present = containers.has_image(client, container.image_id)
    if not present:
        raise UsageError(
            f"the image the closed bundle ran in, {container.image} ({container.image_id}), "
            "is not on this machine",
            where=target.bundles[0].shown,
            fix="load the round's saved image (`docker load -i IMAGE.tar`) or pull it by its "
            "digest; a rebuilt image has another ID and is not the one the bundle ran in",
        )
    return container.image_id


def _start(args: argparse.Namespace) -> tuple[Audit, harness.audit.Target, Path]:
    import harness.audit
    import validator

    if args.target is None or args.seed is None or args.out is None:
        raise UsageError(
            "an audit needs a target, --seed and --out",
            fix="kernelperf audit BUNDLE --sample 10 --seed S --out DIR (or --resume DIR)",
        )
    if args.out.exists() and any(args.out.iterdir()):
        raise UsageError(
            "the --out folder is not empty",
            where=str(args.out),
            fix="choose a new folder, or --resume it",
        )
    target = harness.audit.read_target(args.target)
    run = target.bundles[0].run
    tolerance = args.tolerance or validator.audit_tolerance(run.rules_version, run.division.value)
    closed = run.division.value == "closed"
    audit = harness.audit.start_audit(
        target,
        sample_size=args.sample,
        seed=args.seed,
        tolerance=tolerance,
        runtime="container" if closed else "native",
        container=target.system.container if closed else None,
    )
    return audit, target, args.out


def handle(args: argparse.Namespace) -> int:
    """Runs (or resumes) the audit, signs it when a key is given, prints the verdicts."""
    import attestation
    import harness
    import harness.audit

    if args.resume is not None:
        audit, auditor = harness.audit.read_audit(args.resume)
        out = args.resume
        target = harness.audit.read_target(Path(audit.target))
    else:
        audit, target, out = _start(args)
        auditor = harness.describe_system(system_id=args.system_id, submitter=args.auditor)
    key = attestation.load_private_key(args.key) if args.key else None
    native = audit.runtime == "native"
    remeasure = harness.audit.fresh_process if native else _in_image(_image_of(target))
    try:
        with _progress() as progress:
            done = harness.audit.run_audit(audit, target, out, auditor, remeasure, _Bar(progress))
    except KeyboardInterrupt:
        again = f"kernelperf audit --resume {escape(str(out))}"
        console.stderr.print(f"[kp.warn]interrupted:[/] resume with `{again}`")
        return 130
    if key is not None:
        attestation.sign_audit(out, key)
    if args.json:
        print(json.dumps(done.model_dump(mode="json"), indent=2))
    else:
        console.stdout.print(_table(done))
        state = "[kp.ok]passed[/]" if done.passed else "[kp.fail]failed[/]"
        console.stdout.print(
            f"audit {state}: {len(done.results)} results, tolerance {done.tolerance:.0%}, "
            f"noise floor {done.noise_floor:.1%} between processes, load average "
            f"{done.load_average_start:.1f} → {done.load_average_end:.1f} on "
            f"{done.logical_cpus} CPUs; written to {escape(str(out))}"
        )
    return 0 if done.passed else 1


def _progress() -> Progress:
    """A transient bar on stderr with the count and the time left."""
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    return Progress(*columns, TimeRemainingColumn(), console=console.stderr, transient=True)


def _ratio_text(result: AuditedResult) -> str:
    """'1.03 [0.98, 1.08]', or why there is no ratio."""
    if result.ratio is None or result.ratio_low is None or result.ratio_high is None:
        return escape(result.audit_error or "-")
    return f"{result.ratio:.2f} [{result.ratio_low:.2f}, {result.ratio_high:.2f}]"


def _table(audit: Audit) -> Table:
    """One row per audited result: both medians, the ratio, the rank test, the verdict."""
    table = Table("result", "submitted", "audit", "audit/submitted [95%]", "p", "verdict")
    for r in audit.results:
        pooled = [s for x in r.audit_rounds_ns for s in x]
        audited = f"{statistics.median(pooled) / 1e3:.1f} µs" if pooled else "-"
        submitted = f"{statistics.median(r.submitted_samples_ns) / 1e3:.1f} µs"
        p = f"{r.mann_whitney_p:.3g}" if r.mann_whitney_p is not None else "-"
        verdict = f"[{STYLE[r.verdict.value]}]{r.verdict.value}[/]"
        table.add_row(r.key.label, submitted, audited, _ratio_text(r), p, verdict)
    return table
