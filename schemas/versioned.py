"""Makes `schema_version` a required key of every exported document schema.

The models give `schema_version` a default so that the harness never has to pass it; pydantic
leaves a defaulted field out of the JSON Schema's `required`, and a file without the key would
then validate and be read as the current version. Every document's config adds it back.
"""

from __future__ import annotations

from pydantic import ConfigDict
from pydantic.config import JsonDict


def require_schema_version(schema: JsonDict) -> None:
    """Lists `schema_version` first among the schema's required keys."""
    required = schema.get("required")
    names = required if isinstance(required, list) else []
    schema["required"] = ["schema_version", *(n for n in names if n != "schema_version")]


DOCUMENT = ConfigDict(frozen=True, extra="forbid", json_schema_extra=require_schema_version)
