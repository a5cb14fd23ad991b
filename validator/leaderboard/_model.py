"""The leaderboard as data: the canonical JSON document every other format is rendered from.

Scores are kept per *board*: one (division, suite, problem set, variant), where the variant is the
precision contract (plus, for a collective, in-place or out-of-place, ranks and nodes). Results of
different precisions are never mixed in one geometric mean: an fp16 GEMM and an fp32 GEMM are
different kernels, as DeepBench reported them. An official board's problems are the rules'
official list for its set; a result that changed an official problem's parameters, or names no
official problem, is ranked only on a *custom* board keyed by its exact parameters. Results are
listed once, in `Leaderboard.results`; boards, problem views and systems refer to them by their
permalink `anchor`.
"""

from __future__ import annotations

from enum import StrEnum
from functools import cached_property
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from schemas import (
    AuditVerdict,
    Direction,
    Division,
    Precision,
    ProblemSet,
    Suite,
    SystemDescription,
)
from validator._audits import AuditStatus

FROZEN = ConfigDict(frozen=True, extra="forbid")
LEADERBOARD_VERSION: Literal["1.0"] = "1.0"


class ResultState(StrEnum):
    """Whether a result counts toward scores, and if not, why."""

    SCORED = "scored"
    FLAGGED = "flagged"  # counts, and shows its warnings
    UNRANKED = "unranked"  # a finding the division's rules list in unscored_codes concerns it
    FAILED = "failed"  # its output failed the correctness check
    REJECTED = "rejected"  # its bundle is invalid, or an error concerns it


class RowState(StrEnum):
    """Where a system stands on a board."""

    RANKED = "ranked"  # every problem of the board counted
    PARTIAL = "partial"  # some counted, some missing: shown with its mean, not ranked
    UNSCORED = "unscored"  # none counted: failed or unranked by the rules
    REJECTED = "rejected"  # none counted: rejected


class Flag(BaseModel):
    """A validator finding shown beside what it concerns."""

    model_config = FROZEN
    code: str = Field(description="Finding code, e.g. KP-RULES-CV.")
    severity: str = Field(description="error, warning or note.")
    message: str = Field(description="The finding's one-line message.")


class ResultEntry(BaseModel):
    """One kernel result of one system, with the figures every view shows."""

    model_config = FROZEN
    anchor: str = Field(description="Permalink id, unique in the leaderboard.")
    division: Division
    system: str = Field(description="Key of the system in `Leaderboard.systems`.")
    suite: Suite
    set: ProblemSet
    problem_id: str
    application: str
    params: str = Field(description="The problem's parameters, e.g. 'm=1760 n=16 k=1760 NN'.")
    direction: Direction
    precision: Precision
    variant: str = Field(description="Precision contract (and collective mode): the board key.")
    bundle: str = Field(description="Bundle path, relative to the round.")
    median_ns: float = Field(description="Median time of one call: the scored figure.")
    min_ns: float
    p10_ns: float
    p90_ns: float
    cv: float = Field(description="Coefficient of variation of the samples.")
    samples: int = Field(description="Timed samples.")
    timing: str = Field(
        description="How the samples were taken, e.g. 'batches of 64, native loop'; blank: one "
        "call per sample by the Python loop on the host clock (the default)."
    )
    timing_method: str = Field(
        description="The timing without batch size or fallback, e.g. 'batched, native loop': "
        "what a board compares; blank for a published result."
    )
    flops: int = Field(description="Logical FLOPs of one call.")
    bytes_moved: int = Field(description="Logical bytes of one call.")
    throughput: float = Field(description="TFLOP/s; bus bandwidth in GB/s for a collective.")
    unit: str = Field(description="Unit of throughput.")
    gbps: float = Field(description="bytes_moved / median time, in GB/s.")
    correct: bool | None = Field(
        description="The correctness check passed; None: a published result, never checked."
    )
    state: ResultState
    flags: tuple[Flag, ...] = Field(
        description="Findings about this result, and errors and warnings about its bundle."
    )
    problem_rank: int | None = Field(description="Rank among the problem's counted results.")
    problem_view: str = Field(description="Anchor of the problem view listing this result.")
    custom: bool = Field(
        description="Not an official problem with its official parameters and direction."
    )
    board: str = Field(description="Anchor of the board this result counts toward.")
    rules_version: str = Field(description="Rules the result was judged by.")
    source: str | None = Field(
        default=None,
        description="A published result's provenance: file, sheet, cell, published time, sha256.",
    )
    audit: str = Field(
        default="",
        description="What a reproduction audit found when it re-ran this result, e.g. 'audited: "
        "consistent, 1.02× [1.01, 1.02]' (audit time / submitted time); blank: not drawn.",
    )
    audit_verdict: AuditVerdict | None = Field(
        default=None, description="The audit's verdict on this result; None: not drawn."
    )


class ScoreRow(BaseModel):
    """One system on one board."""

    model_config = FROZEN
    rank: int | None = Field(description="1 is best; None when not ranked (partial or rejected).")
    system: str = Field(description="Key of the system in `Leaderboard.systems`.")
    system_id: str
    submitter: str
    state: RowState
    score: float | None = Field(description="Geometric mean of throughput over counted results.")
    relative: float | None = Field(
        description="Geometric mean of throughput / the reference's, over problems both ran."
    )
    covered: int = Field(description="Board problems this system has counted results for.")
    missing: int = Field(description="Board problems without a counted result: problems - covered.")
    failed: int = Field(description="Missing problems whose kernel failed its check or to run.")
    flags: tuple[str, ...] = Field(description="Codes of findings about its results and bundles.")
    timing: str = Field(description="Timing methods of its results on the board, '; '-separated.")
    audit: AuditStatus | None = Field(
        default=None,
        description="The system's audit in this board's division: passed or failed; None: not "
        "audited.",
    )
    previous: float | None = Field(default=None, description="Score in the compared round.")
    change: float | None = Field(default=None, description="score / previous - 1.")


class Board(BaseModel):
    """A score table: one division, suite, set and variant."""

    model_config = FROZEN
    anchor: str
    division: Division
    suite: Suite
    set: ProblemSet | None = Field(description="The official set; None on a custom board.")
    variant: str
    unit: str = Field(description="TFLOP/s; TOP/s for int8; GB/s busbw for a collective.")
    problems: int = Field(
        description="(problem, direction) pairs on the rules' official list of the set; 1 on a "
        "custom board."
    )
    custom: bool = Field(description="Keyed by exact parameters, not an official set.")
    params: str | None = Field(description="The parameters of a custom board's problem.")
    rules_version: str = Field(description="Rules whose official list the board scores over.")
    timing_methods: tuple[str, ...] = Field(
        description="How the board's results were timed; more than one: its scores mix methods."
    )
    rows: tuple[ScoreRow, ...] = Field(
        description="Ranked rows, then partial, then unscored, then rejected."
    )


class ProblemView(BaseModel):
    """Every system's result for one (division, problem, direction, variant)."""

    model_config = FROZEN
    anchor: str
    division: Division
    suite: Suite
    set: ProblemSet
    problem_id: str = Field(description="The id of the first result; on a custom board, any id.")
    direction: Direction
    variant: str
    custom: bool = Field(description="Keyed by exact parameters, not an official problem.")
    board: str = Field(description="Anchor of the board this problem counts toward.")
    results: tuple[str, ...] = Field(description="Result anchors, best first, rejected last.")


class BundleView(BaseModel):
    """One submitted bundle: what ran it and what the validator said."""

    model_config = FROZEN
    path: str
    division: Division
    suite: Suite
    run_id: str
    profile: str
    harness_version: str
    rules_version: str
    backend: str = Field(
        description="Framework, device and threads, e.g. 'torch on cpu, 2 threads'."
    )
    libraries: dict[str, str]
    container: str | None = Field(description="Image name and short id, when it ran in one.")
    valid: bool
    findings: tuple[Flag, ...] = Field(description="Findings about the bundle as a whole.")
    kernel_errors: tuple[str, ...] = Field(description="Kernels that failed to run, and why.")


class UnreadBundle(BaseModel):
    """A bundle whose documents could not be read: listed with its findings, never scored."""

    model_config = FROZEN
    path: str
    findings: tuple[Flag, ...]


class SystemView(BaseModel):
    """A system: its description and the bundles it submitted."""

    model_config = FROZEN
    key: str = Field(description="Unique key; the system_id unless two submitters share it.")
    system_id: str
    submitter: str
    description: SystemDescription
    bundles: tuple[BundleView, ...]
    # issue 13: audits
    audit: dict[Division, str] = Field(
        default_factory=dict,
        description="Per division with an audit: passed or failed; absent: not audited.",
    )


class Counts(BaseModel):
    """How much of the round the leaderboard covers."""

    model_config = FROZEN
    bundles: int
    valid_bundles: int
    results: int
    counted_results: int
    systems: int


class Leaderboard(BaseModel):
    """A round's leaderboard: boards, problem views, systems and every result."""

    model_config = FROZEN
    schema_version: Literal["1.0"] = Field(default=LEADERBOARD_VERSION)
    round: str = Field(description="Name of the round.")
    reference: str | None = Field(description="Key of the reference system, if one was named.")
    compared_with: str | None = Field(description="Name of the earlier round compared with.")
    method: str = Field(description="How scores are computed, in words.")
    counts: Counts
    boards: tuple[Board, ...]
    problems: tuple[ProblemView, ...]
    systems: tuple[SystemView, ...]
    results: tuple[ResultEntry, ...]
    unread: tuple[UnreadBundle, ...] = Field(description="Bundles that could not be read.")
    findings: tuple[Flag, ...] = Field(description="Findings about the round as a whole.")

    # Renderers look results up once per row: the indexes are built once per leaderboard.
    @cached_property
    def result_index(self) -> dict[str, ResultEntry]:
        """Results by anchor."""
        return {r.anchor: r for r in self.results}

    @cached_property
    def board_index(self) -> dict[str, Board]:
        """Boards by anchor."""
        return {b.anchor: b for b in self.boards}

    @cached_property
    def system_index(self) -> dict[str, SystemView]:
        """Systems by key."""
        return {s.key: s for s in self.systems}

    @cached_property
    def results_by_system(self) -> dict[str, list[ResultEntry]]:
        """Each system's results, in anchor order."""
        grouped: dict[str, list[ResultEntry]] = {s.key: [] for s in self.systems}
        for result in self.results:
            grouped[result.system].append(result)
        return grouped
