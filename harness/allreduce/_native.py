"""The native timed loop: `native_loop.c`, built with the MPI's own `mpicc` on first use.

mpi4py's Python around each call (about 0.35 us here) is more than a small all-reduce takes,
so a Python loop cannot time one within 1.2x of C. The loop is compiled once per source, MPI
library and compiler into a cache folder ($XDG_CACHE_HOME or ~/.cache, then kernelperf/native),
loaded with ctypes and handed mpi4py's communicator and datatype as Fortran handles. Where no
compiler is found or the build fails, the reason is returned and the run falls back to Python,
which every result records (`schemas.TimingMethod`).
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from functools import cache
from importlib.resources import files
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from schemas import TimingLoop

SOURCE_NAME = "native_loop.c"
LIBRARY_NAME = "libkp_allreduce.so"
BUILD_TIMEOUT_S = 120.0


def find_mpicc(environ: dict[str, str] | None = None) -> Path | None:
    """$MPICC, else the `mpicc` beside this Python (the mpich wheel's), else mpi4py's, else PATH."""
    env = os.environ if environ is None else environ
    import mpi4py

    candidates = [
        env.get("MPICC"),
        str(Path(sys.executable).parent / "mpicc"),
        mpi4py.get_config().get("mpicc"),
        shutil.which("mpicc"),
    ]
    for candidate in candidates:
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return Path(candidate)
    return None


def cache_dir() -> Path:
    """Where built loops are kept; the temporary folder when home is not writable."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "kernelperf"
    folder = base / "native"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        folder = Path(tempfile.gettempdir()) / "kernelperf-native"
        folder.mkdir(parents=True, exist_ok=True)
    return folder


@cache
def build_library(library_version: str) -> Path | str:
    """The built loop's path, or why it could not be built (no mpicc, a compiler error).

    The cache key covers the source, the compiler and the MPI library, so an upgrade rebuilds.
    Every rank may build at once: each writes its own temporary file and renames it into place.
    """
    mpicc = find_mpicc()
    if mpicc is None:
        return "no mpicc found (set MPICC, or install the MPI's compiler wrapper and a C compiler)"
    source = files(__package__).joinpath(SOURCE_NAME).read_bytes()
    key = hashlib.sha256(source + str(mpicc).encode() + library_version.encode()).hexdigest()
    target = cache_dir() / key[:16] / LIBRARY_NAME
    if target.is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as scratch:
        source_path = Path(scratch) / SOURCE_NAME
        source_path.write_bytes(source)
        built = Path(scratch) / LIBRARY_NAME
        try:
            subprocess.run(
                [str(mpicc), "-O2", "-shared", "-fPIC", str(source_path), "-o", str(built)],
                check=True,
                capture_output=True,
                timeout=BUILD_TIMEOUT_S,
            )
        except (OSError, subprocess.SubprocessError) as exc:
            detail = getattr(exc, "stderr", b"") or b""
            first = detail.decode(errors="replace").strip().splitlines()[:1]
            return f"{mpicc} could not build the loop: {first[0] if first else exc}"
        built.replace(target)
    return target


@cache
def _loop_function(path: Path) -> Any:
    """kp_allreduce_batches from the built library, with its C signature."""
    function = ctypes.CDLL(str(path)).kp_allreduce_batches
    function.restype = ctypes.c_int
    function.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p]
    function.argtypes += [ctypes.c_int] * 3 + [ctypes.c_void_p]
    return function


class NativeBatches:
    """Times batches of MPI_Allreduce calls in C on numpy buffers (send None: in place)."""

    loop = TimingLoop.NATIVE
    batches = True
    fallback: str | None = None

    def __init__(
        self,
        library: Path,
        mpi: ModuleType,
        comm: Any,
        datatype: Any,
        send: np.ndarray[Any, Any] | None,
        recv: np.ndarray[Any, Any],
    ) -> None:
        self._function = _loop_function(library)
        self._exception = mpi.Exception
        self._handles = (comm.py2f(), datatype.py2f())
        # The arrays are kept referenced here, so their addresses stay valid.
        self._send, self._recv = send, recv

    def run(self, samples: int, calls_per_sample: int) -> list[int]:
        """This rank's time of each of `samples` batches of `calls_per_sample` calls, in ns."""
        batch_ns = np.zeros(samples, np.int64)
        status = self._function(
            *self._handles,
            None if self._send is None else self._send.ctypes.data,
            self._recv.ctypes.data,
            self._recv.size,
            calls_per_sample,
            samples,
            batch_ns.ctypes.data,
        )
        if status != 0:
            raise self._exception(status)
        return [int(ns) for ns in batch_ns]
