"""Exports the models as JSON Schema (draft 2020-12) files beside this module.

`python -m schemas.export` writes them; `--check` exits 1 when a checked-in file is stale.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from pydantic import BaseModel

from schemas.atomic import write_file_atomically
from schemas.attestation import Envelope, Statement
from schemas.audit import Audit
from schemas.manifest import Manifest
from schemas.problem import Problem
from schemas.request import RunRequest
from schemas.result import RunResult
from schemas.system import SystemDescription

SCHEMA_DIR = Path(__file__).resolve().parent
DIALECT = "https://json-schema.org/draft/2020-12/schema"
DOCUMENTS: dict[str, type[BaseModel]] = {
    "result": RunResult,
    "system": SystemDescription,
    "manifest": Manifest,
    "problem": Problem,
    "attestation": Envelope,
    "statement": Statement,
    "request": RunRequest,
    "audit": Audit,
}


def schema_path(name: str) -> Path:
    """Where the exported schema of document `name` lives."""
    return SCHEMA_DIR / f"{name}.schema.json"


def render(name: str) -> str:
    """The JSON Schema text of one document, stable byte for byte."""
    schema = DOCUMENTS[name].model_json_schema(mode="serialization")
    schema = {"$schema": DIALECT, "$id": f"https://kernelperf.org/schemas/{name}.schema.json"} | (
        schema
    )
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def stale_documents() -> list[str]:
    """Names of documents whose checked-in schema differs from the models."""
    stale = []
    for name in DOCUMENTS:
        path = schema_path(name)
        if not path.exists() or path.read_text(encoding="utf-8") != render(name):
            stale.append(name)
    return stale


def write_all() -> list[Path]:
    """Writes every schema atomically and returns the paths."""
    written = []
    for name in DOCUMENTS:
        path = schema_path(name)
        write_file_atomically(path, render(name))
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    """Entry point of `make schemas` (write) and the staleness check (`--check`)."""
    args = sys.argv[1:] if argv is None else argv
    if "--check" in args:
        stale = stale_documents()
        for name in stale:
            print(f"stale: {schema_path(name)} — run `make schemas`", file=sys.stderr)
        return 1 if stale else 0
    for path in write_all():
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
