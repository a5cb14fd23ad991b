"""What a kernel computes: a problem's id, set and directions, and its suite's parameters.

The parameters are a union discriminated by `kind`, assembled from the suites that
schemas/suites defines, so that a new suite folder extends it (and its JSON Schema `oneOf`)
without an edit here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, TypeAlias, Union

from pydantic import BaseModel, ConfigDict, Field

from schemas.enums import Direction, ProblemSet
from schemas.names import PROBLEM_ID_PATTERN
from schemas.suites import Suite, SuiteParams, specs

FROZEN = ConfigDict(frozen=True, extra="forbid")

if TYPE_CHECKING:
    # Type checkers see the common base (flops, reduction_length, summary); narrow with
    # isinstance to a suite's own model.
    ProblemParams: TypeAlias = SuiteParams
else:
    # pydantic sees the union of every suite's model, so it validates, serialises and exports
    # each suite's fields, chosen by `kind`.
    ProblemParams = Annotated[
        Union[tuple(spec.params for spec in specs())],  # noqa: UP007 (built from a tuple)
        Field(discriminator="kind"),
    ]


class Problem(BaseModel):
    """One official (or declared open) problem: a stable id and its full parameters."""

    model_config = FROZEN
    id: str = Field(
        pattern=PROBLEM_ID_PATTERN,
        description="Stable id: suite/set/index, e.g. gemm/train/017.",
    )
    suite: Suite = Field(description="The suite this problem belongs to.")
    set: ProblemSet = Field(description="DeepBench problem set.")
    index: int = Field(ge=0, description="0-based position in DeepBench's set.")
    application: str = Field(description="Where the shape comes from (DeepSpeech, Resnet, ...).")
    directions: tuple[Direction, ...] = Field(
        min_length=1, description="Directions the official rules time for this problem."
    )
    params: ProblemParams = Field(description="The full parameters of the problem.")

    def flops(self) -> int:
        """Logical FLOPs of one direction of this problem."""
        return self.params.flops()
