"""The all-reduce suite's arithmetic, sizes, cases and launch facts, without starting MPI."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from harness.allreduce import detect_launch, open_backend
from harness.allreduce._launch import (
    expand_slurm_counts,
    first_slurm_host,
    job_launch,
    other_nodes,
    placements,
    topology,
)
from harness.allreduce._suite import (
    EXACT_INTEGER_LIMIT,
    MAX_WEIGHT,
    collective_case,
    kernel_result,
    rank_factors,
    select_problems,
)
from harness.allreduce._watchdog import EXIT_CODE
from harness.suites.base import Case
from harness.timing import Timing
from kernelperf.cli import build_parser, main
from kernelperf.commands.run import request_from
from schemas import (
    Correctness,
    Direction,
    DType,
    ProblemSet,
    Profile,
    RunResult,
    Sweep,
    Timer,
    UsageError,
)
from schemas.suites.allreduce import SPEC, AllreduceParams


def test_kernel_result_reports_bytes_and_bandwidths_of_the_median() -> None:
    (problem,) = select_problems(Profile.SMOKE, DType.FP32)
    timing = Timing(samples_ns=(300, 100, 200, 400, 500), warmup_count=3, timer=Timer.HOST_CLOCK)
    check = Correctness(
        reference="exact", reduced_problem=False, error=0.0, tolerance=1e-300, passed=True
    )
    case = collective_case(problem, DType.FP32, in_place=True)
    result = kernel_result(case, ranks=4, timing=timing, correctness=check, seed=7)
    assert result.collective is not None
    assert result.collective.size_bytes == result.bytes_moved == 400_000
    assert result.stats.median_ns == 300
    assert result.collective.algbw_gbps == pytest.approx(400_000 / 300)
    assert result.collective.busbw_gbps == pytest.approx(400_000 / 300 * 1.5)
    assert result.gbps == result.collective.algbw_gbps
    assert (result.flops, result.tflops, result.collective.in_place) == (0, 0.0, True)


def test_full_profile_is_deepbenchs_seven_sizes_and_subsets_come_from_it() -> None:
    full = select_problems(Profile.FULL, DType.FP32)
    counts = [p.params.count for p in full if isinstance(p.params, AllreduceParams)]
    assert counts == [100_000, 3_097_600, 4_194_304, 6_553_600, 16_777_217, 38_360_000, 64_500_000]
    assert [p.id for p in full] == [f"allreduce/train/{i:03d}" for i in range(7)]
    assert [p.id for p in select_problems(Profile.QUICK, DType.FP16)] == list(SPEC.quick_ids)
    assert [p.id for p in select_problems(Profile.SMOKE, DType.FP32)] == list(SPEC.smoke_ids)
    assert select_problems(Profile.FULL, DType.FP32, id_glob="*/00[56]") == full[5:]


def test_sweep_sizes_are_bytes_with_stable_log2_ids() -> None:
    problems = select_problems(
        Profile.QUICK, DType.FP16, sweep=Sweep(min_bytes=1, max_bytes=1 << 20, step_factor=4)
    )
    assert [p.id for p in problems] == [
        f"allreduce/sweep/{k:03d}" for k in range(2, 21, 2)
    ]  # 1 byte holds no fp16 element: the sweep starts at 4 bytes
    assert all(p.set is ProblemSet.SWEEP for p in problems)
    counts = [p.params.count for p in problems if isinstance(p.params, AllreduceParams)]
    assert counts == [2 * 4**k for k in range(10)]


@pytest.mark.parametrize(
    ("min_bytes", "max_bytes", "step_factor"), [(0, 8, 2), (16, 8, 2), (8, 64, 1)]
)
def test_a_sweep_that_cannot_step_is_a_usage_error(
    min_bytes: int, max_bytes: int, step_factor: int
) -> None:
    sweep = Sweep(min_bytes=min_bytes, max_bytes=max_bytes, step_factor=step_factor)
    with pytest.raises(UsageError, match="cannot sweep"):
        sweep.sizes_bytes()


@given(ranks=st.integers(1, 5000), dtype=st.sampled_from(sorted(EXACT_INTEGER_LIMIT)))
def test_rank_factors_keep_every_sum_exact(ranks: int, dtype: DType) -> None:
    factors = rank_factors(ranks, dtype)
    assert len(factors) == ranks
    assert 0 < sum(factors) <= EXACT_INTEGER_LIMIT[dtype]
    top = max(1, min(MAX_WEIGHT, EXACT_INTEGER_LIMIT[dtype] // sum(factors)))
    assert top * sum(factors) <= EXACT_INTEGER_LIMIT[dtype]
    if ranks >= 2 and 3 * ranks <= EXACT_INTEGER_LIMIT[dtype]:
        assert factors[0] != factors[1]  # a rank counted twice changes the sum


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, ("none", 0, 1, 0)),
        ({"PMI_RANK": "3", "PMI_SIZE": "8", "MPI_LOCALRANKID": "1"}, ("mpiexec", 3, 8, 1)),
        (
            {"OMPI_COMM_WORLD_RANK": "2", "OMPI_COMM_WORLD_SIZE": "4"},
            ("mpiexec", 2, 4, None),
        ),
        (
            {"SLURM_PROCID": "5", "SLURM_NTASKS": "16", "SLURM_LOCALID": "1"},
            ("srun", 5, 16, 1),
        ),
        (
            {"RANK": "1", "WORLD_SIZE": "2", "LOCAL_RANK": "1", "SLURM_PROCID": "0"},
            ("torchrun", 1, 2, 1),
        ),
        (  # mpiexec inside a Slurm allocation: MPI's variables describe the ranks
            {"PMI_RANK": "1", "PMI_SIZE": "4", "SLURM_PROCID": "0", "SLURM_NTASKS": "1"},
            ("mpiexec", 1, 4, None),
        ),
        (  # srun --mpi=pmi2 sets PMI_RANK too, equal to the task id: Slurm started the rank
            {"PMI_RANK": "1", "PMI_SIZE": "2", "SLURM_PROCID": "1", "SLURM_NTASKS": "2"},
            ("srun", 1, 2, None),
        ),
        (  # srun inside a batch script
            {"SLURM_PROCID": "0", "SLURM_NTASKS": "2", "ENVIRONMENT": "BATCH"},
            ("sbatch", 0, 2, None),
        ),
    ],
)
def test_launch_is_learnt_from_the_launchers_variables(
    environ: dict[str, str], expected: tuple[str, int, int, int | None]
) -> None:
    launch = detect_launch(environ)
    assert (launch.launcher, launch.rank, launch.size, launch.local_rank) == expected


@pytest.mark.parametrize(
    ("nodelist", "host"),
    [("gpu[07-10,12],cpu1", "gpu07"), ("node1,node2", "node1"), ("a-b[3]", "a-b3"), ("n5", "n5")],
)
def test_first_slurm_host(nodelist: str, host: str) -> None:
    assert first_slurm_host(nodelist) == host


def test_topology_counts_distinct_hosts_and_the_busiest_node() -> None:
    placement = placements(["2\tb\tcpu", "0\ta\tcpu", "1\ta\tcpu"])
    assert [p.rank for p in placement] == [0, 1, 2]
    one_node = topology(placement[:2], "MPICH device ch4:ofi")
    assert (one_node.nodes, one_node.ranks_per_node) == (1, 2)
    assert one_node.interconnect.startswith("one node")
    two_nodes = topology(placement, "MPICH device ch4:ofi")
    assert (two_nodes.nodes, two_nodes.ranks_per_node) == (2, 2)
    assert two_nodes.interconnect.endswith("MPICH device ch4:ofi")


def test_watchdog_ends_a_process_that_stops_making_progress() -> None:
    script = (
        "import time\n"
        "from harness.allreduce._watchdog import Watchdog\n"
        "with Watchdog(0.5, rank=4) as dog:\n"
        "    dog.kick('step one')\n"
        "    time.sleep(0.3)\n"
        "    dog.kick('step two')\n"
        "    time.sleep(30)\n"
    )
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=20, check=False
    )
    elapsed_s = time.monotonic() - started
    assert done.returncode == EXIT_CODE
    assert "rank 4 made no progress for 0.5 s" in done.stderr
    assert "where: step two" in done.stderr
    assert elapsed_s < 10


def test_watchdog_lets_a_finished_process_exit_normally() -> None:
    script = (
        "from harness.allreduce._watchdog import Watchdog\n"
        "with Watchdog(0.2, rank=0) as dog:\n"
        "    dog.kick('quick step')\n"
        "print('done')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=20, check=False
    )
    assert (done.returncode, done.stdout.strip(), done.stderr) == (0, "done", "")


@pytest.mark.parametrize(
    ("flags", "where"),
    [
        (["--dtype", "int8"], "--dtype int8"),
        (["--min-bytes", "64", "--max-bytes", "8"], "--min-bytes"),
        (["--step-factor", "1", "--max-bytes", "64"], "--step-factor"),
        (["--resume", "somewhere"], "allreduce"),
        (["--timeout-s", "0"], "--timeout-s"),
    ],
)
def test_flags_the_allreduce_suite_cannot_honour_are_usage_errors(
    flags: list[str], where: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["run", "--suite", "allreduce", "--out", str(tmp_path), *flags])
    assert code == UsageError.exit_code
    assert where in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("backend", "device", "message"),
    [("mpi", "cuda", "host memory"), ("torch", "tpu", "unknown device")]
    + ([] if torch.cuda.is_available() else [("torch", "cuda", "sees no CUDA device")]),
)
def test_a_backend_refuses_a_device_it_cannot_use_before_communicating(
    backend: str, device: str, message: str, tmp_path: Path
) -> None:
    flags = ["--backend", backend, "--device", device, "--out", str(tmp_path)]
    request = request_from(build_parser().parse_args(["run", "--suite", "allreduce", *flags]))
    with pytest.raises(UsageError, match=message):
        open_backend(request, detect_launch({}))


def test_a_collective_case_is_the_compute_case_with_its_mode() -> None:
    (problem,) = select_problems(Profile.SMOKE, DType.BF16)
    case = collective_case(problem, DType.BF16, in_place=False)
    assert isinstance(case, Case) and case.direction is Direction.FWD
    assert {case.precision.input, case.precision.compute, case.precision.output} == {DType.BF16}
    assert case.label == f"{problem.id} bf16 out-of-place"


def test_the_request_of_an_allreduce_run_carries_its_options(tmp_path: Path) -> None:
    flags = ["--min-bytes", "64", "--max-bytes", "1024", "--step-factor", "4", "--dtype", "all"]
    args = build_parser().parse_args(
        ["run", "--suite", "allreduce", "--out", str(tmp_path), *flags]
    )
    request = request_from(args)
    assert request.collective is not None and request.collective.backend == "mpi"
    assert request.collective.sweep == Sweep(min_bytes=64, max_bytes=1024, step_factor=4)
    assert request.dtypes == (DType.FP32, DType.FP16, DType.BF16) and request.threads is None
    assert request.division().value == "open"  # a sweep is never the official sizes


def test_the_allreduce_package_never_imports_torch_or_starts_mpi() -> None:
    code = (
        "import sys, harness.allreduce, harness.allreduce._mpi, harness.allreduce._bundle; "
        "sys.exit(bool({'torch', 'mpi4py.MPI'} & set(sys.modules)))"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_the_summary_shows_a_collectives_mode_and_busbw() -> None:
    from rich.console import Console

    from kernelperf.commands.run import summary_table

    (problem,) = select_problems(Profile.SMOKE, DType.FP32)
    timing = Timing(samples_ns=(100, 200, 300), warmup_count=1, timer=Timer.HOST_CLOCK)
    check = Correctness(
        reference="exact", reduced_problem=False, error=0.0, tolerance=1e-300, passed=True
    )
    case = collective_case(problem, DType.FP32, in_place=False)
    result = kernel_result(case, ranks=2, timing=timing, correctness=check, seed=0)
    # The table reads results and errors only; the rest of a run does not matter here.
    run = RunResult.model_construct(results=(result,), errors=())
    console = Console(width=200, record=True)
    console.print(summary_table([run]))
    text = console.export_text()
    assert problem.id in text and "out-of-place" in text and "GB/s busbw" in text
    assert "TFLOP/s" not in text


def test_the_package_front_offers_exactly_its_public_names() -> None:
    import harness.allreduce

    offered = {name for name in vars(harness.allreduce) if not name.startswith("_")}
    assert offered == set(harness.allreduce.__all__)


def test_a_slurm_step_records_its_job() -> None:
    environ = {
        "SLURM_PROCID": "0", "SLURM_NTASKS": "3", "SLURM_JOB_ID": "41", "SLURM_STEP_ID": "2",
        "SLURM_JOB_PARTITION": "batch", "SLURM_STEP_NODELIST": "gpu[07-08]",
        "SLURM_STEP_TASKS_PER_NODE": "2,1", "SLURM_MPI_TYPE": "pmi2", "ENVIRONMENT": "BATCH",
    }  # fmt: skip
    job = job_launch(detect_launch(environ), environ)
    assert job is not None
    assert (job.launcher, job.job_id, job.step_id, job.partition) == ("sbatch", "41", "2", "batch")
    assert (job.node_list, job.tasks_per_node, job.mpi_plugin) == (
        ("gpu07", "gpu08"),
        (2, 1),
        "pmi2",
    )
    assert other_nodes(environ | {"SLURMD_NODENAME": "gpu08"}) == ("gpu07",)


def test_slurm_counts_expand_run_lengths() -> None:
    assert expand_slurm_counts("2(x3),1") == (2, 2, 2, 1)


def test_sigterm_ends_the_process_through_the_watchdog_after_its_last_words() -> None:
    script = (
        "import os, signal, threading, time\n"
        "from harness.allreduce._watchdog import Watchdog, last_words\n"
        "with last_words(lambda why, step: print('last words:', step, flush=True)):\n"
        "    with Watchdog(30, rank=1) as dog:\n"
        "        dog.kick('in a collective')\n"
        "        threading.Timer(0.2, os.kill, (os.getpid(), signal.SIGTERM)).start()\n"
        "        time.sleep(30)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=20, check=False
    )
    assert done.returncode == EXIT_CODE
    assert "rank 1 was cancelled (SIGTERM" in done.stderr
    assert done.stdout == "last words: in a collective\n"
