"""The rules of a round as versioned data: `validator/rules/<version>.json`, typed by `Rules`.

A bundle names its `rules_version`; the validator loads that file and checks the bundle against it,
so changing a rule is a reviewed data change, never an edit scattered through code. The official
problem tables inside a rules file are generated from `schemas/suites` by
`python -m tests.validator.rules_sync`, and a test fails when they drift apart.

Closed division, in short (see README.md beside this file for the reasoning):
  a submitter picks which (suite, problem set) pairs to submit; each one it submits must be
  complete (every official problem in every official direction, unmodified parameters, correct
  output, at or above the set's minimum precision), run with the full profile in a locked image.
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import cache
from importlib.resources import files

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError

from schemas import (
    Direction,
    Division,
    DType,
    KernelResult,
    ProblemParams,
    ProblemSet,
    Profile,
    Suite,
)
from validator._codes import Code

FROZEN = ConfigDict(frozen=True, extra="forbid")
_VERSION = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]{0,31}$")


class PrecisionFloor(BaseModel):
    """The lowest precision a problem set may be run in (DeepBench: train fp16/fp32, inference
    int8/int32)."""

    model_config = FROZEN
    multiply: DType = Field(description="Lowest input (multiply) type.")
    accumulate: DType = Field(description="Lowest accumulation type.")


class OfficialProblem(BaseModel):
    """One problem of an official set, as the harness defines it."""

    model_config = FROZEN
    id: str = Field(description="Problem id, e.g. gemm/train/017.")
    directions: tuple[Direction, ...] = Field(description="Directions a closed run must time.")
    params: ProblemParams = Field(description="The parameters a closed run may not change.")


class ProblemSetRule(BaseModel):
    """An official problem set with its precision floor."""

    model_config = FROZEN
    suite: Suite
    set: ProblemSet
    floor: PrecisionFloor
    problems: tuple[OfficialProblem, ...] = Field(min_length=1)


class DivisionRules(BaseModel):
    """What one division requires of every bundle and submission in it."""

    model_config = FROZEN
    allowed_profiles: tuple[Profile, ...] = Field(min_length=1)
    harness_versions: tuple[str, ...] = Field(
        min_length=1, description="fnmatch patterns of accepted harness versions."
    )
    min_samples: int = Field(ge=1, description="Fewest timed samples per kernel.")
    min_warmup: int = Field(ge=0, description="Fewest untimed warm-up calls per kernel.")
    max_cv: float = Field(gt=0, description="Above this coefficient of variation: a warning.")
    official_problems_only: bool = Field(description="Problem ids and params must be official.")
    complete_sets: bool = Field(description="Every submitted (suite, set) must be complete.")
    enforce_precision_floor: bool = Field(description="Results below the set's floor are errors.")
    enforce_tolerance: bool = Field(description="Correctness tolerance may not exceed the bound.")
    signatures_required: bool = Field(
        description="Bundles must be signed with the submitter's registered key."
    )
    locked_image_ids: tuple[str, ...] | None = Field(
        description="Accepted container image IDs; None: any image, or none."
    )
    code_readme: str | None = Field(
        description="File under code/ that must declare every change (open division)."
    )
    code_readme_sections: tuple[str, ...] = Field(
        default=(), description="Headings that file must contain."
    )
    # issue 12: time accounting
    min_measured_ms: float = Field(
        ge=0, description="Least total of a result's samples, in ms, unless it has many_samples."
    )
    many_samples: int = Field(
        ge=1,
        description="A result with this many samples meets min_measured_ms whatever its total: "
        "the harness's sample cap ends the timing of a tiny kernel first.",
    )
    # issue 12: scoring
    unscored_codes: tuple[Code, ...] = Field(
        description="Findings that keep the result they concern off every board (shown, not "
        "scored) without rejecting its bundle; in a division with complete_sets the result's "
        "set is then incomplete."
    )
    # issue 15: historical
    published_results: bool = Field(
        default=False,
        description="Results are published figures without samples, checks, signatures or "
        "probes (the historical division): the checks of samples, correctness, measured time "
        "and logs give way to those of published results; schema, integrity, FLOP "
        "recomputation and plausibility still run, and a figure above peak is a note.",
    )
    # issue 13: audits
    audit_tolerance: float = Field(
        default=0.15,
        gt=0,
        description="An audit may re-measure a result this much slower (relative) before it is "
        "called slower than submitted, on top of the auditing machine's noise floor.",
    )
    audit_required: bool = Field(
        default=False,
        description="A system is ranked only with an audit that passed (closed ranking).",
    )


class ToleranceBounds(BaseModel):
    """The largest relative error a result may show, per suite, direction and precision.

    Measured errors of every official problem times a margin, capped where garbage would pass
    (README.md beside this file; `schemas.error_bound` reads the table, for the harness too).
    """

    model_config = FROZEN
    source: str = Field(description="The measurements and the margin the bounds come from.")
    cap: float = Field(
        gt=0, lt=1, description="The bound of anything unmeasured, and the most any bound may be."
    )
    bounds: dict[str, dict[str, dict[str, float]]] = Field(
        description="suite → direction → precision (input type, or tf32) → largest error."
    )
    region_required_from: datetime = Field(
        description="Runs started from this instant on must record the checked region, and a "
        "tolerance no looser than the bound; older runs predate both."
    )


class Rules(BaseModel):
    """One version of the rules."""

    model_config = FROZEN
    rules_version: str
    description: str
    at_least: dict[DType, tuple[DType, ...]] = Field(
        description="For each floor type, the types that count as at least as precise."
    )
    tolerance: ToleranceBounds
    divisions: dict[Division, DivisionRules]
    problem_sets: tuple[ProblemSetRule, ...]

    _sets: dict[tuple[Suite, ProblemSet], ProblemSetRule] = PrivateAttr(default_factory=dict)
    _problems: dict[str, tuple[ProblemSetRule, OfficialProblem]] = PrivateAttr(default_factory=dict)

    def model_post_init(self, context: object, /) -> None:
        """Indexes the sets and problems once; lookups happen per kernel result."""
        self._sets.update({(s.suite, s.set): s for s in self.problem_sets})
        self._problems.update({p.id: (s, p) for s in self.problem_sets for p in s.problems})

    def problem_set(self, suite: Suite, problem_set: ProblemSet) -> ProblemSetRule | None:
        """The rule of one official set, if it is one."""
        return self._sets.get((suite, problem_set))

    def official(self, problem_id: str) -> tuple[ProblemSetRule, OfficialProblem] | None:
        """The official problem with this id and its set."""
        return self._problems.get(problem_id)

    def official_set(self, result: KernelResult) -> ProblemSetRule | None:
        """The official set a result belongs to: its id, suite, set, parameters and direction
        all official; None for a custom problem (any of them changed)."""
        entry = self._problems.get(result.problem.id)
        if entry is None:
            return None
        problem_set, official = entry
        problem = result.problem
        same_place = (problem.suite, problem.set) == (problem_set.suite, problem_set.set)
        if (
            same_place
            and problem.params == official.params
            and result.direction in (official.directions)
        ):
            return problem_set
        return None

    def allows(self, floor: PrecisionFloor, multiply: DType, accumulate: DType) -> bool:
        """Whether a contract is at or above the floor."""
        return multiply in self.at_least.get(floor.multiply, ()) and accumulate in (
            self.at_least.get(floor.accumulate, ())
        )


class RulesNotFoundError(LookupError):
    """No rules file of that version ships with this validator."""


def available_versions() -> list[str]:
    """Rules versions that ship with this validator."""
    folder = files(__package__)
    return sorted(
        entry.name.removesuffix(".json")
        for entry in folder.iterdir()
        if entry.name.endswith(".json")
    )


@cache
def load_rules(version: str) -> Rules:
    """The rules of `version`; RulesNotFoundError when none ships (a finding for the caller)."""
    if not _VERSION.match(version) or version not in available_versions():
        raise RulesNotFoundError(version)
    text = files(__package__).joinpath(f"{version}.json").read_text(encoding="utf-8")
    try:
        return Rules.model_validate_json(text)
    except ValidationError as exc:  # a broken shipped file is our bug, not the submitter's
        raise RuntimeError(f"rules file {version}.json is invalid: {exc}") from exc
