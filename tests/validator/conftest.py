"""Good bundles from the harness's own writer, and helpers that break them one part at a time.

`make_bundle(tmp_path, **broken_part)` writes a valid bundle through `harness.bundle.write_bundle`
from models built here (real problems from `schemas.load_problems`, statistics from `summarize`);
keyword arguments replace top-level fields of the RunResult. `edit_json` changes a written
document; by default (`reseal_manifest=True`) it rewrites the manifest too, as a forger would,
so that the check under test, not the integrity check, has to catch the change.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from harness.accuracy import tolerance
from harness.bundle import write_bundle
from schemas import (
    MANIFEST_NAME,
    Backend,
    Correctness,
    DType,
    Host,
    KernelResult,
    Precision,
    Problem,
    Profile,
    RunResult,
    Software,
    Suite,
    SystemDescription,
    SystemStatus,
    Timer,
    load_problems,
    manifest_of,
    summarize,
)

JsonEdit = Callable[[Any], object]
FP32 = Precision(input=DType.FP32, compute=DType.FP32, output=DType.FP32)


def kernel_result(
    problem: Problem, seed: int = 0, sample_count: int = 20, precision: Precision = FP32
) -> KernelResult:
    """A plausible CPU result of one problem: samples around 50 GFLOP/s, statistics that match."""
    rng = random.Random(seed)
    base_ns = max(1_000, problem.flops() // 50)
    samples_ns = tuple(int(base_ns * rng.uniform(1.0, 1.1)) for _ in range(sample_count))
    return result_from_samples(problem, samples_ns, precision, seed, 4 * 3 * 1024 * (seed + 1))


def result_from_samples(
    problem: Problem,
    samples_ns: tuple[int, ...],
    precision: Precision = FP32,
    seed: int = 0,
    bytes_moved: int = 4 * 3 * 1024,
) -> KernelResult:
    """A passing result whose statistics, FLOPs and throughput all follow from `samples_ns`."""
    stats = summarize(samples_ns)
    return KernelResult(
        problem=problem,
        direction=problem.directions[0],
        precision=precision,
        timer=Timer.HOST_CLOCK,
        warmup_count=3,
        samples_ns=samples_ns,
        stats=stats,
        flops=problem.flops(),
        bytes_moved=bytes_moved,
        tflops=problem.flops() / stats.median_ns / 1e3,
        gbps=bytes_moved / stats.median_ns,
        correctness=Correctness(
            reference="torch fp64 cpu",
            reduced_problem=False,
            error=1e-7,
            tolerance=tolerance(problem.suite, problem.directions[0], precision),
            passed=True,
        ),
        seed=seed,
    )


def run_result(suite_name: str = "gemm", count: int = 3, **changes: Any) -> RunResult:
    """A complete quick-profile run of the first `count` problems of the suite."""
    suite = Suite(suite_name)
    problems = load_problems(suite)[:count]
    run = RunResult(
        run_id="run-0001",
        harness_version="0.1.0",
        suite=suite,
        profile=Profile.QUICK,
        division="open",
        rules_version="2026.1",
        started_utc=datetime(2026, 1, 5, 12, 0, tzinfo=UTC),
        finished_utc=datetime(2026, 1, 5, 12, 5, tzinfo=UTC),
        command_line=("kernelperf", "run", suite.value),
        seed=7,
        complete=True,
        backend=Backend(
            name="torch",
            device="cpu",
            device_name="AMD EPYC 9R45",  # the host's cpu_model, as the harness records it
            threads=2,
            library_versions={"torch": "2.13.0"},
        ),
        results=tuple(kernel_result(p, seed=i) for i, p in enumerate(problems)),
        errors=(),
    )
    return run.model_copy(update=changes)


def system_description(**changes: Any) -> SystemDescription:
    """This machine, roughly: 2 cores of an AVX-512 EPYC, no accelerator."""
    system = SystemDescription(
        system_id="cpu-2c",
        submitter="Example Org",
        status=SystemStatus.AVAILABLE,
        host=Host(
            cpu_model="AMD EPYC 9R45",
            sockets=1,
            cores=2,
            logical_cpus=2,
            memory_bytes=24 << 30,
            isa_flags=("avx2", "avx512f", "avx512_bf16"),
        ),
        nodes=1,
        software=Software(os="Debian 12", kernel="6.1", python="3.11.2", framework="torch 2.13.0"),
    )
    return system.model_copy(update=changes)


def reseal(bundle: Path) -> None:
    """Rewrites the manifest from the files as they are now (what a forger would do)."""
    manifest = manifest_of(bundle)
    (bundle / MANIFEST_NAME).write_text(manifest.model_dump_json(indent=2) + "\n", encoding="utf-8")


def edit_json(bundle: Path, name: str, edit: JsonEdit, *, reseal_manifest: bool = True) -> None:
    """Applies `edit` to the parsed document `name` in place and writes it back."""
    path = bundle / name
    document = json.loads(path.read_text(encoding="utf-8"))
    edit(document)
    path.write_text(json.dumps(document, indent=2), encoding="utf-8")
    if reseal_manifest:
        reseal(bundle)


def write_good_bundle(
    target: Path,
    *,
    run: RunResult | None = None,
    system: SystemDescription | None = None,
    **run_changes: Any,
) -> Path:
    """A valid bundle at `target`; `run_changes` replace top-level fields of the RunResult."""
    run = (run or run_result()).model_copy(update=run_changes)
    return write_bundle(target, run, system or system_description(), [{"event": "start"}])


@pytest.fixture
def make_bundle() -> Callable[..., Path]:
    """`make_bundle(tmp_path, name="bundle", run=..., system=..., **run_changes) -> Path`."""

    def factory(
        tmp_path: Path,
        name: str = "bundle",
        *,
        run: RunResult | None = None,
        system: SystemDescription | None = None,
        **run_changes: Any,
    ) -> Path:
        run_changes.setdefault("run_id", f"run-{name}")  # two bundles are two runs
        return write_good_bundle(tmp_path / name, run=run, system=system, **run_changes)

    return factory


@pytest.fixture(autouse=True)
def _private_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each test gets its own validator cache, never the user's."""
    monkeypatch.setenv("KERNELPERF_CACHE_DIR", str(tmp_path_factory.mktemp("validator-cache")))
