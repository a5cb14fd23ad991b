"""The checked-in JSON Schema files match the pydantic models (`make schemas` regenerates them)."""

from __future__ import annotations

from schemas.export import stale_documents


def test_exported_schemas_are_not_stale() -> None:
    assert stale_documents() == [], "run `make schemas` and commit the *.schema.json files"
