"""What a suite folder under schemas/suites defines: its parameters model and its `SuiteSpec`.

Each folder's `__init__.py` subclasses `SuiteParams` and exposes one `SPEC`; the registry in
schemas/suites/__init__.py finds it there, and nothing else has to name the suite.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict

from schemas.enums import Direction, DType, Profile

FROZEN = ConfigDict(frozen=True, extra="forbid")


class SuiteParams(BaseModel):
    """The full parameters of one problem; each suite's model narrows `kind` to its own name.

    The formulas live beside the fields so that the harness (which reports TFLOP/s) and the
    validator (which re-derives them) cannot disagree.
    """

    model_config = FROZEN
    kind: str

    @abstractmethod
    def flops(self) -> int:
        """Logical FLOPs of one call in any direction; 0 for a suite scored by bandwidth."""

    @abstractmethod
    def reduction_length(self, direction: Direction = Direction.FWD) -> int:
        """How many products each output element sums in `direction`: sets the error tolerance."""

    @abstractmethod
    def summary(self) -> str:
        """The parameters in one short line for people, e.g. `m=1760 n=16 k=1760 NN`."""


@dataclass(frozen=True)
class SuiteSpec:
    """Everything that defines a suite apart from its kernels, read by harness and validator.

    The problem table is `problems.csv` in the suite's folder: one row per problem with the
    columns `set`, `index`, `application`, one column per field of `params` (named as the field,
    or as `columns` says), and optionally `directions` (`;`-separated, default fwd) and
    `min_multiply_precision`/`min_accumulate_precision` (the set's precision floor).
    """

    name: str
    """The suite's name: its folder's, the `kind` of its params and the first part of its ids."""
    position: int
    """Where the suite is listed among the others (DeepBench's order first: 10, 20, ...)."""
    params: type[SuiteParams]
    """The pydantic model of one problem's parameters."""
    quick_ids: tuple[str, ...]
    """The `quick` profile: a fixed subset that runs in a minute or so on a laptop."""
    smoke_ids: tuple[str, ...]
    """The `smoke` profile: one to three tiny problems, seconds in all (for tests)."""
    columns: Mapping[str, str] = field(default_factory=dict)
    """The table column of a params field whose column has another name."""
    floor: tuple[DType, DType] | None = None
    """(multiply, accumulate) floor of every set when the table has no min_* columns."""

    def ids(self, profile: Profile) -> tuple[str, ...] | None:
        """The problem ids a profile runs; None: every problem (the full profile)."""
        return {Profile.SMOKE: self.smoke_ids, Profile.QUICK: self.quick_ids}.get(profile)
