"""Fresh bundles for audit tests and the bench: a smoke-profile GEMM run of chosen problems.

Small kernels (tens of µs: about 50 samples in the smoke budget, where keeping 5 is visible)
beside mid-sized ones (tens of ms, where bf16 runs 2-3x faster than fp32 on the CPUs seen here),
so that each forgery has results it shows in.
"""

from __future__ import annotations

from pathlib import Path

from harness import Runner, SuitePlan, compute_suite
from harness.plan import run_options
from harness.probe import describe_system
from schemas import DType, Profile, RunRequest, Suite, load_problems

SMALL_IDS = (
    "gemm/train/128",
    "gemm/train/129",
    "gemm/train/138",
    "gemm/train/139",
    "gemm/train/148",
    "gemm/train/159",
)
# One thread: on a loaded 2-core machine two threads wait for each other at every parallel
# region, and a 70 µs kernel took 60 ms in some processes (seen while writing these tests).
THREADS = 1
MID_IDS = ("gemm/train/003", "gemm/train/023", "gemm/train/086", "gemm/train/087")


def make_bundle(out: Path, dtype: DType, ids: tuple[str, ...] = SMALL_IDS + MID_IDS) -> Path:
    """Runs `ids` in `dtype` with the smoke policy; returns the bundle folder."""
    suite = compute_suite(Suite("gemm"))
    request = RunRequest(
        suites=(suite.suite,),
        profile=Profile.SMOKE,
        device="cpu",
        dtypes=(dtype,),
        seed=0,
        threads=THREADS,
    )
    problems = [p for p in load_problems(suite.suite) if p.id in ids]
    cases = tuple(c for p in problems for c in suite.cases(p, run_options(request)))
    system = describe_system(system_id="audited-box", submitter="acme")
    runner = Runner(request, system, out, command_line=["tests"])
    (run,) = runner.run([SuitePlan(suite=suite, cases=cases)])
    return run.path
