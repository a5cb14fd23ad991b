"""The toy scale suite's kernel: torch.mul into a preallocated y, checked against float64.

Copied into harness/suites/ by tests/test_adding_a_suite.py; its definition is the scale folder
of tests/toy_suite/schemas/suites.
"""

from __future__ import annotations

from collections.abc import Iterable

import torch

from harness.inputs import generator, random_nonzero
from harness.suites.base import Case, Prepared, RunOptions
from harness.suites.contracts import compare, drawn_region, first_call, official_cases
from schemas import Correctness, Problem, Suite
from schemas.suites import scale


class ScaleSuite:
    """y = alpha·x through torch, in every requested precision."""

    suite = Suite("scale")

    def cases(self, problem: Problem, options: RunOptions) -> Iterable[Case]:
        """The forward pass in every requested precision the problem's set allows."""
        return official_cases(problem, options)

    def prepare(self, case: Case, options: RunOptions) -> Prepared:
        """A seeded x, a preallocated y, and the one multiply to time."""
        params = case.problem.params
        assert isinstance(params, scale.ScaleParams), case.problem.id
        dtype = case.precision.input
        x = random_nonzero((params.n,), dtype, options.device, generator(options.seed))
        y = torch.empty_like(x)

        def kernel() -> torch.Tensor:
            return torch.mul(x, params.alpha, out=y)

        first_call(kernel, case, options.device)

        def check() -> Correctness:
            kernel()
            reference = x.to("cpu", torch.float64) * params.alpha
            return compare(case, y, reference, drawn_region(case, options.seed, {"n": params.n}))

        return Prepared(kernel=kernel, check=check, bytes_moved=2 * x.numel() * x.element_size())


SUITE_CLASS = ScaleSuite
