"""Loads one bundle (folder or `.tar.gz`) and runs every per-bundle check on it.

Order matters: files are listed without following links, the three JSON documents are read once
(their bytes are both hashed and parsed, so what is checked is what was hashed), the manifest is
compared with the files, each document is validated against its JSON Schema, and only documents
that pass are parsed into models and given to the semantic checks.
"""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

from pydantic import BaseModel, ValidationError

from schemas import MANIFEST_NAME, Manifest, RunResult, SystemDescription, sha256_of
from validator.archive import ARCHIVE_SUFFIX, ArchiveLimits, unpacked
from validator.checks import BUNDLE_CHECKS
from validator.context import BundleContext
from validator.findings import Code, Finding, finding, relocated
from validator.jsonio import ParsedJson, read_json
from validator.layout import Location, locate
from validator.report import BundleReport, status_of
from validator.schema_check import check_schema, json_path

RESULT_NAME = "result.json"
SYSTEM_NAME = "system.json"
DOCUMENTS: dict[str, tuple[str, type[BaseModel]]] = {
    MANIFEST_NAME: ("manifest", Manifest),
    RESULT_NAME: ("result", RunResult),
    SYSTEM_NAME: ("system", SystemDescription),
}
# Files a manifest never lists: itself, and a detached signature of it.
UNLISTED = frozenset({MANIFEST_NAME, f"{MANIFEST_NAME}.sig"})


def is_bundle(path: Path) -> bool:
    """A folder holding a manifest, or a `.tar.gz` file."""
    if path.is_symlink():
        return False
    if path.is_file():
        return path.name.endswith(ARCHIVE_SUFFIX)
    return (path / MANIFEST_NAME).is_file()


def _walk(root: Path) -> tuple[dict[str, int], list[Finding]]:
    """Regular files under `root` (relative path to size); links and special files are findings."""
    sizes: dict[str, int] = {}
    found: list[Finding] = []
    for folder, dirnames, filenames in os.walk(root, followlinks=False):
        for name in [*dirnames, *filenames]:
            path = Path(folder, name)
            relative = path.relative_to(root).as_posix()
            mode = path.lstat().st_mode
            if stat.S_ISLNK(mode) or not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
                found.append(finding(Code.INTEGRITY_LINK, file=relative))
            elif stat.S_ISREG(mode):
                sizes[relative] = path.lstat().st_size
    return sizes, found


def _integrity(
    root: Path, sizes: dict[str, int], manifest: Manifest, read: dict[str, bytes]
) -> list[Finding]:
    """Every listed file present with its size and sha256; every present file listed."""
    found: list[Finding] = []
    listed: set[str] = set()
    for index, entry in enumerate(manifest.files):
        where = f"files[{index}]"
        if entry.path in listed:
            found.append(finding(Code.INTEGRITY_DUPLICATE, file=MANIFEST_NAME, json_path=where,
                                 found=entry.path))
            continue
        listed.add(entry.path)
        if entry.path not in sizes:
            found.append(finding(Code.INTEGRITY_MISSING, file=entry.path,
                                 message=f"{entry.path} is listed in the manifest but missing",
                                 expected=entry.sha256, found="absent"))
            continue
        if sizes[entry.path] != entry.size_bytes:
            found.append(finding(Code.INTEGRITY_SIZE, file=entry.path,
                                 expected=entry.size_bytes, found=sizes[entry.path]))
        raw = read.get(entry.path)
        digest = hashlib.sha256(raw).hexdigest() if raw is not None else sha256_of(root / entry.path)
        if digest != entry.sha256:
            found.append(finding(Code.INTEGRITY_HASH, file=entry.path,
                                 message=f"{entry.path} changed after the manifest was written",
                                 expected=entry.sha256, found=digest))
    for extra in sorted(set(sizes) - listed - UNLISTED):
        found.append(finding(Code.INTEGRITY_EXTRA, file=extra))
    return found


def _model(name: str, parsed: ParsedJson, found: list[Finding]) -> BaseModel | None:
    """The document's model if it passes its JSON Schema and the model; findings otherwise."""
    schema_name, model = DOCUMENTS[name]
    problems = check_schema(schema_name, parsed.value, name)
    if problems:
        found.extend(problems)
        return None
    try:
        return model.model_validate(parsed.value)
    except ValidationError as exc:
        found.extend(
            finding(Code.SCHEMA_MODEL, file=name, json_path=json_path(error["loc"]),
                    message=error["msg"], found=error.get("input"))
            for error in exc.errors(include_url=False)
        )
        return None


def _run_checks(ctx: BundleContext) -> list[Finding]:
    """Every semantic check; a check that raises becomes one KP-INTERNAL finding."""
    found: list[Finding] = []
    for name, check in BUNDLE_CHECKS:
        try:
            found.extend(check(ctx))
        except Exception as exc:  # noqa: BLE001 -- one broken check must not stop the round
            found.append(finding(Code.INTERNAL, message=f"check {name!r} failed: {exc!r}"))
    return found


def check_root(root: Path, display: str, location: Location | None) -> BundleReport:
    """All per-bundle findings of an unpacked bundle folder."""
    sizes, found = _walk(root)
    parsed: dict[str, ParsedJson] = {}
    for name in DOCUMENTS:
        if name not in sizes:
            found.append(finding(Code.BUNDLE_FILE_MISSING, file=name))
            continue
        document = read_json(root / name, name)
        if isinstance(document, Finding):
            found.append(document)
        else:
            parsed[name] = document
    models = {name: _model(name, document, found) for name, document in parsed.items()}
    manifest = models.get(MANIFEST_NAME)
    if isinstance(manifest, Manifest):
        raw = {name: document.raw for name, document in parsed.items()}
        found.extend(_integrity(root, sizes, manifest, raw))
    run, system = models.get(RESULT_NAME), models.get(SYSTEM_NAME)
    if isinstance(run, RunResult) and isinstance(system, SystemDescription) and manifest:
        ctx = BundleContext(root, display, run, system, manifest, location)
        found.extend(_run_checks(ctx))
    findings = tuple(relocated(f, display) for f in found)
    return BundleReport(
        path=display,
        status=status_of(findings),
        findings=findings,
        round=location.round if location else None,
        division=location.division if location else None,
        submitter=location.submitter if location else None,
        system_id=location.system_id if location else None,
        run=run if isinstance(run, RunResult) else None,
        system=system if isinstance(system, SystemDescription) else None,
    )


def load_bundle(
    path: Path, display: str | None = None, limits: ArchiveLimits | None = None
) -> BundleReport:
    """Loads and checks one bundle folder or `.tar.gz`; never raises for a broken bundle."""
    display = display or path.name
    location = locate(path)
    if path.is_file():
        with unpacked(path, display, limits) as root:
            if isinstance(root, Finding):
                return BundleReport(path=display, status=status_of((root,)), findings=(root,))
            return check_root(root, display, location)
    return check_root(path, display, location)
