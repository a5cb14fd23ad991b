"""All-reduce results: bytes from the element count, ranks from the recorded placement.

Bandwidth is bytes over time, so a size nobody checks, or a rank count taken from the declaration,
inflates busbw at will (issue 12, attack 5: 100x busbw and "1000 ranks", no finding). The
ceilings on busbw live in `validator.checks.plausibility`.
"""

from __future__ import annotations

from collections.abc import Iterator

from schemas import RESULT_NAME, DType
from validator._context import BundleContext
from validator._findings import Code, Finding, finding

DTYPE_BYTES: dict[DType, int] = {
    DType.FP64: 8,
    DType.FP32: 4,
    DType.TF32: 4,
    DType.FP16: 2,
    DType.BF16: 2,
    DType.INT8: 1,
    DType.INT32: 4,
}


def check_collectives(ctx: BundleContext) -> Iterator[Finding]:
    """size_bytes = count x dtype size, and ranks = the ranks the placement lists."""
    placed_ranks = len(ctx.system.placement)
    for index, result in enumerate(ctx.run.results):
        collective = result.collective
        if collective is None:
            continue
        path = f"results[{index}].collective"
        count = getattr(result.problem.params, "count", None)
        if isinstance(count, int):
            expected = count * DTYPE_BYTES[result.precision.input]
            if collective.size_bytes != expected:
                yield finding(
                    Code.COLLECTIVE_SIZE,
                    file=RESULT_NAME,
                    json_path=f"{path}.size_bytes",
                    message=f"{count} x {result.precision.input.value} is {expected} bytes",
                    expected=expected,
                    found=collective.size_bytes,
                )
        if collective.ranks != placed_ranks:
            yield finding(
                Code.COLLECTIVE_RANKS,
                file=RESULT_NAME,
                json_path=f"{path}.ranks",
                message="system.json records no rank placement" if not placed_ranks else "",
                expected=placed_ranks,
                found=collective.ranks,
            )
