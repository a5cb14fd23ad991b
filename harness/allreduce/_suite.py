"""The all-reduce suite: its cases, which sizes run, the exact-sum check, and its records.

Sizes are DeepBench's seven (100,000 to 64,500,000 elements per rank; schemas/suites/allreduce)
or an OSU/nccl-tests style sweep in bytes (`schemas.Sweep`). A case is the compute suites' `Case`
(problem, direction, precision) plus whether the reduction runs in place; its record is built by
harness/records.py like every other kernel's, with nccl-tests' bandwidths (schemas.throughput).

Profiles: `smoke` times the smallest DeepBench size briefly (for tests); `quick` times four of
the seven with a 1.5 s budget each, in and out of place: about 20 s with two ranks on a laptop;
`full` times all seven with a 5 s budget each.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from harness import records
from harness.allreduce._measure import CollectiveBackend, CollectiveBuffers
from harness.suites.base import Case
from harness.timing import Timing, TimingPolicy
from schemas import (
    Collective,
    Correctness,
    Direction,
    DType,
    KernelResult,
    Precision,
    Problem,
    ProblemSet,
    Profile,
    Suite,
    Sweep,
    bandwidths_gbps,
    problem_sets,
    summarize,
)
from schemas.suites.allreduce import AllreduceParams

ALLREDUCE = Suite("allreduce")
POLICIES = {
    Profile.SMOKE: TimingPolicy(warmup_s=0.02, min_samples=5, max_samples=200, budget_s=0.05),
    Profile.QUICK: TimingPolicy(warmup_s=0.2, min_samples=10, max_samples=2_000, budget_s=1.5),
    Profile.FULL: TimingPolicy(warmup_s=0.5, min_samples=20, max_samples=10_000, budget_s=5.0),
}
ITEM_BYTES = {DType.FP32: 4, DType.FP16: 2, DType.BF16: 2}
# Every integer up to this is exact in the dtype, so sums that stay below it are exact.
EXACT_INTEGER_LIMIT = {DType.FP32: 2**24, DType.FP16: 2**11, DType.BF16: 2**8}
MAX_WEIGHT = 15
CHECK_CHUNK = 1 << 22
# The check demands exact equality; the schema needs a positive tolerance, so the smallest.
EXACT_TOLERANCE = math.ulp(0.0)
# Stands in for NaN and infinity in the error norm, so a garbage output gives a finite error.
GARBAGE = 1e100


@dataclass(frozen=True)
class CollectiveCase(Case):
    """One all-reduce to time: a case whose output is the input buffer itself or another one."""

    in_place: bool

    @property
    def label(self) -> str:
        """Short human name, e.g. 'allreduce/train/002 fp32 out-of-place'."""
        mode = "in-place" if self.in_place else "out-of-place"
        return f"{self.problem.id} {self.precision.input.value} {mode}"


def collective_case(problem: Problem, dtype: DType, *, in_place: bool) -> CollectiveCase:
    """The forward all-reduce of `problem` that sums `dtype` in `dtype` (no wider accumulator)."""
    precision = Precision(input=dtype, compute=dtype, output=dtype)
    return CollectiveCase(problem, Direction.FWD, precision, in_place=in_place)


def select_problems(
    profile: Profile,
    dtype: DType,
    *,
    sweep: Sweep | None = None,
    problem_set: ProblemSet | None = None,
    id_glob: str | None = None,
) -> tuple[Problem, ...]:
    """The problems one dtype runs: the profile's DeepBench sizes, or the sweep's."""
    if sweep is not None:
        return problem_sets.select_problems(sweep_problems(sweep, dtype), id_glob=id_glob)
    return problem_sets.select_problems(
        problem_sets.load_problems(ALLREDUCE),
        problem_set=problem_set,
        id_glob=id_glob,
        profile=profile,
    )


def sweep_problems(sweep: Sweep, dtype: DType) -> tuple[Problem, ...]:
    """One problem per size; the index is log2 of the size, stable for power-of-two sweeps."""
    item_bytes = ITEM_BYTES[dtype]
    return tuple(
        Problem(
            id=f"allreduce/sweep/{size.bit_length() - 1:03d}",
            suite=ALLREDUCE,
            set=ProblemSet.SWEEP,
            index=size.bit_length() - 1,
            application="size sweep",
            directions=(Direction.FWD,),
            params=AllreduceParams(count=size // item_bytes),
        )
        for size in sweep.sizes_bytes()
        if size >= item_bytes
    )


def rank_factors(ranks: int, dtype: DType) -> tuple[int, ...]:
    """Each rank's multiplier: unequal, so a rank counted twice or lost changes the sum.

    With more ranks than the dtype sums exactly, only the first ranks contribute.
    """
    limit = EXACT_INTEGER_LIMIT[dtype]
    factors = tuple(1 + rank % 3 for rank in range(ranks))
    if sum(factors) > limit:
        factors = tuple(1 if rank < limit else 0 for rank in range(ranks))
    return factors


def check_exact_sum(
    backend: CollectiveBackend, buffers: CollectiveBuffers, count: int, dtype: DType, seed: int
) -> Correctness:
    """One all-reduce of seeded small integers, compared exactly with their known sum.

    Element i of rank r is w[i]·f[r], with w the same seeded integers on every rank, so every
    rank knows the exact result w[i]·Σf without seeing the others' inputs. Every rank checks
    its own output; the worst rank decides.
    """
    factors = rank_factors(backend.size, dtype)
    total = sum(factors)
    top = max(1, min(MAX_WEIGHT, EXACT_INTEGER_LIMIT[dtype] // total))
    weights = np.random.default_rng([seed, count]).integers(1, top + 1, count, dtype=np.uint8)
    buffers.load(weights * np.uint8(factors[backend.rank]))
    buffers.kernel()()
    wrong, error = _compare(buffers, weights, float(total))
    worst_error, worst_wrong = backend.max_across_ranks([error, wrong])
    return Correctness(
        reference=f"exact integer sum over {backend.size} ranks",
        reduced_problem=False,
        error=worst_error,
        tolerance=EXACT_TOLERANCE,
        passed=worst_wrong == 0,
    )


def _compare(
    buffers: CollectiveBuffers, weights: npt.NDArray[np.uint8], total: float
) -> tuple[int, float]:
    """Wrong elements of this rank's output and its normwise relative error, in float64."""
    wrong = 0
    diff_sq = 0.0
    ref_sq = 0.0
    start = 0
    for chunk in buffers.output_chunks(CHECK_CHUNK):
        expected = weights[start : start + chunk.size].astype(np.float64) * total
        diff = np.nan_to_num(
            chunk.astype(np.float64) - expected, nan=GARBAGE, posinf=GARBAGE, neginf=-GARBAGE
        )
        wrong += int(np.count_nonzero(diff))
        diff_sq += float(diff @ diff)
        ref_sq += float(expected @ expected)
        start += chunk.size
    return wrong, math.sqrt(diff_sq / ref_sq)


def kernel_result(
    case: CollectiveCase, *, ranks: int, timing: Timing, correctness: Correctness, seed: int
) -> KernelResult:
    """The result of one all-reduce: bytes per rank and nccl-tests' bandwidths, no FLOPs.

    bytes_moved is the size S per rank, so gbps is the algorithm bandwidth S/t.
    """
    params = case.problem.params
    assert isinstance(params, AllreduceParams)
    size_bytes = params.count * ITEM_BYTES[case.precision.input]
    algbw_gbps, busbw_gbps = bandwidths_gbps(
        size_bytes, ranks, summarize(timing.samples_ns).median_ns
    )
    return records.kernel_result(
        case.problem,
        case.direction,
        case.precision,
        timing,
        correctness,
        bytes_moved=size_bytes,
        seed=seed,
        collective=Collective(
            ranks=ranks,
            in_place=case.in_place,
            size_bytes=size_bytes,
            algbw_gbps=algbw_gbps,
            busbw_gbps=busbw_gbps,
        ),
    )
