"""How long a run will take, before it runs: a roofline per case, corrected by a calibration.

Each case's call time follows its roofline max(FLOPs / peak, bytes / bandwidth) through real
cases of its suite (`Calibration`): five of them, from the cheapest to the dearest by roofline,
timed here, and a straight line between neighbours on log-log axes, because neither the roofline
alone (Python per time step, launch costs) nor one power law fits every suite. Its result takes
what the timing policy spends on such a call (`TimingPolicy.planned_s`: warm-up and samples)
plus preparing and checking it, a fixed part plus parts in proportion to its bytes (drawing the
inputs) and to its call (the float64 reference), fitted over the same five cases. Peaks are
probed (a CPU's cores x clock x FLOPs per cycle of its ISA, a copy's bandwidth) or declared (a
GPU's, from system.json or the device table), so that a wrong peak or a slow library changes
the fit, not the estimate. `kernelperf run --dry-run` prints the estimate; the progress bar's
ETA counts down the same per-case figures.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np

from harness.plan import SuitePlan, run_options
from harness.suites.base import Case
from harness.timing import TimingPolicy
from schemas import DType, Host, RunRequest, Suite

# FP32 FLOPs per cycle per core by ISA (two FMA units), checked from the widest down.
FP32_PER_CYCLE = (("avx512f", 64), ("avx2", 32), ("sve", 64), ("asimd", 32), ("avx", 16))
# Low precisions with a native unit double (AVX-512 BF16/FP16, VNNI) or more (AMX) the rate.
LOW_PRECISION_UNITS = {
    DType.BF16: (("amx_bf16", 16.0), ("avx512_bf16", 2.0)),
    DType.FP16: (("amx_fp16", 16.0), ("avx512_fp16", 2.0)),
    DType.INT8: (("amx_int8", 32.0), ("avx512_vnni", 4.0), ("avx_vnni", 2.0)),
}
DEFAULT_CLOCK_GHZ = 3.0
COPY_BYTES = 64 << 20
# Without a calibration (a device that is not here): what GPUs typically reach through torch,
# and the least a call costs (a kernel launch).
UNCALIBRATED_EFFICIENCY = 0.6
UNCALIBRATED_CALL_S = 10e-6
UNCALIBRATED_CASE_S = 0.05
UNCALIBRATED_CHECK_CALLS = 2.0
# No call beats its roofline by more than this (a probed CPU peak may be a little low).
UNCALIBRATED_EFFICIENCY_CEILING = 1.5
# Calibration cases: these quantiles of the suite's cases by roofline (cheapest to dearest).
CALIBRATION_QUANTILES = (0.0, 0.25, 0.5, 0.75, 1.0)
CALIBRATION_CALLS = 3


@runtime_checkable
class SizedSuite(Protocol):
    """A suite that tells the bytes one call moves without preparing it."""

    def bytes_moved(self, case: Case) -> int:
        """Logical bytes read and written by one call of `case`."""
        ...


@runtime_checkable
class StreamingSuite(Protocol):
    """A suite whose calls read an operand many times over, where it may not stay in cache."""

    def streamed_bytes(self, case: Case) -> int:
        """Bytes one call reads and writes if re-read operands come from memory every time."""
        ...


@dataclass(frozen=True)
class Peaks:
    """Dense peaks of the device the estimate is for, and where they come from."""

    tflops: dict[DType, float]
    memory_gbps: float
    source: str

    def roofline_s(self, flops: int, bytes_moved: int, dtype: DType) -> float:
        """The least time one call can take: compute-bound or memory-bound."""
        peak = self.tflops.get(dtype) or self.tflops[DType.FP32]
        return max(flops / (peak * 1e12), bytes_moved / (self.memory_gbps * 1e9))


@dataclass(frozen=True)
class Calibration:
    """How a suite's call time grows with its roofline, and what preparing a case costs.

    `points` are (roofline s, call s) of real cases, by roofline: between two, the call follows
    the straight line on log-log axes; below the first it stays at the first's call (launch and
    Python costs do not shrink), above the last it grows in proportion. Preparing and checking
    a case costs `fixed_s + byte_s x bytes + check_calls x call`.
    """

    points: tuple[tuple[float, float], ...]
    fixed_s: float
    byte_s: float
    check_calls: float
    measured: bool

    @property
    def efficiency(self) -> float:
        """The middle case's share of its roofline (the plan table shows it)."""
        roofline, call = self.points[len(self.points) // 2]
        return min(roofline / call, 1.0)

    def call_s(self, roofline_s: float) -> float:
        """The estimated time of a call whose roofline is `roofline_s`."""
        first, last = self.points[0], self.points[-1]
        if roofline_s <= first[0]:
            return first[1]
        if roofline_s >= last[0]:
            return last[1] * roofline_s / last[0]
        rooflines = [math.log(r) for r, _ in self.points]
        calls = [math.log(c) for _, c in self.points]
        return float(math.exp(np.interp(math.log(roofline_s), rooflines, calls)))

    def set_up_s(self, bytes_moved: int, call_s: float) -> float:
        """Preparing and checking one case: its inputs drawn, its reference computed."""
        return self.fixed_s + self.byte_s * bytes_moved + self.check_calls * call_s


# Without a calibration: a launch-bound call costs UNCALIBRATED_CALL_S, and past that the
# roofline at UNCALIBRATED_EFFICIENCY.
UNCALIBRATED = Calibration(
    points=((UNCALIBRATED_CALL_S * UNCALIBRATED_EFFICIENCY, UNCALIBRATED_CALL_S),),
    fixed_s=UNCALIBRATED_CASE_S,
    byte_s=0.0,
    check_calls=UNCALIBRATED_CHECK_CALLS,
    measured=False,
)


@dataclass(frozen=True)
class SuiteEstimate:
    """One suite's cases and the seconds each is expected to take, in run order."""

    suite: Suite
    case_s: tuple[float, ...]
    calibration: Calibration

    @property
    def seconds(self) -> float:
        """The whole suite."""
        return sum(self.case_s)


def cpu_peaks(host: Host, threads: int, clock_ghz: float | None) -> Peaks:
    """cores x clock x FLOPs per cycle of the ISA; bandwidth from a timed copy here."""
    flags = {flag.lower() for flag in host.isa_flags}
    per_cycle = next((n for flag, n in FP32_PER_CYCLE if flag in flags), 16)
    fp32 = (
        max(1, min(host.cores or threads, threads))
        * (clock_ghz or DEFAULT_CLOCK_GHZ)
        * per_cycle
        / 1e3
    )
    tflops = {DType.FP32: fp32, DType.FP64: fp32 / 2}
    for dtype, units in LOW_PRECISION_UNITS.items():
        tflops[dtype] = fp32 * next((f for flag, f in units if flag in flags), 1.0)
    return Peaks(tflops, copy_bandwidth_gbps(), f"probed: {threads} threads, ISA and a copy")


def copy_bandwidth_gbps() -> float:
    """Bytes read and written per second by the best of three large copies."""
    source = np.ones(COPY_BYTES // 8)
    target = np.empty_like(source)
    best_s = math.inf
    for _ in range(3):
        start = time.perf_counter()
        np.copyto(target, source)
        best_s = min(best_s, time.perf_counter() - start)
    return 2 * COPY_BYTES / best_s / 1e9


def case_size(plan: SuitePlan, case: Case) -> tuple[int, int]:
    """FLOPs and bytes of one call (bytes 0 where the suite cannot tell without preparing)."""
    bytes_moved = plan.suite.bytes_moved(case) if isinstance(plan.suite, SizedSuite) else 0
    return case.problem.flops(), bytes_moved


def case_roofline_s(plan: SuitePlan, case: Case, peaks: Peaks) -> float:
    """One call's roofline, counting re-read operands each time where the suite streams them
    (an RNN at batch 1 reads its weights at every time step: 0.2 s where its FLOPs say 14 ms)."""
    flops, bytes_moved = case_size(plan, case)
    if isinstance(plan.suite, StreamingSuite):
        bytes_moved = max(bytes_moved, plan.suite.streamed_bytes(case))
    return max(peaks.roofline_s(flops, bytes_moved, case.precision.input), 1e-12)


def estimate_suite(
    plan: SuitePlan, policy: TimingPolicy, peaks: Peaks, calibration: Calibration
) -> SuiteEstimate:
    """Every case's seconds: preparing and checking it, then the policy's warm-up and samples."""
    seconds = []
    for case in plan.cases:
        bytes_moved = case_size(plan, case)[1]
        roofline = case_roofline_s(plan, case, peaks)
        call = max(calibration.call_s(roofline), roofline / UNCALIBRATED_EFFICIENCY_CEILING)
        seconds.append(calibration.set_up_s(bytes_moved, call) + policy.planned_s(call))
    return SuiteEstimate(plan.suite.suite, tuple(seconds), calibration)


def calibration_cases(plan: SuitePlan, peaks: Peaks) -> tuple[Case, ...]:
    """The cases at CALIBRATION_QUANTILES of the suite's rooflines, each once."""
    ordered = sorted(plan.cases, key=lambda case: case_roofline_s(plan, case, peaks))
    picked = sorted({round(q * (len(ordered) - 1)) for q in CALIBRATION_QUANTILES})
    return tuple(ordered[i] for i in picked)


def _time_case(plan: SuitePlan, case: Case, request: RunRequest) -> tuple[float, float]:
    """(prepare and check seconds, the median of a few calls) of one real case here."""
    start = time.perf_counter()
    prepared = plan.suite.prepare(case, run_options(request))
    prepared.check()
    prepared.kernel()  # the first call pays for first-touch page faults and library set-up
    set_up_s = time.perf_counter() - start
    calls = []
    for _ in range(CALIBRATION_CALLS):
        begun = time.perf_counter()
        prepared.kernel()
        calls.append(time.perf_counter() - begun)
    call = sorted(calls)[len(calls) // 2]
    return set_up_s - call, call


def fit_set_up(
    bytes_moved: Sequence[float], calls_s: Sequence[float], set_up_s: Sequence[float]
) -> tuple[float, float, float]:
    """(fixed s, s per byte, calls per check): least squares with no negative part.

    Every subset of the three parts is fitted and the best fit with no negative coefficient
    kept, since a negative cost would make a big case cheaper than a small one.
    """
    columns = (np.ones(len(set_up_s)), np.asarray(bytes_moved, float), np.asarray(calls_s, float))
    target = np.asarray(set_up_s, float)
    # Mask 1, the fixed part alone (the mean of costs >= 0), is never negative: one fit is kept.
    best: tuple[float, tuple[float, float, float]] = (math.inf, (0.0, 0.0, 0.0))
    for mask in range(1, 8):
        used = [i for i in range(3) if mask >> i & 1]
        matrix = np.column_stack([columns[i] for i in used])
        solution = np.linalg.lstsq(matrix, target, rcond=None)[0]
        if (solution < 0).any():
            continue
        residual = float(np.sum((matrix @ solution - target) ** 2))
        if residual < best[0]:
            full = [0.0, 0.0, 0.0]
            for index, value in zip(used, solution, strict=True):
                full[index] = float(value)
            best = (residual, (full[0], full[1], full[2]))
    return best[1]


def calibrate(plan: SuitePlan, request: RunRequest, peaks: Peaks) -> Calibration:
    """Call times and set-up costs from five real cases of the suite, timed here and now."""
    points, set_up, calls, sizes = [], [], [], []
    for case in calibration_cases(plan, peaks):
        case_set_up, call = _time_case(plan, case, request)
        points.append((case_roofline_s(plan, case, peaks), max(call, 1e-9)))
        set_up.append(max(case_set_up, 0.0))
        calls.append(call)
        sizes.append(case_size(plan, case)[1])
    fixed_s, byte_s, check_calls = fit_set_up(sizes, calls, set_up)
    return Calibration(
        points=_rising(points),
        fixed_s=fixed_s,
        byte_s=byte_s,
        check_calls=check_calls,
        measured=True,
    )


def _rising(points: Sequence[tuple[float, float]]) -> tuple[tuple[float, float], ...]:
    """The points by roofline, one per roofline (their mean call where cases tie)."""
    by_roofline: dict[float, list[float]] = {}
    for roofline, call in points:
        by_roofline.setdefault(roofline, []).append(call)
    return tuple((r, sum(c) / len(c)) for r, c in sorted(by_roofline.items()))


def estimate_run(
    plans: Sequence[SuitePlan],
    policy: TimingPolicy,
    peaks: Peaks,
    calibrations: Sequence[Calibration],
) -> tuple[SuiteEstimate, ...]:
    """Every suite's estimate, with its own calibration."""
    return tuple(
        estimate_suite(plan, policy, peaks, calibration)
        for plan, calibration in zip(plans, calibrations, strict=True)
    )
