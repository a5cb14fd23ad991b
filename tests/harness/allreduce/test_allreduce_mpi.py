"""The all-reduce suite for real: several ranks under the venv's `mpiexec`, faults included."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pytest

from schemas import RunResult, SystemDescription

pytestmark = pytest.mark.mpi

BIN = Path(sys.executable).parent
REPO = Path(__file__).resolve().parents[3]
FAULTS = "tests.harness.allreduce.faults"


def mpiexec(ranks: int, *command: str, timeout_s: float = 120) -> subprocess.CompletedProcess[str]:
    """`mpiexec -n RANKS COMMAND` from the repository root, output captured."""
    return subprocess.run(
        [str(BIN / "mpiexec"), "-n", str(ranks), *command],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout_s,
        check=False,
    )


def kernelperf_run(*flags: str) -> tuple[str, ...]:
    """`kernelperf run --suite allreduce FLAGS`."""
    return (str(BIN / "kernelperf"), "run", "--suite", "allreduce", *flags)


def bundle(out: Path) -> tuple[RunResult, SystemDescription]:
    """The result and system documents of OUT/allreduce."""
    folder = out / "allreduce"
    run = RunResult.model_validate_json((folder / "result.json").read_text(encoding="utf-8"))
    system = SystemDescription.model_validate_json(
        (folder / "system.json").read_text(encoding="utf-8")
    )
    return run, system


def processes_mentioning(marker: str, wait_s: float = 10.0) -> list[str]:
    """Command lines of live processes that contain `marker`, after letting them exit."""
    deadline = time.monotonic() + wait_s
    while True:
        found = []
        for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
            try:
                text = cmdline.read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if marker in text:
                found.append(text)
        if not found or time.monotonic() > deadline:
            return found
        time.sleep(0.2)


@pytest.mark.parametrize("ranks", [2, 3])
def test_the_suite_runs_under_mpiexec_and_rank_0_writes_one_bundle(
    tmp_path: Path, ranks: int
) -> None:
    kernelperf = str(BIN / "kernelperf")
    done = mpiexec(
        ranks,
        kernelperf,
        "run",
        "--suite",
        "allreduce",
        "--profile",
        "smoke",
        "--out",
        str(tmp_path),
    )
    assert done.returncode == 0, done.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["allreduce"]
    run, system = bundle(tmp_path)
    assert run.complete and not run.errors
    assert [r.collective.in_place for r in run.results if r.collective] == [False, True]
    for result in run.results:
        collective = result.collective
        assert collective is not None
        assert result.correctness.passed and result.correctness.error == 0.0
        assert collective.ranks == ranks and collective.size_bytes == 400_000
        median_ns = statistics.median(result.samples_ns)
        assert collective.algbw_gbps == pytest.approx(400_000 / median_ns)
        assert collective.busbw_gbps == pytest.approx(
            collective.algbw_gbps * 2 * (ranks - 1) / ranks
        )
    assert (system.nodes, system.ranks_per_node) == (1, ranks)
    assert [p.rank for p in system.placement] == list(range(ranks))
    assert system.software.mpi_library is not None
    assert system.software.mpi_library.startswith("MPICH")
    assert system.software.mpi_thread_level == "single"
    assert run.backend.environment["launcher"] == "mpiexec"


def test_a_hostfile_launch_needs_no_other_flag(tmp_path: Path) -> None:
    hostfile = tmp_path / "hosts"
    hostfile.write_text("localhost:2\n", encoding="utf-8")
    out = tmp_path / "out"
    command = kernelperf_run("--profile", "smoke", "--out", str(out))
    done = mpiexec(2, "-f", str(hostfile), *command)
    assert done.returncode == 0, done.stderr
    run, system = bundle(out)
    assert run.complete and {r.collective.ranks for r in run.results if r.collective} == {2}
    assert (system.nodes, system.ranks_per_node) == (1, 2)


def test_the_torch_backend_runs_gloo_in_place_with_bf16(tmp_path: Path) -> None:
    flags = ("--backend", "torch", "--dtype", "all", "--profile", "smoke", "--out", str(tmp_path))
    done = mpiexec(2, *kernelperf_run(*flags))
    assert done.returncode == 0, done.stderr
    run, _ = bundle(tmp_path)
    assert run.backend.name == "torch.distributed"
    modes = [(r.precision.input.value, r.collective and r.collective.in_place) for r in run.results]
    assert modes == [("fp32", True), ("fp16", True), ("bf16", True)]
    assert all(r.correctness.passed for r in run.results)


def test_a_wrong_element_on_one_rank_fails_that_result(tmp_path: Path) -> None:
    done = mpiexec(2, sys.executable, "-m", FAULTS, "corrupt", str(tmp_path))
    assert done.returncode == 0, done.stderr
    run, _ = bundle(tmp_path)
    verdicts = {
        r.collective.in_place: (r.correctness.passed, r.correctness.error)
        for r in run.results
        if r.collective
    }
    assert verdicts[False] == (True, 0.0)
    passed, error = verdicts[True]
    assert not passed and error > 0


def test_a_killed_rank_ends_the_run_without_a_bundle_or_stray_processes(tmp_path: Path) -> None:
    started = time.monotonic()
    done = mpiexec(3, sys.executable, "-m", FAULTS, "die", str(tmp_path), "30", timeout_s=90)
    assert done.returncode != 0
    assert time.monotonic() - started < 30
    assert "KILLED" in done.stdout + done.stderr or "Killed" in done.stdout + done.stderr
    assert not (tmp_path / "allreduce").exists()
    assert processes_mentioning(str(tmp_path)) == []


def test_a_hung_rank_ends_the_run_within_the_timeout(tmp_path: Path) -> None:
    timeout_s = 3
    started = time.monotonic()
    done = mpiexec(2, sys.executable, "-m", FAULTS, "hang", str(tmp_path), str(timeout_s))
    elapsed_s = time.monotonic() - started
    assert done.returncode != 0
    assert "made no progress for 3 s" in done.stderr
    assert elapsed_s < timeout_s + 20
    assert not (tmp_path / "allreduce").exists()
    assert processes_mentioning(str(tmp_path)) == []


def test_no_bundle_lies_about_its_rank_count(tmp_path: Path) -> None:
    """A lone process (no launcher) is one rank; its busbw is 0 and it says so."""
    done = subprocess.run(
        kernelperf_run("--profile", "smoke", "--out", str(tmp_path)),
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    run, system = bundle(tmp_path)
    assert {r.collective.ranks for r in run.results if r.collective} == {1}
    assert {r.collective.busbw_gbps for r in run.results if r.collective} == {0.0}
    assert (system.nodes, system.ranks_per_node, run.backend.environment["launcher"]) == (
        1,
        1,
        "none",
    )
    assert json.loads((tmp_path / "allreduce" / "result.json").read_text())["complete"] is True


def test_small_sizes_run_in_the_native_loop_batched_and_record_it(tmp_path: Path) -> None:
    """The venv's mpicc builds the C loop, and each result records how many calls a sample holds.

    How many depends on the warm-up's pace, so only the recording is checked, not k itself.
    """
    flags = ("--profile", "smoke", "--max-bytes", "64", "--min-sample-us", "1000")
    done = mpiexec(2, *kernelperf_run(*flags, "--out", str(tmp_path)))
    assert done.returncode == 0, done.stderr
    run, _ = bundle(tmp_path)
    for result in run.results:
        method = result.timing_method
        assert method is not None and method.loop.value == "native" and method.fallback is None
        assert result.measured_ns() == sum(result.samples_ns) * method.calls_per_sample


@pytest.mark.parametrize(
    ("flags", "calls_per_sample_is_one"),
    [(("--loop", "python"), False), (("--min-sample-us", "0"), True)],
)
def test_the_python_loop_and_per_call_samples_are_chosen_and_recorded(
    tmp_path: Path, flags: tuple[str, ...], calls_per_sample_is_one: bool
) -> None:
    done = mpiexec(
        2,
        *kernelperf_run("--profile", "smoke", "--max-bytes", "64", "--out", str(tmp_path), *flags),
    )
    assert done.returncode == 0, done.stderr
    run, _ = bundle(tmp_path)
    for result in run.results:
        method = result.timing_method
        assert method is not None
        assert (method.loop.value == "python") == (flags[0] == "--loop")
        assert method.calls_per_sample == 1 or not calls_per_sample_is_one
