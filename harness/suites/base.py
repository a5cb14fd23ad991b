"""What a compute suite provides to the runner: its cases, and each case made ready to time.

A suite knows its operation; the runner (harness/runner.py) owns the loop, the timing engine,
error recording and the bundle. So every suite is timed, checked and recorded the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from harness.timing import Kernel
from schemas import Correctness, Direction, DType, Precision, Problem, Suite


@dataclass(frozen=True)
class Case:
    """One thing to time: a problem, a direction and a precision contract.

    The all-reduce's cases are these too, with whether they run in place (harness/allreduce).
    """

    problem: Problem
    direction: Direction
    precision: Precision

    @property
    def label(self) -> str:
        """Short human name, e.g. 'gemm/train/017 fwd fp32'."""
        return f"{self.problem.id} {self.direction.value} {self.precision.input.value}"


@dataclass(frozen=True)
class Prepared:
    """A case with its inputs allocated: the call to time and the check to run once."""

    kernel: Kernel
    check: Callable[[], Correctness]
    bytes_moved: int


@dataclass(frozen=True)
class RunOptions:
    """What the user asked the suite to run on."""

    device: str
    dtypes: tuple[DType, ...]
    seed: int


@runtime_checkable
class ComputeSuite(Protocol):
    """A suite of compute kernels; its problems and profiles are `suite.spec` (schemas/suites)."""

    suite: Suite

    def cases(self, problem: Problem, options: RunOptions) -> Iterable[Case]:
        """Every (direction, precision) the problem is timed in under these options."""
        ...

    def prepare(self, case: Case, options: RunOptions) -> Prepared:
        """Allocates seeded inputs for `case`; raises MeasurementError if it cannot run."""
        ...
