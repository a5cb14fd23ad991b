"""Writes a result bundle atomically: build it in a temporary sibling, then rename it into place.

A reader never sees a half-written bundle: either the old one, or the complete new one.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path

from schemas import MANIFEST_NAME, BundleError, RunResult, SystemDescription, manifest_of

RESULT_NAME = "result.json"
SYSTEM_NAME = "system.json"
LOG_NAME = "logs/harness.jsonl"


def write_bundle(
    target: Path,
    run: RunResult,
    system: SystemDescription,
    events: Iterable[Mapping[str, object]] = (),
) -> Path:
    """Writes result.json, system.json, logs/ and MANIFEST.json into `target`, replacing it."""
    target = target.resolve()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    except OSError as exc:
        raise BundleError(
            f"cannot create the bundle directory: {exc.strerror}",
            where=str(target.parent),
            fix="choose an --out directory you can write to",
        ) from exc
    try:
        (staging / RESULT_NAME).write_text(run.model_dump_json(indent=2) + "\n", encoding="utf-8")
        (staging / SYSTEM_NAME).write_text(
            system.model_dump_json(indent=2) + "\n", encoding="utf-8"
        )
        log_path = staging / LOG_NAME
        log_path.parent.mkdir()
        log_path.write_text(
            "".join(json.dumps(event, sort_keys=True, default=str) + "\n" for event in events),
            encoding="utf-8",
        )
        manifest = manifest_of(staging)
        (staging / MANIFEST_NAME).write_text(
            manifest.model_dump_json(indent=2) + "\n", encoding="utf-8"
        )
        _swap_into_place(staging, target)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise BundleError(
            f"cannot write the bundle: {exc.strerror}",
            where=str(target),
            fix="check free disk space and permissions of the --out directory",
        ) from exc
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target


def _swap_into_place(staging: Path, target: Path) -> None:
    """Renames `staging` to `target`; an existing bundle is moved aside first, then removed."""
    if not target.exists():
        staging.rename(target)
        return
    retired = Path(tempfile.mkdtemp(prefix=f".{target.name}.old.", dir=target.parent))
    retired.rmdir()
    target.rename(retired)
    staging.rename(target)
    shutil.rmtree(retired, ignore_errors=True)
