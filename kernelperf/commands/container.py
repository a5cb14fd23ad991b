"""`kernelperf container build|run|lock`: the standard images, offline and hardened.

`containers` is imported where it is used; it loads the Docker SDK only when a name that needs
it is first used, so listing the image kinds for the parser stays light.
"""

from __future__ import annotations

import argparse
import json
import shlex
from dataclasses import asdict
from typing import Any

from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn

from kernelperf import console
from schemas import UsageError


def register(subparsers: Any) -> None:
    """Adds `container` and its actions."""
    import containers

    parser = subparsers.add_parser(
        "container",
        help="build the standard images and run the harness inside them",
        description="Build the official images offline and run the harness in them, hardened.",
    )
    actions = parser.add_subparsers(dest="container_action", required=True, metavar="ACTION")
    kinds = "{" + ",".join(containers.SPECS) + "}"

    build = actions.add_parser("build", help="build an image (base, wheelhouse, then docker)")
    build.add_argument("kind", metavar=kinds, help="which official image")
    build.add_argument("--rebuild", action="store_true", help="ignore Docker's layer cache")
    build.add_argument("--base", metavar="IMAGE", help="base image instead of the kind's default")
    build.add_argument("--json", action="store_true", help="print one JSON document")
    build.set_defaults(handler=_build)

    run = actions.add_parser(
        "run",
        help="run the harness in an image: container run cpu -- run --suite gemm --out DIR",
    )
    run.add_argument("image", metavar=kinds, help="an official kind, or a full image name")
    run.add_argument("--gpus", metavar="all|N", help="pass GPUs (NVIDIA Container Toolkit)")
    run.add_argument("--memory", metavar="SIZE", help="memory limit, e.g. 16g (default: 3/4)")
    run.add_argument("--pids-limit", type=int, default=4096, help="process limit (4096)")
    run.add_argument(
        "--launcher",
        metavar="CMD",
        default="",
        help="start kernelperf under this launcher inside the container, e.g. "
        "'torchrun --no-python --standalone --nproc-per-node 2'",
    )
    run.add_argument("harness_args", nargs=argparse.REMAINDER, help="-- then kernelperf's args")
    run.set_defaults(handler=_run)

    lock = actions.add_parser("lock", help="re-resolve an image's wheelhouse lock")
    lock.add_argument("kind", metavar=kinds, help="which official image")
    lock.set_defaults(handler=_lock)


def _build(args: argparse.Namespace) -> int:
    """Builds one image and reports its id, size and cache use."""
    import containers

    with _progress() as bar:
        task = bar.add_task("building", total=None)

        def update(text: str, done: int, total: int) -> None:
            bar.update(task, description=text, completed=done, total=total or None)

        report = containers.build_image(
            args.kind, rebuild=args.rebuild, base=args.base, progress=update
        )
    if args.json:
        document = {k: v for k, v in asdict(report).items() if k != "log"}
        console.stdout.print_json(json.dumps(document | {"cache_hit": report.cache_hit}))
        return 0
    console.stdout.print(
        f"[kp.ok]built[/] {report.image} ({report.image_id[:19]}), "
        f"{report.size_bytes / 1e9:.2f} GB in {report.seconds:.1f} s; "
        f"{report.steps_cached} steps from the cache, {report.steps_run} run",
        soft_wrap=True,
    )
    return 0


def _run(args: argparse.Namespace) -> int:
    """Runs the harness in the image and returns its exit code."""
    import containers

    harness_args = list(args.harness_args)
    if harness_args[:1] == ["--"]:
        harness_args = harness_args[1:]
    if not harness_args:
        raise UsageError(
            "no harness command given",
            fix="put kernelperf's arguments after `--`: container run cpu -- run --suite gemm "
            "--profile quick --out DIR",
        )
    image = args.image
    if "/" not in image and ":" not in image:
        image = containers.image_name(image)
    limits = {"memory": args.memory} if args.memory else {}
    settings = containers.RunSettings(gpus=args.gpus, pids_limit=args.pids_limit, **limits)
    launcher = shlex.split(args.launcher)
    return containers.run_harness(image, harness_args, settings=settings, launcher=launcher)


def _lock(args: argparse.Namespace) -> int:
    """Re-resolves and writes the lock of one image's wheelhouse."""
    import containers

    spec = containers.spec_for(args.kind)
    with _progress() as bar:
        bar.add_task(f"resolving the {spec.kind} wheelhouse", total=None)
        entries = containers.resolve_lock(spec)
    path = containers.write_lock(spec, entries)
    console.stdout.print(f"[kp.ok]locked[/] {len(entries)} wheels in {path}")
    return 0


def _progress() -> Progress:
    """A transient progress bar on stderr."""
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=console.stderr,
        transient=True,
    )
