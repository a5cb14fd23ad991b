"""What the harness and the validator share about correctness: where the check looks, and the
largest error each precision may show.

The checked region. A reference in float64 is too costly for the whole output of a big problem,
so the harness recomputes a block of it. A block always at the top-left corner would let a
kernel be right only there; so its offsets are drawn from the run's seed by `region_offsets`,
which both sides compute, and recorded in the result (`Correctness.region`), where the
validator redraws them.

The error bounds. `error_bound` reads one (suite, direction, precision) entry of a bound table:
the harness's own (`harness_bounds()`, the file beside this module) or a rules version's. The
figures come from measurements (tests/tools/measure_errors.py) times a margin, capped well below
the error of an all-zero output (1.0) or of noise of the right scale (about √2).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from functools import cache
from importlib.resources import files
from typing import TypeAlias

from schemas.enums import Direction, DType
from schemas.suites import Suite

# suite -> direction -> precision (the input type's name) -> largest accepted relative error.
BoundTable: TypeAlias = Mapping[str, Mapping[str, Mapping[str, float]]]

BOUNDS_FILE = "error_bounds.json"


def region_offsets(
    seed: int, problem_id: str, direction: Direction, extents: Sequence[int], sizes: Sequence[int]
) -> tuple[int, ...]:
    """Start of the checked block in each sliced dimension, fixed by the seed and the kernel.

    A hash, not a random generator, so that any language can redraw it: offset =
    sha256("seed/problem/direction/dimension") mod (extent − size + 1).
    """
    offsets = []
    for index, (extent, size) in enumerate(zip(extents, sizes, strict=True)):
        digest = hashlib.sha256(f"{seed}/{problem_id}/{direction.value}/{index}".encode()).digest()
        offsets.append(int.from_bytes(digest[:8], "big") % (extent - size + 1))
    return tuple(offsets)


def bound_key(input_type: DType, compute: DType) -> str:
    """The table's precision key of a contract: its input type; tf32 when it computes in it;
    fp32 for fp64, which may err no more than fp32 does."""
    if compute is DType.TF32:
        return DType.TF32.value
    return DType.FP32.value if input_type is DType.FP64 else input_type.value


def error_bound(
    table: BoundTable,
    suite: Suite,
    direction: Direction,
    input_type: DType,
    compute: DType,
    *,
    cap: float,
) -> float:
    """The largest relative error accepted for this kernel; `cap` where nothing was measured."""
    by_precision = table.get(suite.value, {}).get(direction.value, {})
    return min(by_precision.get(bound_key(input_type, compute), cap), cap)


@cache
def harness_bounds() -> tuple[float, BoundTable]:
    """The harness's cap and bound table (`error_bounds.json` beside this module), read once."""
    document = json.loads(files(__package__).joinpath(BOUNDS_FILE).read_text(encoding="utf-8"))
    return float(document["cap"]), document["bounds"]
