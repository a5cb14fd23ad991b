"""Scale, y = alpha·x over a vector: the toy suite that docs/ADDING_A_SUITE.md walks through.

This folder is copied into schemas/suites/ by tests/test_adding_a_suite.py, which then runs,
validates and ranks the suite with no other change to the tree.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from schemas.enums import Direction
from schemas.suites.spec import SuiteParams, SuiteSpec


class ScaleParams(SuiteParams):
    """y = alpha·x for vectors x and y of n elements."""

    kind: Literal["scale"] = "scale"
    n: int = Field(ge=1, description="Elements of x and y.")
    alpha: float = Field(description="The scale factor.")

    def flops(self) -> int:
        """One multiply per element."""
        return self.n

    def reduction_length(self, direction: Direction = Direction.FWD) -> int:
        """Nothing is summed: each output element is one product."""
        return 1

    def summary(self) -> str:
        """`n=4096 alpha=2.5`."""
        return f"n={self.n} alpha={self.alpha:g}"


SPEC = SuiteSpec(
    name="scale",
    position=100,
    params=ScaleParams,
    quick_ids=("scale/inference_device/000", "scale/inference_device/001"),
    smoke_ids=("scale/inference_device/000",),
)
