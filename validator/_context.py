"""What every check of one bundle sees: the parsed documents and where they came from."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from schemas import Manifest, RunResult, SystemDescription
from validator._findings import Finding
from validator._layout import Location


@dataclass(frozen=True)
class BundleContext:
    """One bundle whose documents passed schema validation, ready for the semantic checks.

    `root` is the bundle folder on disk (a private temporary copy for a `.tar.gz`); it is valid only
    while the checks run. `location` is where the bundle sits in a submission, if it does.
    """

    root: Path
    display: str
    run: RunResult
    system: SystemDescription
    manifest: Manifest
    location: Location | None


BundleCheck = Callable[[BundleContext], Iterable[Finding]]
