"""Places bundles into the submission layout, atomically and never over an existing one by default.

    <into>/<round>/<division>/<submitter>/results/<system_id>/<suite>/<bundle>[.tar.gz]
    <into>/<round>/<division>/<submitter>/systems/<system_id>.json   (written if absent)

A bundle is copied byte for byte (an archive stays an archive), so its manifest and signature
still hold; the suite and system come from the bundle itself, not from the command line.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from schemas import MANIFEST_NAME, Division, SubmissionError, SystemDescription, UsageError
from schemas.atomic import OnExisting, atomic_folder, write_file_atomically
from schemas.names import NAME_RULE, is_valid_name
from validator._archive import ARCHIVE_SUFFIX
from validator._bundle import is_bundle, load_bundle
from validator._layout import RESULTS_DIR, SYSTEMS_DIR, bundle_name


@dataclass(frozen=True)
class Placement:
    """Where a submission's files go."""

    into: Path
    round: str
    division: Division
    submitter: str

    @property
    def submitter_root(self) -> Path:
        """`<into>/<round>/<division>/<submitter>`."""
        return self.into / self.round / self.division.value / self.submitter


def _checked_name(kind: str, name: str) -> str:
    if not is_valid_name(name):
        raise UsageError(f"{kind} {name!r} is not a valid name", fix=NAME_RULE)
    return name


def _copy_into_place(source: Path, target: Path, force: bool) -> None:
    """Copies a bundle folder or archive to `target` atomically, byte for byte."""
    if target.exists() and not force:
        raise SubmissionError(
            "a bundle of that name is already submitted",
            where=str(target),
            fix="pass --force to replace it, or rename the bundle",
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    if source.is_dir():
        policy = OnExisting.REPLACE if force else OnExisting.REFUSE
        with atomic_folder(target, on_existing=policy) as staging:
            shutil.copytree(source, staging, symlinks=True, dirs_exist_ok=True)
    else:
        write_file_atomically(target, source.read_bytes())


def place_bundle(
    source: Path, placement: Placement, system_id: str | None, force: bool = False
) -> Path:
    """Copies one bundle into the layout and declares its system if undeclared; returns the target.

    Raises UsageError for a path that is not a bundle or names that do not fit, and
    SubmissionError when the bundle cannot be read or the target exists (without `force`).
    """
    if not source.exists() or not is_bundle(source):
        raise UsageError(
            "not a bundle",
            where=str(source),
            fix=f"give a bundle folder (with {MANIFEST_NAME}) or a {ARCHIVE_SUFFIX} of one",
        )
    report = load_bundle(source)
    if report.run is None or report.system is None:
        raise SubmissionError(
            "the bundle's result.json or system.json cannot be read",
            where=str(source),
            fix=f"run `kernelperf validate {source}` to see why",
        )
    system: SystemDescription = report.system
    wanted = system_id or system.system_id
    if wanted != system.system_id:
        raise UsageError(
            f"the bundle ran on system {system.system_id!r}, not {wanted!r}",
            where=str(source),
            fix=f"pass --system-id {system.system_id} or submit the bundle of that system",
        )
    _checked_name("system id", wanted)
    name = _checked_name("bundle name", bundle_name(source))
    suffix = ARCHIVE_SUFFIX if source.is_file() else ""
    results = placement.submitter_root / RESULTS_DIR / wanted / report.run.suite.value
    target = results / f"{name}{suffix}"
    try:
        _copy_into_place(source, target, force)
        declared = placement.submitter_root / SYSTEMS_DIR / f"{wanted}.json"
        if not declared.exists():
            declared.parent.mkdir(parents=True, exist_ok=True)
            write_file_atomically(declared, system.model_dump_json(indent=2) + "\n")
    except OSError as exc:
        raise SubmissionError(
            f"cannot write the submission: {exc.strerror}",
            where=str(target),
            fix="check permissions and free space of --into",
        ) from exc
    return target


def place_bundles(
    sources: Sequence[Path], placement: Placement, system_id: str | None, force: bool = False
) -> list[Path]:
    """Places every bundle; names are checked first so a bad name writes nothing."""
    _checked_name("round", placement.round)
    _checked_name("submitter", placement.submitter)
    return [place_bundle(source, placement, system_id, force) for source in sources]
