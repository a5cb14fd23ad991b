"""Ends a rank that has made no progress for too long, so a dead or hung peer cannot hang a job.

A rank blocked in a collective whose peer died waits forever inside the MPI library, where no
Python exception can reach it. A daemon thread watches a progress stamp instead; when it goes
stale it prints what the rank was doing and leaves with `os._exit`, a non-zero exit that makes
`mpiexec`, `srun` and `torchrun` take down the rest of the job. Every rank runs its own, so
the job ends even under a launcher that would leave the other ranks running.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from types import TracebackType

EXIT_CODE = 3


class Watchdog:
    """A deadline that `kick` pushes forward; missing it ends the process."""

    def __init__(self, timeout_s: float, rank: int) -> None:
        self.timeout_s = timeout_s
        self._rank = rank
        self._step = "starting"
        self._stamp = time.monotonic()
        self._stopped = threading.Event()
        self._outlive_errors = False
        self._thread = threading.Thread(target=self._watch, name="kernelperf-watchdog", daemon=True)

    def kick(self, step: str) -> None:
        """Records progress: the deadline is now `timeout_s` from here."""
        self._step = step
        self._stamp = time.monotonic()

    def __enter__(self) -> Watchdog:
        self.kick("starting")
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if exc is not None and self._outlive_errors:
            self.kick(f"shutting down after: {exc}")
            return
        self._stopped.set()
        self._thread.join()

    def outlive_errors(self) -> None:
        """From now on an exception leaves the watchdog running, so it still ends the process.

        Once ranks communicate, a rank that fails alone would block in MPI_Finalize at exit,
        waiting for peers that wait for it.
        """
        self._outlive_errors = True

    def _watch(self) -> None:
        """Sleeps until the deadline; ends the process if no kick moved it meanwhile."""
        while True:
            remaining_s = self._stamp + self.timeout_s - time.monotonic()
            if remaining_s <= 0:
                self._expire()
            if self._stopped.wait(timeout=remaining_s):
                return

    def _expire(self) -> None:
        """Prints the error in the CLI's what/where/fix form and exits without cleanup."""
        message = (
            f"error: rank {self._rank} made no progress for {self.timeout_s:g} s: "
            "another rank died or hung\n"
            f"  where: {self._step}\n"
            "  fix: look for the failed rank in the launcher's output; raise --timeout-s "
            "only if a single step really takes longer\n"
        )
        sys.stderr.flush()
        os.write(2, message.encode())
        # No finally blocks, no atexit, no MPI_Finalize: any of them could block on the dead peer.
        os._exit(EXIT_CODE)
