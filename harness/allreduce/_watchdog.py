"""Ends a rank that has made no progress for too long, or that its launcher cancels.

A rank blocked in a collective whose peer died waits forever inside the MPI library, where no
Python exception can reach it. A daemon thread watches a progress stamp instead; when it goes
stale it prints what the rank was doing and leaves with `os._exit`, a non-zero exit that makes
`mpiexec`, `srun` and `torchrun` take down the rest of the job. Every rank runs its own, so
the job ends even under a launcher that would leave the other ranks running.

SIGTERM (`scancel`, or a launcher ending the job) reaches the same thread through Python's
wakeup fd: a Python signal handler runs only in the main thread, which may be the one blocked
in MPI, and any other thread (BLAS's, MPI's) may be the one the kernel hands the signal to.
Before either exit, the callbacks given to `last_words` run (rank 0's writes the incomplete
bundle).
"""

from __future__ import annotations

import os
import select
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import Any

from harness.allreduce._launch import node_name, other_nodes

EXIT_CODE = 3
# How often the watching thread wakes to see whether the run ended: the delay of a clean exit.
POLL_S = 0.1
# Told why the rank stops and at which step; must not touch MPI, whose peers may be gone.
LastWords = Callable[[str, str], None]
_LAST_WORDS: list[LastWords] = []


@contextmanager
def last_words(callback: LastWords) -> Iterator[None]:
    """Runs `callback(why, step)` if a watchdog ends the process inside this block."""
    _LAST_WORDS.append(callback)
    try:
        yield
    finally:
        _LAST_WORDS.remove(callback)


class Watchdog:
    """A deadline that `kick` pushes forward; missing it, or SIGTERM, ends the process."""

    def __init__(self, timeout_s: float, rank: int) -> None:
        self.timeout_s = timeout_s
        self._rank = rank
        self._step = "starting"
        self._stamp = time.monotonic()
        self._stopped = threading.Event()
        self._outlive_errors = False
        self._wakeup_r, self._wakeup_w = -1, -1
        self._saved_handler: Any = signal.SIG_DFL
        self._saved_wakeup = -1
        self._thread = threading.Thread(target=self._watch, name="kernelperf-watchdog", daemon=True)

    def kick(self, step: str) -> None:
        """Records progress: the deadline is now `timeout_s` from here."""
        self._step = step
        self._stamp = time.monotonic()

    def __enter__(self) -> Watchdog:
        self.kick("starting")
        # A handler, so SIGTERM no longer kills at once; the wakeup fd tells the watching thread.
        self._wakeup_r, self._wakeup_w = os.pipe()
        os.set_blocking(self._wakeup_w, False)
        self._saved_handler = signal.signal(signal.SIGTERM, lambda number, frame: None)
        self._saved_wakeup = signal.set_wakeup_fd(self._wakeup_w)
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
        signal.set_wakeup_fd(self._saved_wakeup)
        signal.signal(signal.SIGTERM, self._saved_handler)
        os.close(self._wakeup_r)
        os.close(self._wakeup_w)

    def outlive_errors(self) -> None:
        """From now on an exception leaves the watchdog running, so it still ends the process.

        Once ranks communicate, a rank that fails alone would block in MPI_Finalize at exit,
        waiting for peers that wait for it.
        """
        self._outlive_errors = True

    def _watch(self) -> None:
        """Waits for SIGTERM until the deadline; ends the process if no kick moved it meanwhile."""
        while not self._stopped.is_set():
            remaining_s = self._stamp + self.timeout_s - time.monotonic()
            if remaining_s <= 0:
                self._expire(
                    f"made no progress for {self.timeout_s:g} s: {_suspects()}",
                    "look for the failed rank or node in the launcher's output; raise "
                    "--timeout-s only if a single step really takes longer",
                )
            readable, _, _ = select.select([self._wakeup_r], [], [], min(remaining_s, POLL_S))
            if readable and signal.SIGTERM in os.read(self._wakeup_r, 64):
                self._expire(
                    "was cancelled (SIGTERM: scancel, or the launcher ended the job)",
                    "run it again; the bundle written so far is marked incomplete",
                )

    def _expire(self, why: str, fix: str) -> None:
        """Prints the error in the CLI's what/where/fix form and exits without cleanup."""
        what = f"rank {self._rank} {why}; it ran on {node_name()}"
        message = f"error: {what}\n  where: {self._step}\n  fix: {fix}\n"
        sys.stderr.flush()
        os.write(2, message.encode())
        for callback in list(_LAST_WORDS):
            try:
                callback(what, self._step)
            except Exception as exc:  # the exit below must happen whatever the callback does
                os.write(2, f"  (could not record it: {exc})\n".encode())
        # No finally blocks, no atexit, no MPI_Finalize: any of them could block on the dead peer.
        os._exit(EXIT_CODE)


def _suspects() -> str:
    """Where the rank that stopped answering may be: the job's other nodes, when known."""
    others = other_nodes()
    if not others:
        return "another rank died or hung"
    return f"a rank on another node died or hung (the job's other nodes: {', '.join(others)})"
