"""The registry of suites: every sub-package of this folder is one suite, found by its `SPEC`.

Adding a suite adds a folder here (its params model, `SPEC` and problems.csv; see spec.py and
docs/ADDING_A_SUITE.md) and nothing else: `Suite` accepts the folder's name, the params union of
`Problem` includes its model, and the exported JSON Schemas list both.
"""

from __future__ import annotations

import pkgutil
from functools import cache
from importlib import import_module
from typing import Any

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, core_schema

from schemas.suites.spec import SuiteParams, SuiteSpec

__all__ = ["Suite", "SuiteParams", "SuiteSpec", "names", "specs"]


@cache
def specs() -> tuple[SuiteSpec, ...]:
    """Every suite's spec in listing order, imported from the sub-packages of this folder."""
    found = []
    for info in pkgutil.iter_modules(__path__):
        if not info.ispkg:
            continue
        spec = getattr(import_module(f"{__name__}.{info.name}"), "SPEC", None)
        if not isinstance(spec, SuiteSpec):
            raise TypeError(f"schemas/suites/{info.name}/__init__.py must define SPEC: SuiteSpec")
        kind = spec.params.model_fields["kind"].default
        if spec.name != info.name or kind != info.name:
            raise ValueError(
                f"schemas/suites/{info.name}: SPEC.name ({spec.name}) and the params' kind "
                f"({kind}) must both be the folder's name"
            )
        found.append(spec)
    return tuple(sorted(found, key=lambda s: (s.position, s.name)))


@cache
def _by_name() -> dict[str, SuiteSpec]:
    return {spec.name: spec for spec in specs()}


def names() -> tuple[str, ...]:
    """Every suite's name in listing order: the choices of `--suite`, the schemas' enum."""
    return tuple(_by_name())


_INSTANCES: dict[str, Suite] = {}


class Suite(str):
    """The name of a suite, checked against the registry: `Suite("gemm")`, not a closed enum.

    It behaves as the enums of schemas.enums do, so code reads the same for every name type: a
    name no folder defines raises ValueError (pydantic reports a validation error), there is one
    instance per name (`is` compares), and `.value` is the plain name documents store.
    """

    __slots__ = ()

    def __new__(cls, name: str) -> Suite:
        """The suite called `name`; ValueError when no folder under schemas/suites defines it."""
        known = _INSTANCES.get(name)
        if known is None:
            if name not in _by_name():
                raise ValueError(f"{name!r} is not a suite; known suites: {', '.join(names())}")
            known = _INSTANCES[name] = super().__new__(cls, name)
        return known

    @property
    def value(self) -> str:
        """The plain name, e.g. 'gemm'."""
        return str(self)

    @property
    def spec(self) -> SuiteSpec:
        """Everything that defines this suite."""
        return _by_name()[self]

    @classmethod
    def all(cls) -> tuple[Suite, ...]:
        """Every suite, in listing order."""
        return tuple(cls(name) for name in names())

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: type[Any], handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        """A string, made a `Suite` (and so checked) after pydantic has read it."""
        return core_schema.no_info_after_validator_function(
            cls, core_schema.str_schema(), ref="Suite"
        )

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        """An enum of the registered names, so readers without our code still check them."""
        return {
            "description": "A family of kernels, defined by its folder under schemas/suites.",
            "enum": list(names()),
            "title": "Suite",
            "type": "string",
        }
