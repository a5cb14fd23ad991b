"""A small round whose scores are computed by hand, written with the harness's own bundle writer.

Open division, rnn/inference_device: an official set of exactly three problems P0, P1, P2 (a
board scores over the rules' official list, so the round runs a whole set), fp32. Each median is
chosen so that the throughput is exactly the TFLOP/s below, in units of u = 0.064 TFLOP/s (the
FLOPs of P0..P2 are multiples of 2^11, so every median is a whole number of ns):

    system   P0     P1     P2     score (geometric mean)           vs beta
    alpha    1.0u   2.0u   4.0u*  (1·2·4)^(1/3) u = 2u             (0.25·0.5·4)^(1/3) = 0.5^(1/3)
    beta     4.0u   4.0u   1.0u   (4·4·1)^(1/3) u = 16^(1/3) u     1
    gamma    0.5u   1.0u   -      partial: (0.5·1)^(1/2) u         (0.125·0.25)^(1/2)
    delta    4.0u   4.0u   4.0u   its result.json was altered after the run: rejected

    * alpha's P2 samples vary widely (cv ≈ 0.85): a KP-RULES-CV warning; in the open division
      the rules do not list it as unscored, so the result still counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from harness.bundle import write_bundle
from schemas import (
    Division,
    KernelResult,
    Problem,
    ProblemSet,
    Suite,
    SystemDescription,
    load_problems,
    select_problems,
)
from tests.validator.conftest import (
    edit_json,
    result_from_samples,
    run_result,
    system_description,
)

ROUND = "2026.1"
README = "# Changes\n\n## Changes\nNone.\n\n## Why\nA test round.\n"
NARROW = (0.96, 0.98, 1.0, 1.02, 1.04)
WIDE = (0.25, 0.5, 1.0, 2.0, 3.0)
# Each pattern is repeated so that a result has the open division's `many_samples` (50): these
# medians are microseconds, below its minimum measured time. The median stays the factor 1.0.
REPEATS = 10
UNIT_TFLOPS = 0.064
SUITE = "rnn"
TFLOPS = {
    name: tuple(UNIT_TFLOPS * u for u in units)
    for name, units in {
        "alpha": (1.0, 2.0, 4.0),
        "beta": (4.0, 4.0, 1.0),
        "gamma": (0.5, 1.0),
        "delta": (4.0, 4.0, 4.0),
    }.items()
}


@dataclass(frozen=True)
class HandRound:
    """Where the round lies."""

    root: Path

    def bundle(self, system: str) -> Path:
        """The rnn bundle of one system."""
        return self.root / "open" / system / "results" / f"cpu-{system}" / SUITE / "run1"


def problems() -> tuple[Problem, ...]:
    """P0, P1, P2: the whole rnn/inference_device set."""
    return select_problems(load_problems(Suite(SUITE)), problem_set=ProblemSet.INFERENCE_DEVICE)


def exact_result(
    problem: Problem, tflops: float, factors: tuple[float, ...] = NARROW
) -> KernelResult:
    """A result whose median time gives exactly `tflops` (the median sample is factor 1.0)."""
    median_ns = round(problem.flops() / (tflops * 1e3))
    samples_ns = tuple(round(median_ns * f) for f in factors * REPEATS)
    return result_from_samples(problem, samples_ns)


def system_of(name: str) -> SystemDescription:
    """A CPU system named cpu-<name>, submitted by <name>."""
    return system_description(system_id=f"cpu-{name}", submitter=name)


def write_system(round_root: Path, name: str, rates: tuple[float, ...]) -> Path:
    """One open submission: the declared system, the README, and the rnn bundle."""
    submitter = round_root / "open" / name
    system = system_of(name)
    (submitter / "systems").mkdir(parents=True)
    (submitter / "systems" / f"{system.system_id}.json").write_text(
        system.model_dump_json(indent=2) + "\n", encoding="utf-8"
    )
    (submitter / "code").mkdir()
    (submitter / "code" / "README.md").write_text(README, encoding="utf-8")
    results = tuple(
        exact_result(p, t, WIDE if (name, i) == ("alpha", 2) else NARROW)
        for i, (p, t) in enumerate(zip(problems(), rates, strict=False))
    )
    run = run_result(
        Suite(SUITE),
        count=0,
        run_id=f"run-{name}",
        division=Division.OPEN,
        results=results,
    )
    return write_bundle(
        submitter / "results" / system.system_id / SUITE / "run1", run, system, [{"event": "run"}]
    )


def write_hand_round(
    tmp_path: Path, round_name: str = ROUND, rates: dict[str, tuple[float, ...]] | None = None
) -> HandRound:
    """The round of the module docstring at tmp_path/<round_name>; `rates` replace TFLOPS."""
    root = tmp_path / round_name
    for name, system_rates in (rates or TFLOPS).items():
        write_system(root, name, system_rates)
    delta = HandRound(root).bundle("delta")
    if delta.exists():
        edit_json(delta, "result.json", lambda d: d.update(seed=8), reseal_manifest=False)
    return HandRound(root)
