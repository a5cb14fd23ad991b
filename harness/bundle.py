"""Writes a result bundle atomically: build it in a temporary sibling, then rename it into place.

A reader never sees a half-written bundle: either the old one, or the complete new one
(`schemas.atomic.atomic_folder`). The file names are `schemas.bundle_files`'. Every bundle's log
opens with the run request (`request_event`), which `--resume` reads back (harness/checkpoint.py).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path

from schemas import (
    LOG_NAME,
    MANIFEST_NAME,
    RESULT_NAME,
    SYSTEM_NAME,
    BundleError,
    RunRequest,
    RunResult,
    SystemDescription,
    manifest_of,
)
from schemas.atomic import OnExisting, atomic_folder

# The `event` of the log line that holds the request.
REQUEST_EVENT = "request"


def request_event(request: RunRequest) -> dict[str, object]:
    """The request as the log line every bundle starts with."""
    return {"event": REQUEST_EVENT, "request": request.model_dump(mode="json")}


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
    except OSError as exc:
        raise BundleError(
            f"cannot create the bundle directory: {exc.strerror}",
            where=str(target.parent),
            fix="choose an --out directory you can write to",
        ) from exc
    try:
        with atomic_folder(target, on_existing=OnExisting.REPLACE) as staging:
            (staging / RESULT_NAME).write_text(
                run.model_dump_json(indent=2) + "\n", encoding="utf-8"
            )
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
    except OSError as exc:
        raise BundleError(
            f"cannot write the bundle: {exc.strerror}",
            where=str(target),
            fix="check free disk space and permissions of the --out directory",
        ) from exc
    return target
