"""The all-reduce suite, run on every rank of a job that `mpiexec`, `srun` or `torchrun` started.

Its own package because it runs outside the compute runner: every rank walks the same cases in
step, under a watchdog, and rank 0 alone writes the bundle. What it shares with the compute
suites it takes from them instead of copying it: the `Case` (harness/suites/base.py), the run
request and its division rule (`schemas.RunRequest`), the records (harness/records.py) and the
bundle writer (harness/bundle.py).

Modules, by role: `_suite` (cases, sizes, the exact-sum check, records), `_measure` (timing a
collective across ranks), `_mpi` and `_torch` (the backends), `_launch` (which launcher started
the job, where each rank ran), `_watchdog`, `_run` (the loop on each rank) and `_bundle`.
Importing this package never imports torch (only `--backend torch` does) nor starts MPI.
"""

from harness.allreduce._bundle import run_allreduce_suite
from harness.allreduce._launch import Launch, detect_launch
from harness.allreduce._measure import CollectiveBackend, CollectiveBuffers
from harness.allreduce._run import AllreduceRun, open_backend, run_allreduce

__all__ = [
    "AllreduceRun",
    "CollectiveBackend",
    "CollectiveBuffers",
    "Launch",
    "detect_launch",
    "open_backend",
    "run_allreduce",
    "run_allreduce_suite",
]
