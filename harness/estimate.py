"""How long a run will take, before it runs: a roofline per case, corrected by a calibration.

Each case's call time follows its roofline max(FLOPs / peak, bytes / bandwidth) by a power law
fitted per suite (`Calibration`); its result takes what the timing policy spends on such a call
(`TimingPolicy.planned_s`: warm-up and samples) plus preparing and checking it,
`case_overhead_s + check_calls x call`. Peaks are probed (a CPU's cores x clock x FLOPs per
cycle of its ISA, a copy's bandwidth) or declared (a GPU's, from system.json or the device
table); the power law and overheads come from a short calibration that runs three real cases
of each suite on this device (its cheapest, median and dearest), so that a wrong peak or a slow
library changes the fit, not the estimate. `kernelperf run --dry-run` prints the estimate; the
progress bar's ETA counts down the same per-case figures.
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
# Without a calibration (a device that is not here): what GPUs typically reach through torch.
UNCALIBRATED_EFFICIENCY = 0.6
UNCALIBRATED_CALL_S = 10e-6
UNCALIBRATED_CASE_S = 0.05
UNCALIBRATED_CHECK_CALLS = 2.0
# No call beats its roofline by more than this (a probed CPU peak may be a little low).
UNCALIBRATED_EFFICIENCY_CEILING = 1.5
# The power law's exponent stays in these bounds, so that two noisy points cannot run away.
EXPONENT_BOUNDS = (0.3, 1.2)
# Calibration cases: the cheapest, and one whose roofline is about this long (or the dearest).
CALIBRATION_CALL_S = 5e-3
CALIBRATION_CALLS = 3


@runtime_checkable
class SizedSuite(Protocol):
    """A suite that tells the bytes one call moves without preparing it."""

    def bytes_moved(self, case: Case) -> int:
        """Logical bytes read and written by one call of `case`."""
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
    """How a suite's call time grows with its roofline, and its fixed costs per case.

    call = reference_call_s x (roofline / reference_roofline_s) ** exponent: a power law through
    real cases (the suite's median one as the reference, its cheapest below, its dearest above),
    because neither the roofline alone (Python per time step, launch costs) nor a fixed
    overhead fits every suite; `efficiency` is the reference case's share of the peak.
    """

    efficiency: float
    reference_roofline_s: float
    reference_call_s: float
    exponent: float
    upper_exponent: float
    case_overhead_s: float
    check_calls: float
    measured: bool

    def call_s(self, roofline_s: float) -> float:
        """The estimated time of a call whose roofline is `roofline_s`."""
        ratio = max(roofline_s, 1e-12) / self.reference_roofline_s
        exponent = self.upper_exponent if ratio > 1 else self.exponent
        return float(self.reference_call_s * ratio**exponent)


# Without a calibration: a call at the reference roofline runs at UNCALIBRATED_EFFICIENCY and a
# launch-bound one costs UNCALIBRATED_CALL_S; linear in between (exponent 1).
UNCALIBRATED = Calibration(
    efficiency=UNCALIBRATED_EFFICIENCY,
    reference_roofline_s=UNCALIBRATED_CALL_S * UNCALIBRATED_EFFICIENCY,
    reference_call_s=UNCALIBRATED_CALL_S,
    exponent=1.0,
    upper_exponent=1.0,
    case_overhead_s=UNCALIBRATED_CASE_S,
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


def estimate_suite(
    plan: SuitePlan, policy: TimingPolicy, peaks: Peaks, calibration: Calibration
) -> SuiteEstimate:
    """Every case's seconds: preparing and checking it, then the policy's warm-up and samples."""
    seconds = []
    for case in plan.cases:
        flops, bytes_moved = case_size(plan, case)
        roofline = peaks.roofline_s(flops, bytes_moved, case.precision.input)
        call = max(calibration.call_s(roofline), roofline / UNCALIBRATED_EFFICIENCY_CEILING)
        overhead = calibration.case_overhead_s + calibration.check_calls * call
        seconds.append(overhead + policy.planned_s(call))
    return SuiteEstimate(plan.suite.suite, tuple(seconds), calibration)


def calibration_cases(plan: SuitePlan, peaks: Peaks) -> tuple[Case, Case, Case]:
    """The cheapest, the median and the dearest case by roofline."""

    def roofline(case: Case) -> float:
        return peaks.roofline_s(*case_size(plan, case), case.precision.input)

    ordered = sorted(plan.cases, key=roofline)
    return ordered[0], ordered[len(ordered) // 2], ordered[-1]


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


def _exponent(rooflines: tuple[float, float], calls: tuple[float, float]) -> float:
    """The power law's exponent between two cases, 1 where their rooflines barely differ."""
    if rooflines[1] <= rooflines[0] * 1.5:
        return 1.0
    exponent = math.log(calls[1] / calls[0]) / math.log(rooflines[1] / rooflines[0])
    return min(max(exponent, EXPONENT_BOUNDS[0]), EXPONENT_BOUNDS[1])


def calibrate(plan: SuitePlan, request: RunRequest, peaks: Peaks) -> Calibration:
    """The power law and fixed costs from three real cases of the suite, timed here and now.

    Preparing and checking a case costs a fixed part plus a multiple of its call (the float64
    reference), fitted through the cheapest and the dearest case: the widest span, because two
    tiny calls (sparse GEMM's cheapest and median) made the multiple 600 where 25 was true.
    """
    set_up, timed, rooflines = [], [], []
    for case in calibration_cases(plan, peaks):
        case_set_up, call = _time_case(plan, case, request)
        set_up.append(max(case_set_up, 0.0))
        timed.append(max(call, 1e-9))
        rooflines.append(max(peaks.roofline_s(*case_size(plan, case), case.precision.input), 1e-12))
    far = 2 if timed[2] > timed[0] else 1
    slope = (set_up[far] - set_up[0]) / (timed[far] - timed[0]) if timed[far] > timed[0] else 0.0
    check_calls = max(slope, 0.0)
    return Calibration(
        efficiency=min(rooflines[1] / timed[1], 1.0),
        reference_roofline_s=rooflines[1],
        reference_call_s=timed[1],
        exponent=_exponent((rooflines[0], rooflines[1]), (timed[0], timed[1])),
        upper_exponent=_exponent((rooflines[1], rooflines[2]), (timed[1], timed[2])),
        case_overhead_s=max(set_up[0] - check_calls * timed[0], 0.0),
        check_calls=check_calls,
        measured=True,
    )


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
