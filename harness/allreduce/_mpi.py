"""The mpi4py backend: uppercase (buffer) Allreduce on numpy arrays, MPI at thread level single.

MPI is imported here lazily, never when the harness is imported: `mpi4py.rc.thread_level` must
be set before `from mpi4py import MPI` starts MPI, and the default (multiple) makes MPICH take
locks on every call, up to 14x slower on small messages.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Iterator, Sequence
from importlib import metadata
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import numpy.typing as npt

from harness.allreduce._measure import (
    CollectiveBuffers,
    CollectiveFacts,
    PythonBatches,
    SampleLoop,
)
from harness.allreduce._native import NativeBatches, build_library
from harness.timing import Kernel
from schemas import DType, Timer, TimingLoop

NUMPY_DTYPES: dict[DType, type[np.floating[Any]]] = {DType.FP32: np.float32, DType.FP16: np.float16}
# Predefined datatypes only: MPI_SUM is not defined on a duplicate such as mpi4py's dtlib makes.
MPI_DATATYPES = {DType.FP32: "FLOAT", DType.FP16: "FLOAT16_T"}
THREAD_LEVELS = ("single", "funneled", "serialized", "multiple")


def import_mpi() -> ModuleType:
    """`mpi4py.MPI`, started at thread level single unless something started it earlier."""
    import mpi4py

    if "mpi4py.MPI" not in sys.modules:
        mpi4py.rc.thread_level = "single"
    from mpi4py import MPI

    return MPI


def library_version(mpi: ModuleType) -> str:
    """The MPI library's name and version, e.g. 'MPICH Version: 5.0.2' squeezed to one line."""
    first_line = str(mpi.Get_library_version()).strip().splitlines()[0]
    return " ".join(first_line.replace("Version:", "").split())


def thread_level(mpi: ModuleType) -> str:
    """The thread level MPI actually provides, by its MPI name."""
    return THREAD_LEVELS[int(mpi.Query_thread())]


def netmods(mpi: ModuleType) -> str:
    """MPICH's netmod: the one MPIR_CVAR_CH4_NETMOD chose, else those it was built with."""
    chosen = os.environ.get("MPIR_CVAR_CH4_NETMOD")
    if chosen:
        return f"ch4:{chosen}"
    for line in str(mpi.Get_library_version()).splitlines():
        if "Device:" in line:
            return line.split("Device:", 1)[1].strip()
    return "unknown"


class _MpiBuffers:
    """numpy send and receive arrays, with the MPI call prebuilt so the loop only calls it."""

    def __init__(
        self, mpi: ModuleType, comm: Any, count: int, dtype: DType, in_place: bool
    ) -> None:
        self.in_place = in_place
        self._mpi = mpi
        self._comm = comm
        self._datatype = getattr(mpi, MPI_DATATYPES[dtype])
        self._recv = np.empty(count, NUMPY_DTYPES[dtype])
        self._send = self._recv if in_place else np.empty_like(self._recv)

    def load(self, values: npt.NDArray[np.uint8]) -> None:
        """Writes `values` into the input, and zeros into a separate output."""
        self._send[:] = values
        if not self.in_place:
            self._recv.fill(0)

    def kernel(self) -> Kernel:
        """`comm.Allreduce` bound to its arguments: the least Python between two clock reads.

        Passing (buffer, datatype) pairs saves mpi4py from reading the numpy format on every
        call: about 130 ns of the 0.5 us it adds to a tiny all-reduce here.
        """
        recv = (self._mpi.buffer(self._recv), self._datatype)
        send = (
            self._mpi.IN_PLACE if self.in_place else (self._mpi.buffer(self._send), self._datatype)
        )
        return functools.partial(self._comm.Allreduce, send, recv, self._mpi.SUM)

    def output_chunks(self, chunk: int) -> Iterator[npt.NDArray[np.floating]]:
        """Views of the output; numpy compares float16 with float64 exactly."""
        for start in range(0, self._recv.size, chunk):
            yield self._recv[start : start + chunk]

    def native_loop(self, library: Path) -> NativeBatches:
        """The C loop over these very arrays and this datatype."""
        send = None if self.in_place else self._send
        return NativeBatches(library, self._mpi, self._comm, self._datatype, send, self._recv)


class MpiBackend:
    """MPI_COMM_WORLD through mpi4py; CPU buffers, host clock."""

    timer = Timer.HOST_CLOCK
    device = "cpu"
    out_of_place = True
    calls_per_sample = 1

    def __init__(self) -> None:
        self._mpi = import_mpi()
        self._comm = self._mpi.COMM_WORLD
        self.rank: int = self._comm.Get_rank()
        self.size: int = self._comm.Get_size()
        self.errors: tuple[type[BaseException], ...] = (self._mpi.Exception,)
        self.dtypes = tuple(
            dtype
            for dtype, name in MPI_DATATYPES.items()
            if getattr(self._mpi, name, self._mpi.DATATYPE_NULL) != self._mpi.DATATYPE_NULL
        )

    def buffers(self, count: int, dtype: DType, in_place: bool) -> CollectiveBuffers:
        """numpy buffers of `count` elements."""
        return _MpiBuffers(self._mpi, self._comm, count, dtype, in_place)

    def sample_loop(self, buffers: CollectiveBuffers, wanted: TimingLoop) -> SampleLoop:
        """The native loop where it builds, else batches of the Python call; the host clock
        either way (MPI calls block until this rank's part is done).

        Buffers this backend did not make (a test's wrapper) are timed through their kernel.
        """
        if wanted is TimingLoop.PYTHON:
            return PythonBatches(buffers.kernel())
        if not isinstance(buffers, _MpiBuffers):
            return PythonBatches(buffers.kernel(), fallback="the buffers are not MPI's own")
        library = build_library(library_version(self._mpi))
        if isinstance(library, str):
            return PythonBatches(buffers.kernel(), fallback=library)
        return buffers.native_loop(library)

    def barrier(self) -> None:
        """MPI_Barrier on the world communicator."""
        self._comm.Barrier()

    def max_across_ranks(self, values: Sequence[float]) -> tuple[float, ...]:
        """MPI_Allreduce(MAX) of a float64 array."""
        array = np.asarray(values, dtype=np.float64)
        self._comm.Allreduce(self._mpi.IN_PLACE, array, self._mpi.MAX)
        return tuple(float(v) for v in array)

    def broadcast(self, values: Sequence[float]) -> tuple[float, ...]:
        """MPI_Bcast of a float64 array from rank 0."""
        array = np.asarray(values, dtype=np.float64)
        self._comm.Bcast(array, root=0)
        return tuple(float(v) for v in array)

    def gather_text(self, text: str) -> tuple[str, ...]:
        """mpi4py's pickle-based allgather: small and outside any timed loop."""
        return tuple(str(t) for t in self._comm.allgather(text))

    def facts(self) -> CollectiveFacts:
        """mpi4py and the MPI library under it."""
        library = library_version(self._mpi)
        return CollectiveFacts(
            name="mpi4py",
            threads=1,
            library_versions={
                "mpi4py": metadata.version("mpi4py"),
                "numpy": np.__version__,
                "mpi": library,
                "mpi_standard": "{}.{}".format(*self._mpi.Get_version()),
            },
            mpi_library=library,
            mpi_thread_level=thread_level(self._mpi),
            transport=f"MPICH device {netmods(self._mpi)}"
            if library.startswith("MPICH")
            else library,
        )

    def close(self) -> None:
        """Nothing to release: mpi4py finalizes MPI when the process exits."""
