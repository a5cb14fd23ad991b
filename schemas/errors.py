"""The one error hierarchy of KernelPerf; the CLI prints what, where and fix, never a traceback.

KernelPerfError(what, *, where="", fix="")   root
├── UsageError                               bad arguments: exit 2
├── BundleError                              a bundle cannot be read or written
├── SubmissionError                          a submission layout cannot be used
├── ContainerRunError                        Docker failures, translated at the boundary
└── MeasurementError                         one kernel failed: recorded in errors[]
"""

from __future__ import annotations


class KernelPerfError(Exception):
    """An error the user can act on: what went wrong, where, and how to fix it."""

    exit_code = 1

    def __init__(self, what: str, *, where: str = "", fix: str = "") -> None:
        super().__init__(what)
        self.what = what
        self.where = where
        self.fix = fix

    def __str__(self) -> str:
        parts = [self.what]
        if self.where:
            parts.append(f"where: {self.where}")
        if self.fix:
            parts.append(f"fix: {self.fix}")
        return "\n".join(parts)


class UsageError(KernelPerfError):
    """The command line asks for something that cannot be done."""

    exit_code = 2


class BundleError(KernelPerfError):
    """A result bundle cannot be read or written."""


class SubmissionError(KernelPerfError):
    """A submission or round cannot be used as given."""


class ContainerRunError(KernelPerfError):
    """Building or running a container failed."""


class MeasurementError(KernelPerfError):
    """One kernel could not be measured; the harness records it and goes on."""
