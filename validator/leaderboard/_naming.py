"""Names and permalink anchors: how boards, problems and results are keyed and linked.

Anchors are made only from what the round holds (division, system, problem, direction,
variant), never from positions or times, so the same round always gives the same links.
"""

from __future__ import annotations

import re

from schemas import Division, KernelResult, Precision, ProblemParams

_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def slug(text: str) -> str:
    """Lowercase letters and digits joined by single dashes: safe in ids and file names."""
    return _NOT_SLUG.sub("-", text.lower()).strip("-")


def precision_label(precision: Precision) -> str:
    """`fp32` when input, compute and output agree, else `input/compute/output`."""
    parts = (precision.input.value, precision.compute.value, precision.output.value)
    return parts[0] if len(set(parts)) == 1 else "/".join(parts)


def variant_of(result: KernelResult) -> str:
    """The board a result counts toward, within its set: precision, and a collective's mode."""
    label = precision_label(result.precision)
    if result.collective is None:
        return label
    return f"{label} {'in-place' if result.collective.in_place else 'out-of-place'}"


def board_anchor(division: Division, suite: str, problem_set: str, variant: str) -> str:
    """`closed-gemm-train-fp32`."""
    return slug(f"{division.value}-{suite}-{problem_set}-{variant}")


def problem_anchor(division: Division, problem_id: str, direction: str, variant: str) -> str:
    """`p-closed-gemm-train-017-fwd-fp32`."""
    return slug(f"p-{division.value}-{problem_id}-{direction}-{variant}")


def result_anchor(
    division: Division, system: str, problem_id: str, direction: str, variant: str
) -> str:
    """`r-closed-cpu-2c-gemm-train-017-fwd-fp32`."""
    return slug(f"r-{division.value}-{system}-{problem_id}-{direction}-{variant}")


def params_text(params: ProblemParams, ranks: int | None = None) -> str:
    """The parameters of a problem in one short line (the suite's own summary), with the ranks
    of a collective run."""
    shown = params.summary()
    return shown if ranks is None else f"{shown} ranks={ranks}"


def system_page(system: str) -> str:
    """File of a system's page in the site (flat, so links work from every page)."""
    return f"system-{system}.html"


def suite_page(suite: str) -> str:
    """File of a suite's page in the site."""
    return f"suite-{suite}.html"
