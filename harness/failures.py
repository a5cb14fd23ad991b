"""Why a kernel failed: unsupported, out of memory, a sticky device error, or anything else.

torch raises all of them as RuntimeError, so "every RuntimeError means unsupported" recorded an
out-of-memory case as a missing kernel, and after a sticky CUDA error (an illegal address, an
ECC error) every later case failed too and was recorded as unsupported. A sticky error poisons
the CUDA context for the rest of the process: the run must end there, its bundle incomplete.
"""

from __future__ import annotations

from collections.abc import Iterator

from schemas import MeasurementError
from schemas.result import ErrorKind

# Messages of the CUDA errors after which the context is unusable (cudaError_t's sticky ones).
STICKY_MARKERS = (
    "illegal memory access",
    "illegal address",
    "illegal instruction",
    "misaligned address",
    "device-side assert",
    "unspecified launch failure",
    "uncorrectable ecc",
    "hardware stack error",
    "launch timed out",
    "cuda error: unknown error",
)
OUT_OF_MEMORY_MARKERS = ("out of memory", "can't allocate memory")


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """The exception and those it was raised from or during, innermost last."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def is_sticky(exc: BaseException) -> bool:
    """A CUDA error that leaves the context unusable (module docs)."""
    return any(marker in str(link).lower() for link in _chain(exc) for marker in STICKY_MARKERS)


def is_out_of_memory(exc: BaseException) -> bool:
    """torch.OutOfMemoryError, MemoryError, or an allocator's message saying so."""
    for link in _chain(exc):
        if isinstance(link, MemoryError) or type(link).__name__ == "OutOfMemoryError":
            return True
        if any(marker in str(link).lower() for marker in OUT_OF_MEMORY_MARKERS):
            return True
    return False


def error_kind(exc: BaseException) -> ErrorKind:
    """The kind of a kernel's failure; a sticky error outranks everything it caused."""
    if is_sticky(exc):
        return ErrorKind.DEVICE_FAILURE
    if is_out_of_memory(exc):
        return ErrorKind.OUT_OF_MEMORY
    if isinstance(exc, MeasurementError):
        return ErrorKind.UNSUPPORTED
    return ErrorKind.FAILED
