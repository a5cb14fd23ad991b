"""The native timed loop: `native_loop.c`, prebuilt in the image or built with `mpicc` on first use.

mpi4py's Python around each call (about 0.35 us here) is more than a small all-reduce takes,
so a Python loop cannot time one within 1.2x of C. The official images carry no compiler, so
they build the loop at image build time and name it in $KERNELPERF_NATIVE_LOOP, with the
source's sha256 beside it: it is used only when that hash is the packaged source's. Otherwise
the loop is compiled once per source, MPI library and compiler into a cache folder
($XDG_CACHE_HOME or ~/.cache, then kernelperf/native). Either way it is loaded with ctypes and
handed mpi4py's communicator and datatype as Fortran handles. Where neither gives a loop, the
reasons are returned and the run falls back to Python, which every result records
(`schemas.TimingMethod`).
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping
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
# containers/Dockerfile compiles the image's prebuilt loop with these flags too (a test checks).
COMPILE_FLAGS = ("-O2", "-shared", "-fPIC")
# Set by the image, not by a container runner, so it lives here rather than beside the
# KERNELPERF_CONTAINER_* names: any site may prebuild the loop the same way.
PREBUILT_ENV = "KERNELPERF_NATIVE_LOOP"
# The file beside a prebuilt library that holds the sha256 (hex) of the source it was built from.
SOURCE_HASH_SUFFIX = ".source-sha256"


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


def prebuilt_library(source: bytes, environ: Mapping[str, str]) -> Path | str | None:
    """The library $KERNELPERF_NATIVE_LOOP names, if built from `source`; why not; None if unset.

    A library built from another source would time another loop than this harness ships, so a
    missing or different hash refuses it; the caller then builds its own.
    """
    named = environ.get(PREBUILT_ENV, "")
    if not named:
        return None
    library = Path(named)
    stamp = library.with_name(library.name + SOURCE_HASH_SUFFIX)
    if not library.is_file():
        return f"the prebuilt loop {library} ({PREBUILT_ENV}) is not a file"
    try:
        recorded = stamp.read_text(encoding="ascii").split()[:1]
    except (OSError, UnicodeDecodeError):
        recorded = []
    if not recorded:
        return f"the prebuilt loop {library} has no source hash in {stamp}"
    if recorded != [hashlib.sha256(source).hexdigest()]:
        return f"the prebuilt loop {library} was built from another {SOURCE_NAME} than this one"
    return library


@cache
def build_library(library_version: str) -> Path | str:
    """The loop's path (the prebuilt one, else one built here), or why there is none.

    When a prebuilt loop was refused and none builds here, both reasons are given, so the
    result's fallback says why the image's own loop was not used.
    """
    source = files(__package__).joinpath(SOURCE_NAME).read_bytes()
    prebuilt = prebuilt_library(source, os.environ)
    if isinstance(prebuilt, Path):
        return prebuilt
    built = _compile(source, library_version)
    if isinstance(built, str) and prebuilt is not None:
        return f"{prebuilt}; {built}"
    return built


def _compile(source: bytes, library_version: str) -> Path | str:
    """The loop compiled with mpicc into the cache folder, or why it could not be.

    The cache key covers the source, the compiler and the MPI library, so an upgrade rebuilds.
    Every rank may build at once: each writes its own temporary file and renames it into place.
    """
    mpicc = find_mpicc()
    if mpicc is None:
        return "no mpicc found (set MPICC, or install the MPI's compiler wrapper and a C compiler)"
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
                [str(mpicc), *COMPILE_FLAGS, str(source_path), "-o", str(built)],
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
