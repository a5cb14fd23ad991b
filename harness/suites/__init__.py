"""The registry of compute suites: which module and class run each suite.

To add a suite, add one line to `REGISTRY` naming its module under harness/suites and the class
there that implements `ComputeSuite` (harness/suites/base.py). Modules are imported on first
use, so that importing `harness.suites.allreduce` (on every MPI rank) never loads torch.
"""

from __future__ import annotations

from importlib import import_module

from harness.suites.base import ComputeSuite
from schemas import Suite, UsageError

REGISTRY: dict[Suite, tuple[str, str]] = {
    Suite.GEMM: ("harness.suites.gemm", "GemmSuite"),
    Suite.CONV: ("harness.suites.conv", "ConvSuite"),
    Suite.RNN: ("harness.suites.rnn", "RnnSuite"),
    Suite.SPARSE_GEMM: ("harness.suites.sparse_gemm", "SparseGemmSuite"),
}


def registered() -> tuple[Suite, ...]:
    """The compute suites that can run, in the order of the `Suite` enum."""
    return tuple(suite for suite in Suite if suite in REGISTRY)


def compute_suite(suite: Suite) -> ComputeSuite:
    """A fresh instance of the suite's class; UsageError for a suite with no module yet."""
    if suite not in REGISTRY:
        names = ", ".join(s.value for s in registered())
        raise UsageError(
            f"the {suite.value} suite cannot run here",
            where=f"--suite {suite.value}",
            fix=f"choose one of: {names}",
        )
    module_name, class_name = REGISTRY[suite]
    instance = getattr(import_module(module_name), class_name)()
    if not isinstance(instance, ComputeSuite):
        raise TypeError(f"{module_name}.{class_name} does not implement ComputeSuite")
    return instance
