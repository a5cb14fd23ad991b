"""All-reduce: DeepBench's seven sizes, summed across ranks (problems.csv; ../DEEPBENCH.md).

DeepBench lists each size once per rank count; the problem is the size alone, so the table's
rows for one (set, index) are a single problem. Sizes run under a launcher (harness/allreduce/),
not the compute runner, and are scored by bus bandwidth, not FLOPs.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from schemas.enums import Direction, DType
from schemas.suites.spec import SuiteParams, SuiteSpec


class AllreduceParams(SuiteParams):
    """An all-reduce of `count` elements per rank."""

    kind: Literal["allreduce"] = "allreduce"
    count: int = Field(ge=1, description="Elements per rank.")
    op: Literal["sum"] = Field(default="sum", description="Reduction operator.")

    def flops(self) -> int:
        """A collective is scored by bandwidth, not FLOPs."""
        return 0

    def reduction_length(self, direction: Direction = Direction.FWD) -> int:
        """One value per rank is summed into each output element."""
        return 1

    def summary(self) -> str:
        """`count=100000 sum` (the rank count is the run's, not the problem's)."""
        return f"count={self.count} {self.op}"


SPEC = SuiteSpec(
    name="allreduce",
    position=90,
    params=AllreduceParams,
    # Four of the seven sizes: 100,000, 4,194,304, 16,777,217 and 64,500,000 elements.
    quick_ids=tuple(f"allreduce/train/{index:03d}" for index in (0, 2, 4, 6)),
    # The smallest size, briefly.
    smoke_ids=("allreduce/train/000",),
    columns={"count": "size_floats"},
    # DeepBench's all-reduce is an fp32 sum; its table has no precision columns.
    floor=(DType.FP32, DType.FP32),
)
