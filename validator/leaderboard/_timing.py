"""How a result's samples were taken, in words: the one place every format gets them from.

A measured result records its timing method (`schemas.TimingMethod`: the Python or the native
loop, k calls per sample, why a loop fell back) and, on a device clock, its regime
(`schemas.TimingRegime`: direct launches, a CUDA graph or queued behind a blocking kernel; k
calls per sample; L2 flushed or warm). Bundles made before either was recorded were timed one
call per sample by the Python loop on the host clock: the default, left blank in tables and
stated in LEGEND. Batching k calls per sample hides the loop's and the clock's cost per call
(issue 16: 2.6× the C loop's time at 8 B, per call in Python), so boards say when their results
were timed by different methods.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from schemas import TimingLoop, TimingMethod
from schemas.result import TimingMode, TimingRegime

DEFAULT_METHOD = "Python loop"
LEGEND = (
    "The timing of a result says how its samples were taken: per call, or in batches of k "
    "back-to-back calls (a sample is then the batch's time / k), by the harness's Python loop "
    "or a native C loop; on a device clock, by direct launches or a CUDA graph of k calls, with "
    "L2 warm unless flushed. Blank: one call per sample, timed by the Python loop on the host "
    "clock (the default). A board whose results were timed by different methods says so."
)
_LOOPS = {TimingLoop.PYTHON: "Python loop", TimingLoop.NATIVE: "native loop"}
_MODES = {
    TimingMode.DIRECT: "direct",
    TimingMode.GRAPH: "CUDA graph",
    TimingMode.BLOCKED: "behind a blocking kernel",
}


@dataclass(frozen=True)
class TimingWords:
    """A result's timing as people read it: exactly, and as the method boards compare."""

    label: str  # "batches of 64, native loop"; blank for the unrecorded default
    method: str  # "native loop": the loop or the device regime; blank for a published result


def timing_words(
    method: TimingMethod | None, regime: TimingRegime | None, *, measured: bool = True
) -> TimingWords:
    """The words for a result's recorded method and regime (`measured`: not a published one).

    A device regime speaks for the samples when there is one; the host method says why its
    loop fell back, if it did. Batching is part of the label, not of the method: the harness
    sizes k per message (one call per sample once a call lasts long enough), so one run holds
    both, and the loop is what makes two systems' small messages comparable.
    """
    fallback = f" (fallback: {method.fallback})" if method and method.fallback else ""
    if regime is not None:
        flushed = ", L2 flushed" if regime.l2_flushed else ""
        mode = _MODES[regime.mode]
        calls = regime.calls_per_sample
        per_sample = f", {calls} calls/sample" if calls > 1 else ""
        return TimingWords(f"{mode}{per_sample}{flushed}{fallback}", f"{mode}{flushed}")
    if method is None:
        return TimingWords("", DEFAULT_METHOD if measured else "")
    loop = _LOOPS[method.loop]
    calls = method.calls_per_sample
    batch = "per call" if calls == 1 else f"batches of {calls}"
    return TimingWords(f"{batch}, {loop}{fallback}", loop)


def shows_timing(methods: Collection[str]) -> bool:
    """Whether a table needs a timing column: its results were timed by more than one method,
    or by one other than the default."""
    return len(methods) > 1 or any(m != DEFAULT_METHOD for m in methods)


def mixed_note(methods: Collection[str]) -> str:
    """The footnote of a board whose results were timed by different methods; else blank."""
    if len(methods) < 2:
        return ""
    return f"timed by different methods ({'; '.join(sorted(methods))}): compare with care"
