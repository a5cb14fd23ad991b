"""Numbers as people read them: three significant digits, SI time units, ratios and changes.

Throughput keeps the board's unit (TFLOP/s or GB/s) in the column header rather than scaling
each cell, so a column compares at a glance. Every function is pure: same number, same text.
"""

from __future__ import annotations

import math

DIGITS = 3
TIMES = "\N{MULTIPLICATION SIGN}"
MINUS = "\N{MINUS SIGN}"
RANGE = "\N{EN DASH}"
_TIME_UNITS = ((1e9, "s"), (1e6, "ms"), (1e3, "µs"), (1.0, "ns"))
_SMALLEST_PLAIN = 1e-4
_BYTE_UNITS = ("B", "KiB", "MiB", "GiB", "TiB")


def significant(value: float, digits: int = DIGITS) -> str:
    """`value` to `digits` significant digits (whole numbers in full), no exponent unless tiny."""
    if value == 0 or not math.isfinite(value):
        return "0" if value == 0 else str(value)
    rounded = float(f"{value:.{digits - 1}e}")
    if abs(rounded) < _SMALLEST_PLAIN:
        return f"{value:.{digits - 1}e}"
    magnitude = math.floor(math.log10(abs(rounded)))
    if magnitude >= digits - 1:
        return f"{value:.0f}"  # whole numbers keep every digit: 1235, not 1230
    return f"{rounded:.{digits - 1 - magnitude}f}"


def time_text(ns: float) -> str:
    """`812 ns`, `3.86 µs`, `24.0 ms`, `1.20 s`."""
    for scale, unit in _TIME_UNITS:
        if ns >= scale:
            return f"{significant(ns / scale)} {unit}"
    return f"{significant(ns)} ns"


def ratio_text(ratio: float) -> str:
    """`1.23x` (with a multiplication sign): a relative score."""
    return f"{significant(ratio)}{TIMES}"


def change_text(change: float) -> str:
    """`+12.3%` or `-4.0%` (with a true minus sign): a change between rounds."""
    percent = change * 100
    sign = "+" if percent >= 0 else MINUS
    return f"{sign}{significant(abs(percent))}%"


def spread_text(p10_ns: float, p90_ns: float, median_ns: float) -> str:
    """`±4.2%`: half the p10-p90 range relative to the median."""
    return f"±{significant(spread(p10_ns, p90_ns, median_ns) * 50)}%"


def spread(p10_ns: float, p90_ns: float, median_ns: float) -> float:
    """(p90 - p10) / median: the run-to-run spread the plots and tables show."""
    return (p90_ns - p10_ns) / median_ns


def bytes_text(count: int) -> str:
    """`24 GiB`, `512 MiB`: binary units, as memory sizes are sold."""
    value, power = float(count), 0
    while value >= 1024 and power < len(_BYTE_UNITS) - 1:
        value, power = value / 1024, power + 1
    return f"{significant(value)} {_BYTE_UNITS[power]}"
