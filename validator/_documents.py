"""The files of one bundle: listed without following links, read once, hashed, parsed, checked
against the manifest and the JSON Schemas, and turned into models.

The bytes that are hashed are the bytes that are parsed, so what is checked is what was hashed.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from pathlib import Path

from pydantic import BaseModel, ValidationError

from schemas import (
    ATTESTATION_NAME,
    MANIFEST_NAME,
    RESULT_NAME,
    SYSTEM_NAME,
    Manifest,
    RunResult,
    SystemDescription,
    sha256_of,
)
from validator._findings import Code, Finding, finding
from validator._jsonio import parse_json_bytes, read_limited
from validator._schema_check import check_schema, json_path

DOCUMENTS: dict[str, tuple[str, type[BaseModel]]] = {
    MANIFEST_NAME: ("manifest", Manifest),
    RESULT_NAME: ("result", RunResult),
    SYSTEM_NAME: ("system", SystemDescription),
}
# Files a manifest never lists: itself, and the signature of the bundle (it signs the manifest).
UNLISTED = frozenset({MANIFEST_NAME, ATTESTATION_NAME})


def walk(root: Path) -> tuple[dict[str, int], list[Finding]]:
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


def integrity(sizes: dict[str, int], manifest: Manifest, digests: dict[str, str]) -> list[Finding]:
    """Every listed file present with its size and sha256; every present file listed."""
    found: list[Finding] = []
    listed: set[str] = set()
    for index, entry in enumerate(manifest.files):
        where = f"files[{index}]"
        if entry.path in listed:
            found.append(
                finding(
                    Code.INTEGRITY_DUPLICATE, file=MANIFEST_NAME, json_path=where, found=entry.path
                )
            )
            continue
        listed.add(entry.path)
        if entry.path not in sizes:
            found.append(
                finding(
                    Code.INTEGRITY_MISSING,
                    file=entry.path,
                    message=f"{entry.path} is listed in the manifest but missing",
                    expected=entry.sha256,
                    found="absent",
                )
            )
            continue
        if sizes[entry.path] != entry.size_bytes:
            found.append(
                finding(
                    Code.INTEGRITY_SIZE,
                    file=entry.path,
                    expected=entry.size_bytes,
                    found=sizes[entry.path],
                )
            )
        digest = digests[entry.path]
        if digest != entry.sha256:
            found.append(
                finding(
                    Code.INTEGRITY_HASH,
                    file=entry.path,
                    message=f"{entry.path} changed after the manifest was written",
                    expected=entry.sha256,
                    found=digest,
                )
            )
    for extra in sorted(set(sizes) - listed - UNLISTED):
        found.append(finding(Code.INTEGRITY_EXTRA, file=extra))
    return found


def _model(name: str, raw: bytes, found: list[Finding]) -> BaseModel | None:
    """The document's model if it is strict JSON and passes its schema and model."""
    value = parse_json_bytes(raw, name)
    if isinstance(value, Finding):
        found.append(value)
        return None
    schema_name, model = DOCUMENTS[name]
    problems = check_schema(schema_name, value, name)
    if problems:
        found.extend(problems)
        return None
    try:
        return model.model_validate(value)
    except ValidationError as exc:
        found.extend(
            finding(
                Code.SCHEMA_MODEL,
                file=name,
                json_path=json_path(error["loc"]),
                message=error["msg"],
                found=error.get("input"),
            )
            for error in exc.errors(include_url=False)
        )
        return None


def read_documents(root: Path, sizes: dict[str, int]) -> tuple[dict[str, bytes], list[Finding]]:
    """The raw bytes of each JSON document present (size-limited), and findings for the rest."""
    raw: dict[str, bytes] = {}
    found: list[Finding] = []
    for name in DOCUMENTS:
        if name not in sizes:
            found.append(finding(Code.BUNDLE_FILE_MISSING, file=name))
            continue
        content = read_limited(root / name, name)
        if isinstance(content, Finding):
            found.append(content)
        else:
            raw[name] = content
    return raw, found


def file_digests(root: Path, sizes: dict[str, int], raw: dict[str, bytes]) -> dict[str, str]:
    """sha256 of every regular file, reusing the bytes already read for the documents."""
    return {
        name: hashlib.sha256(raw[name]).hexdigest() if name in raw else sha256_of(root / name)
        for name in sizes
    }


def check_documents(
    raw: dict[str, bytes], sizes: dict[str, int], digests: dict[str, str]
) -> tuple[dict[str, BaseModel], list[Finding]]:
    """Schema, model and manifest integrity of the documents; the models that passed."""
    found: list[Finding] = []
    models = {name: model for name in raw if (model := _model(name, raw[name], found)) is not None}
    manifest = models.get(MANIFEST_NAME)
    if isinstance(manifest, Manifest):
        found.extend(integrity(sizes, manifest, digests))
    return models, found


def trusted_models(raw: dict[str, bytes], names: tuple[str, ...]) -> dict[str, BaseModel]:
    """Models of documents that passed every check before (their hash is in the cache)."""
    # json + model_validate is twice as fast as model_validate_json on these documents.
    return {
        name: DOCUMENTS[name][1].model_validate(json.loads(raw[name]))
        for name in names
        if name in raw
    }
