"""A good round on disk, made with the harness's writer and attestation's keys, for round tests.

`write_round(tmp_path)` makes `2026.1/` with a clean closed submission (submitter `acme`: the
complete gemm/inference_device set at full profile, in the locked image, signed with the key
registered in `keys/acme.pub`) and a clean open submission (`beta`: a quick run with its
declaration in `code/README.md`). Tests break one part and expect one finding code.
"""

from __future__ import annotations

import math
import shutil
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from attestation import generate_key_pair, load_private_key, sign_bundle
from harness.bundle import write_bundle
from schemas import (
    ContainerImage,
    Division,
    ProblemSet,
    Profile,
    RunResult,
    Suite,
    SystemDescription,
    load_problems,
    select_problems,
)
from tests.validator.conftest import kernel_result, run_result, system_description
from validator.rules import load_rules

ROUND = "2026.1"
SYSTEM_ID = "cpu-2c"
README = "# Changes to the harness\n\n## Changes\nNone: quick profile.\n\n## Why\nA smoke test.\n"


@dataclass(frozen=True)
class RoundOnDisk:
    """Where the good round lies and the key that signs its closed bundle."""

    root: Path
    closed_bundle: Path
    open_bundle: Path
    private_key: Ed25519PrivateKey

    def resign(self) -> None:
        """Signs the closed bundle again (after a test changed it as its submitter would)."""
        sign_bundle(self.closed_bundle, self.private_key)


def locked_image() -> ContainerImage:
    """The first image the rules lock for the closed division."""
    locked = load_rules(ROUND).divisions[Division.CLOSED].locked_image_ids or ("sha256:none",)
    return ContainerImage(image="kernelperf/cpu:0.1.0", image_id=locked[0], runtime="docker")


def closed_run(run_id: str = "closed-1") -> RunResult:
    """The complete gemm/inference_device set, fp32, full profile, timed for the rules' minimum."""
    problems = select_problems(
        load_problems(Suite("gemm")), problem_set=ProblemSet.INFERENCE_DEVICE
    )
    closed = load_rules(ROUND).divisions[Division.CLOSED]
    results = []
    for index, problem in enumerate(problems):
        # kernel_result's samples are about flops/50 ns each (at least 1 us).
        sample_ns = max(1_000, problem.flops() // 50)
        count = max(20, math.ceil(2 * closed.min_measured_ms * 1e6 / sample_ns))
        results.append(kernel_result(problem, seed=index, sample_count=count))
    return run_result(
        Suite("gemm"),
        count=0,
        run_id=run_id,
        profile=Profile.FULL,
        division=Division.CLOSED,
        results=tuple(results),
    )


def case_events(run: RunResult) -> list[dict[str, object]]:
    """The log's case lines of a run, as the harness writes them (without their times)."""
    return [
        {
            "event": "case",
            "case": f"{r.problem.id} {r.direction.value} {r.precision.input.value}",
            "median_ns": r.stats.median_ns,
        }
        for r in run.results
    ]


def closed_system() -> SystemDescription:
    """The system of the closed submission: this machine, in the locked image."""
    return system_description(system_id=SYSTEM_ID, container=locked_image())


def place(round_root: Path, division: str, submitter: str, suite: str, name: str) -> Path:
    """Where a bundle of this round goes."""
    return round_root / division / submitter / "results" / SYSTEM_ID / suite / name


def declare(round_root: Path, division: str, submitter: str, system: SystemDescription) -> None:
    """Writes systems/<id>.json as `kernelperf submit` would."""
    systems = round_root / division / submitter / "systems"
    systems.mkdir(parents=True, exist_ok=True)
    (systems / f"{system.system_id}.json").write_text(system.model_dump_json(indent=2) + "\n")


def write_round(tmp_path: Path) -> RoundOnDisk:
    """The good round; validates with no error and no warning."""
    round_root = tmp_path / ROUND
    keys = generate_key_pair(tmp_path / "private-keys", "acme")
    (round_root / "keys").mkdir(parents=True)
    shutil.copy(keys.public_path, round_root / "keys" / "acme.pub")
    system = closed_system()
    run = closed_run()
    closed = write_bundle(
        place(round_root, "closed", "acme", "gemm", "run1"), run, system, case_events(run)
    )
    declare(round_root, "closed", "acme", system)
    private_key = load_private_key(keys.private_path)
    sign_bundle(closed, private_key)
    open_system = system_description(system_id=SYSTEM_ID)
    opened = write_bundle(
        place(round_root, "open", "beta", "gemm", "run1"), run_result(run_id="open-1"), open_system
    )
    declare(round_root, "open", "beta", open_system)
    (round_root / "open" / "beta" / "code").mkdir()
    (round_root / "open" / "beta" / "code" / "README.md").write_text(README)
    return RoundOnDisk(round_root, closed, opened, private_key)
