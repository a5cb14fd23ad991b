"""Names and permalink anchors: how boards, problems and results are keyed and linked.

Anchors are made only from what the round holds (division, system, problem, direction,
variant), never from positions or times, so the same round always gives the same links.
"""

from __future__ import annotations

import hashlib

from schemas import Division, KernelResult, Precision, ProblemParams
from validator._system_keys import slug

PARAMS_DIGEST_CHARS = 8
__all__ = [
    "board_anchor",
    "board_page",
    "custom_board_anchor",
    "params_key",
    "params_text",
    "precision_label",
    "problem_anchor",
    "result_anchor",
    "slug",
    "system_page",
    "variant_of",
]


def precision_label(precision: Precision) -> str:
    """`fp32` when input, compute and output agree, else `input/compute/output`."""
    parts = (precision.input.value, precision.compute.value, precision.output.value)
    return parts[0] if len(set(parts)) == 1 else "/".join(parts)


def variant_of(result: KernelResult, nodes: int) -> str:
    """The board a result counts toward, within its set: precision, and a collective's mode,
    ranks and nodes (`fp32 out-of-place, 2 ranks on 1 node`): bus bandwidth over shared memory
    and over a network are different kernels."""
    label = precision_label(result.precision)
    collective = result.collective
    if collective is None:
        return label
    mode = "in-place" if collective.in_place else "out-of-place"
    return f"{label} {mode}, {collective.ranks} ranks on {nodes} node{'s' if nodes > 1 else ''}"


def params_key(params: ProblemParams) -> str:
    """Exact parameters as a short, stable key: the summary's slug and a digest of every field
    (a summary may leave fields out)."""
    digest = hashlib.sha256(params.model_dump_json().encode()).hexdigest()[:PARAMS_DIGEST_CHARS]
    return f"{slug(params.summary())}-{digest}"


def board_anchor(division: Division, suite: str, problem_set: str, variant: str) -> str:
    """`closed-gemm-train-fp32`."""
    return slug(f"{division.value}-{suite}-{problem_set}-{variant}")


def custom_board_anchor(
    division: Division, suite: str, params: ProblemParams, direction: str, variant: str
) -> str:
    """`open-gemm-custom-m-4096-n-4096-k-4096-nn-1a2b3c4d-fwd-fp32`: one custom problem."""
    return slug(f"{division.value}-{suite}-custom-{params_key(params)}-{direction}-{variant}")


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


def board_page(board: str) -> str:
    """File of a board's page in the site: its scores, plots and problem tables."""
    return f"board-{board}.html"
