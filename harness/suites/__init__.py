"""The registry of compute suites: every sub-package of this folder runs the suite of its name.

A suite's folder here holds its kernels, and its `__init__.py` names the class that implements
`ComputeSuite` (harness/suites/base.py) as `SUITE_CLASS`; its definition (params, problems,
profiles) is the folder of the same name under schemas/suites. Folders are listed without being
imported, and a suite's module loads on first use, so that listing the suites (and the
all-reduce package, which imports `base`) never loads torch. The all-reduce has no folder here:
it runs under a launcher, from harness/allreduce.
"""

from __future__ import annotations

import pkgutil
from functools import cache
from importlib import import_module

from harness.suites.base import ComputeSuite
from schemas import Suite, UsageError


@cache
def registered() -> tuple[Suite, ...]:
    """The compute suites that can run, in listing order (a folder here with no definition in
    schemas/suites is a bug, RuntimeError)."""
    folders = {info.name for info in pkgutil.iter_modules(__path__) if info.ispkg}
    unknown = folders.difference(Suite.all())
    if unknown:
        raise RuntimeError(f"harness/suites/{min(unknown)} has no definition in schemas/suites")
    return tuple(suite for suite in Suite.all() if suite in folders)


def compute_suite(suite: Suite) -> ComputeSuite:
    """A fresh instance of the suite's class; UsageError for a suite with no kernels here."""
    if suite not in registered():
        names = ", ".join(registered())
        raise UsageError(
            f"the {suite} suite cannot run here",
            where=f"--suite {suite}",
            fix=f"choose one of: {names}",
        )
    module = import_module(f"{__name__}.{suite}")
    instance = module.SUITE_CLASS()
    if not isinstance(instance, ComputeSuite) or instance.suite != suite:
        raise TypeError(f"{module.__name__}.SUITE_CLASS does not implement ComputeSuite({suite})")
    return instance
