"""Loads one bundle (folder or `.tar.gz`) and runs every per-bundle check on it.

The documents are read and checked by `validator._documents`; the semantic checks in
`validator.checks.BUNDLE_CHECKS` run only on documents that passed their schemas. The verdict is
cached by the hash of the bundle's files; the signature is checked every time.
"""

from __future__ import annotations

from pathlib import Path

from schemas import MANIFEST_NAME, RESULT_NAME, SYSTEM_NAME, Manifest, RunResult, SystemDescription
from validator._archive import ARCHIVE_SUFFIX, ArchiveLimits, unpacked
from validator._cache import CachedBundle, cache_key, load_cached, store_cached
from validator._context import BundleContext
from validator._documents import (
    check_documents,
    file_digests,
    read_documents,
    trusted_models,
    walk,
)
from validator._findings import Code, Finding, finding, relocated
from validator._layout import Location, locate
from validator._report import BundleReport, status_of
from validator.checks import BUNDLE_CHECKS
from validator.checks.signature import check_signature


def is_bundle(path: Path) -> bool:
    """A folder holding a manifest or a result (one without the other is a broken bundle, not
    no bundle), or a `.tar.gz` file."""
    if path.is_symlink():
        return False
    if path.is_file():
        return path.name.endswith(ARCHIVE_SUFFIX)
    return (path / MANIFEST_NAME).is_file() or (path / RESULT_NAME).is_file()


def _run_checks(ctx: BundleContext) -> list[Finding]:
    """Every semantic check; a check that raises becomes one KP-INTERNAL finding."""
    found: list[Finding] = []
    for name, check in BUNDLE_CHECKS:
        try:
            found.extend(check(ctx))
        except Exception as exc:  # one broken check must not stop the round
            found.append(finding(Code.INTERNAL, message=f"check {name!r} failed: {exc!r}"))
    return found


def _verdict(
    root: Path,
    display: str,
    location: Location | None,
    raw: dict[str, bytes],
    sizes: dict[str, int],
    digests: dict[str, str],
) -> tuple[CachedBundle, dict[str, object]]:
    """Schema, integrity and semantic findings of the documents, and their models."""
    models, found = check_documents(raw, sizes, digests)
    run, system, manifest = (models.get(n) for n in (RESULT_NAME, SYSTEM_NAME, MANIFEST_NAME))
    if (
        isinstance(run, RunResult)
        and isinstance(system, SystemDescription)
        and isinstance(manifest, Manifest)
    ):
        found.extend(_run_checks(BundleContext(root, display, run, system, manifest, location)))
    return CachedBundle(findings=tuple(found), parsed=tuple(sorted(models))), dict(models)


def check_root(
    root: Path, display: str, location: Location | None, cache_dir: Path | None = None
) -> BundleReport:
    """All per-bundle findings of an unpacked bundle folder."""
    sizes, found = walk(root)
    raw, missing = read_documents(root, sizes)
    found.extend(missing)
    digests = file_digests(root, sizes, raw)
    key = cache_key(digests, location.division if location else None)
    cached = load_cached(cache_dir, key)
    if cached is not None:
        models: dict[str, object] = dict(trusted_models(raw, cached.parsed))
    else:
        cached, models = _verdict(root, display, location, raw, sizes, digests)
        store_cached(cache_dir, key, cached)
    found.extend(cached.findings)
    run, system = models.get(RESULT_NAME), models.get(SYSTEM_NAME)
    run = run if isinstance(run, RunResult) else None
    try:
        signature: str | None
        signature, signature_findings = check_signature(root, location, run)
        found.extend(signature_findings)
    except Exception as exc:  # one broken check must not stop the round
        signature = None
        found.append(finding(Code.INTERNAL, message=f"check 'signature' failed: {exc!r}"))
    findings = tuple(relocated(f, display) for f in found)
    return BundleReport(
        path=display,
        status=status_of(findings),
        findings=findings,
        round=location.round if location else None,
        division=location.division if location else None,
        submitter=location.submitter if location else None,
        system_id=location.system_id if location else None,
        result_sha256=digests.get(RESULT_NAME),
        signature=signature,
        run=run,
        system=system if isinstance(system, SystemDescription) else None,
    )


def load_bundle(
    path: Path,
    display: str | None = None,
    limits: ArchiveLimits | None = None,
    cache_dir: Path | None = None,
) -> BundleReport:
    """Loads and checks one bundle folder or `.tar.gz`; never raises for a broken bundle."""
    display = display or path.name
    location = locate(path)
    if path.is_file():
        with unpacked(path, display, limits) as root:
            if isinstance(root, Finding):
                return BundleReport(path=display, status=status_of((root,)), findings=(root,))
            return check_root(root, display, location, cache_dir)
    return check_root(path, display, location, cache_dir)
