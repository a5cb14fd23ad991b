"""Runs the all-reduce suite under a launcher with the last rank made faulty, for the MPI tests.

    mpiexec -n N python -m tests.harness.allreduce.faults FAULT OUT [TIMEOUT_S]

FAULT is `none`, `corrupt` (the last rank reads one wrong element back from every in-place
all-reduce), `die` (the last rank is SIGKILLed mid-measurement, as the OOM killer would) or
`hang` (the last rank stops mid-measurement). The real backend does the work; the wrapper
only adds the fault. Rank 0 writes OUT/allreduce as `kernelperf run` would.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import numpy.typing as npt

from harness.allreduce import (
    CollectiveBackend,
    CollectiveBuffers,
    Launch,
    open_backend,
    run_allreduce_suite,
)
from harness.timing import Kernel
from schemas import CollectiveOptions, DType, Profile, RunRequest, Suite

# The call on which `die` and `hang` strike: after the exact-sum check and the first warm-up
# calls, so mid-measurement however few calls the smoke profile makes.
CALLS_BEFORE_FAULT = 4


class FaultyBuffers:
    """Real buffers whose kernel or read-back misbehaves on the faulty rank."""

    def __init__(self, inner: CollectiveBuffers, fault: str) -> None:
        self.in_place = inner.in_place
        self._inner = inner
        self._fault = fault
        self._calls = 0

    def load(self, values: npt.NDArray[np.uint8]) -> None:
        self._inner.load(values)

    def kernel(self) -> Kernel:
        call = self._inner.kernel()

        def faulty_call() -> object:
            self._calls += 1
            if self._calls == CALLS_BEFORE_FAULT and self._fault == "die":
                os.kill(os.getpid(), signal.SIGKILL)
            if self._calls == CALLS_BEFORE_FAULT and self._fault == "hang":
                time.sleep(3600)
            return call()

        return faulty_call if self._fault in ("die", "hang") else call

    def output_chunks(self, chunk: int) -> Iterator[npt.NDArray[np.floating]]:
        for index, values in enumerate(self._inner.output_chunks(chunk)):
            if index == 0 and self._fault == "corrupt" and self.in_place:
                values = values.copy()
                values[7] += 1
            yield values


class FaultyBackend:
    """The real backend, except that buffers on the last rank carry the fault."""

    def __init__(self, inner: CollectiveBackend, fault: str) -> None:
        self._inner = inner
        self._fault = fault if inner.rank == inner.size - 1 else "none"

    def __getattr__(self, name: str) -> object:
        return getattr(self._inner, name)

    def buffers(self, count: int, dtype: DType, in_place: bool) -> CollectiveBuffers:
        return FaultyBuffers(self._inner.buffers(count, dtype, in_place), self._fault)


def main(fault: str, out: Path, timeout_s: float) -> None:
    def opener(request: RunRequest, launch: Launch) -> CollectiveBackend:
        return FaultyBackend(open_backend(request, launch), fault)  # type: ignore[return-value]

    request = RunRequest(
        suites=(Suite("allreduce"),),
        device="cpu",
        profile=Profile.SMOKE,
        dtypes=(DType.FP32,),
        seed=3,
        collective=CollectiveOptions(backend="mpi", timeout_s=timeout_s),
    )
    run_allreduce_suite(request, out, command_line=sys.argv, opener=opener)


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]), float(sys.argv[3]) if len(sys.argv) > 3 else 60.0)
