"""A round shaped like a real one, for the site's browser test and benchmark: many submitters,
every suite, every set and direction, two precisions, each system at its own speed, beside
DeepBench's historical round.

Every submitter runs one system through all five suites in the open division: every problem of
every set in each of its directions, in fp32 and in bf16 (fp32 accumulate), and the all-reduce in
place and out of place on 2 ranks. Each system has its own speed and noise, so tables and plots
hold different numbers (the site's compression must not profit from copies). Bundles are written
by the harness's own bundle writer; the checked-in submissions/deepbench-2019 is copied beside.
"""

from __future__ import annotations

import random
import shutil
from datetime import timedelta
from pathlib import Path

from harness.bundle import write_bundle
from schemas import (
    Collective,
    Division,
    DType,
    KernelResult,
    Precision,
    Problem,
    Suite,
    SystemDescription,
    load_problems,
)
from tests.validator.conftest import FP32, result_from_samples, run_result, system_description

SUBMITTERS = 20
HISTORICAL = Path(__file__).resolve().parents[3] / "submissions" / "deepbench-2019"
SAMPLES = 20
# 20 samples of at least this long meet the open division's minimum measured time (1 ms).
FLOOR_NS = 60_000
RANKS = 2
BF16 = Precision(input=DType.BF16, compute=DType.FP32, output=DType.BF16)
CODE_README = "# Open submission\n\n## Changes\nnone\n\n## Why\n-\n"


def _samples(problem: Problem, rng: random.Random, speed: float) -> tuple[int, ...]:
    base_ns = max(FLOOR_NS, problem.flops() / 50 / speed) * rng.uniform(1.0, 1.25)
    return tuple(int(base_ns * rng.uniform(1.0, 1.12)) for _ in range(SAMPLES))


def _results(suite: Suite, rng: random.Random, speed: float) -> tuple[KernelResult, ...]:
    """Every problem of the suite in each direction, precision (and collective mode)."""
    made: list[KernelResult] = []
    for problem in load_problems(suite):
        if suite is Suite("allreduce"):
            made += [_allreduce(problem, rng, speed, in_place) for in_place in (True, False)]
            continue
        for precision in (FP32, BF16):
            for direction in problem.directions:
                seed = rng.randrange(1 << 30)
                result = result_from_samples(
                    problem, _samples(problem, rng, speed), precision, seed, 12 * 1024
                )
                # Tighter than any rules' bound, whatever the direction's reduction length.
                checked = result.correctness.model_copy(update={"error": 1e-8, "tolerance": 1e-7})
                made.append(
                    result.model_copy(update={"direction": direction, "correctness": checked})
                )
    return tuple(made)


def _allreduce(problem: Problem, rng: random.Random, speed: float, in_place: bool) -> KernelResult:
    size = problem.params.count * 4  # type: ignore[attr-defined]
    samples = tuple(int(FLOOR_NS + size / speed * rng.uniform(0.1, 0.12)) for _ in range(SAMPLES))
    base = result_from_samples(problem, samples, FP32, rng.randrange(1 << 30), size)
    median = base.stats.median_ns
    collective = Collective(
        ranks=RANKS,
        in_place=in_place,
        size_bytes=size,
        algbw_gbps=size / median,
        busbw_gbps=size / median * 2 * (RANKS - 1) / RANKS,
    )
    exact = base.correctness.model_copy(update={"tolerance": 1e-300, "error": 0.0})
    return base.model_copy(update={"collective": collective, "correctness": exact})


def _system(index: int) -> SystemDescription:
    placement = [{"rank": r, "host": "node1", "device": "cpu"} for r in range(RANKS)]
    described = system_description(
        system_id=f"sys-{index:02d}", submitter=f"Org {index:02d}", ranks_per_node=RANKS
    )
    return SystemDescription.model_validate(described.model_dump() | {"placement": placement})


def make_real_round(root: Path, submitters: int = SUBMITTERS) -> Path:
    """Writes the round into `root`/2026.2, DeepBench's beside it, and returns `root`."""
    shutil.copytree(HISTORICAL, root / HISTORICAL.name)
    round_root = root / "2026.2"
    for index in range(submitters):
        rng = random.Random(index)
        speed = rng.uniform(0.5, 4.0)
        system = _system(index)
        submitter_root = round_root / "open" / f"org{index:02d}"
        (submitter_root / "systems").mkdir(parents=True)
        (submitter_root / "code").mkdir()
        (submitter_root / "code" / "README.md").write_text(CODE_README)
        (submitter_root / "systems" / f"{system.system_id}.json").write_text(
            system.model_dump_json(indent=2)
        )
        for suite in Suite.all():
            results = _results(suite, rng, speed)
            measured_ns = sum(sum(r.samples_ns) + r.warmup_count * r.stats.min_ns for r in results)
            started = run_result().started_utc
            run = run_result(
                suite.value,
                count=0,
                run_id=f"run-{index:02d}-{suite.value}",
                division=Division.OPEN,
                results=results,
                seed=index,
                finished_utc=started + timedelta(seconds=measured_ns / 1e9 + 1),
            )
            target = submitter_root / "results" / system.system_id / suite.value / "bundle"
            write_bundle(target, run, system)
    return root
