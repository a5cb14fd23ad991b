"""A real Slurm cluster of containers: srun and sbatch across two nodes, scancel, a node that dies.

One cluster serves the whole session (`slurm_cluster`); the test that stops a node runs last.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

import containers
from containers._cluster import LABEL, ROLE_LABEL, SHARE_LABEL
from schemas import RunResult, SystemDescription
from tests.containers.conftest import require_engine

BIN = Path(sys.executable).parent
REPO = Path(__file__).resolve().parents[2]
SCRIPTS = "/opt/kernelperf/slurm"
pytestmark = [pytest.mark.docker, pytest.mark.slurm]


def kernelperf(*args: str, timeout_s: float = 600) -> subprocess.CompletedProcess[str]:
    """The CLI, for real, from the repository root."""
    return subprocess.run(
        [str(BIN / "kernelperf"), *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout_s,
        check=False,
    )


class Cluster:
    """The session's Slurm cluster: its name, its shared folder on the host, its containers."""

    def __init__(self, name: str) -> None:
        self.name = name
        with closing(containers.connect()) as client:
            members = client.containers.list(filters={"label": f"{LABEL}={name}"})
        self.controller = next(m.name for m in members if m.labels[ROLE_LABEL] == "controller")
        self.share = Path(members[0].labels[SHARE_LABEL])

    def login(self, command: str) -> subprocess.CompletedProcess[str]:
        """A shell command on the login node, in the shared folder, as nobody."""
        return kernelperf("cluster", "--name", self.name, "exec", "--", "sh", "-c", command)

    def node_processes(self, node: str) -> list[str]:
        """Command lines of every process in a node container."""
        listing = subprocess.run(
            ["docker", "exec", node, "sh", "-c", 'for p in /proc/[0-9]*; do tr "\\0" " " '
             '< "$p/cmdline" 2>/dev/null; echo; done'],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        return [line for line in listing.stdout.splitlines() if line.strip()]


@pytest.fixture(scope="session")
def slurm_cluster() -> Iterator[Cluster]:
    """Two slurmd nodes and a controller, up for the session; removed afterwards."""
    require_engine("Slurm")
    name = f"kps{uuid.uuid4().hex[:6]}"
    started_s = time.monotonic()
    up = kernelperf("cluster", "--name", name, "up", "--engine", "slurm", "--nodes", "2")
    try:
        assert up.returncode == 0, up.stderr
        print(f"\nslurm cluster {name} up in {time.monotonic() - started_s:.1f} s")
        yield Cluster(name)
    finally:
        down = kernelperf("cluster", "--name", name, "down")
        assert down.returncode == 0, down.stderr


def read_bundle(bundle: Path) -> tuple[RunResult, SystemDescription]:
    """The two documents of a bundle."""
    return (
        RunResult.model_validate_json((bundle / "result.json").read_text()),
        SystemDescription.model_validate_json((bundle / "system.json").read_text()),
    )


def assert_two_node_job(system: SystemDescription, cluster: Cluster, launcher: str) -> None:
    """Two nodes, one rank each, and a job that says so."""
    nodes = (f"{cluster.name}-node1", f"{cluster.name}-node2")
    assert (system.nodes, system.ranks_per_node) == (2, 1)
    assert [(p.rank, p.host) for p in system.placement] == list(enumerate(nodes))
    assert system.job is not None
    assert (system.job.launcher, system.job.node_list, system.job.tasks_per_node) == (
        launcher,
        nodes,
        (1, 1),
    )
    assert (system.job.partition, system.job.mpi_plugin) == (cluster.name, "pmi2")
    assert system.container is not None and "slurm-node" in system.container.image


def test_srun_across_two_node_containers(slurm_cluster: Cluster, tmp_path: Path) -> None:
    done = kernelperf(
        "cluster", "--name", slurm_cluster.name, "run", "--",
        "run", "--suite", "allreduce", "--profile", "smoke", "--out", str(tmp_path),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    run, system = read_bundle(tmp_path / "allreduce")
    assert_two_node_job(system, slurm_cluster, "srun")
    assert system.job is not None and system.job.job_id and system.job.step_id == "0"
    assert run.complete and all(r.correctness.passed for r in run.results)
    assert run.backend.environment["launcher"] == "srun"
    checked = kernelperf("validate", str(tmp_path / "allreduce"), "--json")
    assert checked.returncode == 0, checked.stdout


def test_sbatch_of_the_shipped_job_scripts(slurm_cluster: Cluster) -> None:
    submitted = slurm_cluster.login(
        "mkdir -p logs && "
        f"sbatch --parsable --wait {SCRIPTS}/allreduce.sbatch --profile smoke && "
        f"sbatch --parsable --wait {SCRIPTS}/compute.sbatch --profile smoke"
    )
    assert submitted.returncode == 0, submitted.stderr
    allreduce_job, compute_job = submitted.stdout.split()
    results = slurm_cluster.share / "results"
    run, system = read_bundle(results / allreduce_job / "allreduce")
    assert_two_node_job(system, slurm_cluster, "sbatch")
    assert system.job is not None and system.job.job_id == allreduce_job
    assert run.complete
    suites = sorted(p.name for p in (results / compute_job).iterdir())
    assert suites == ["conv", "gemm", "rnn", "sparse_gemm"]
    logs = sorted(p.name for p in (slurm_cluster.share / "logs").iterdir())
    assert f"kp-allreduce-{allreduce_job}.out" in logs and f"kp-compute-{compute_job}.out" in logs
    assert validation_errors(results / allreduce_job / "allreduce") == []
    for bundle in (results / compute_job).iterdir():
        assert validation_errors(bundle) == [], bundle


def validation_errors(bundle: Path) -> list[str]:
    """The codes of the validator's error findings on one bundle."""
    checked = kernelperf("validate", "--json", str(bundle))
    report = json.loads(checked.stdout)
    return [
        f["code"]
        for each in report["bundles"]
        for f in each["findings"]
        if f["severity"] == "error"
    ]


def wait_for(condition: str, check: object, timeout_s: float = 60) -> None:
    """Polls `check()` until true; fails naming the condition."""
    deadline_s = time.monotonic() + timeout_s
    while time.monotonic() < deadline_s:
        if check():  # type: ignore[operator]
            return
        time.sleep(0.3)
    pytest.fail(f"not within {timeout_s} s: {condition}")


def test_scancel_leaves_an_incomplete_bundle(slurm_cluster: Cluster) -> None:
    submitted = slurm_cluster.login(
        f"mkdir -p logs && sbatch --parsable {SCRIPTS}/allreduce.sbatch --profile full"
    )
    assert submitted.returncode == 0, submitted.stderr
    job = submitted.stdout.strip()
    state = f"squeue -h -j {job} -o %t"
    wait_for("the job running", lambda: slurm_cluster.login(state).stdout.strip() == "R")
    time.sleep(8)  # into the sweep: starting the ranks takes a few seconds
    assert slurm_cluster.login(f"scancel {job}").returncode == 0
    wait_for("the job gone", lambda: job not in slurm_cluster.login("squeue -h -o %i").stdout)
    run, system = read_bundle(slurm_cluster.share / "results" / job / "allreduce")
    assert not run.complete
    assert "cancelled" in run.errors[0].message
    assert system.job is not None and system.job.job_id == job
    for node in (1, 2):
        running = slurm_cluster.node_processes(f"{slurm_cluster.name}-node{node}")
        assert not [line for line in running if "kernelperf" in line], running


def test_a_node_stopped_mid_job_ends_it_within_the_watchdog_timeout(
    slurm_cluster: Cluster, tmp_path: Path
) -> None:
    timeout_s = 5
    job = subprocess.Popen(
        [str(BIN / "kernelperf"), "cluster", "--name", slurm_cluster.name, "run", "--",
         "run", "--suite", "allreduce", "--profile", "quick", "--timeout-s", str(timeout_s),
         "--out", str(tmp_path)],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    time.sleep(6)  # into the timed calls: starting the ranks takes a few seconds
    dead = f"{slurm_cluster.name}-node2"
    subprocess.run(["docker", "stop", "-t", "0", dead], check=True, capture_output=True)
    stopped_s = time.monotonic()
    output, _ = job.communicate(timeout=120)
    ended_after_s = time.monotonic() - stopped_s
    assert job.returncode != 0
    assert f"the job's other nodes: {dead}" in output
    print(f"\nthe job ended {ended_after_s:.1f} s after {dead} stopped")
    run, system = read_bundle(tmp_path / "allreduce")
    assert not run.complete and dead in run.errors[0].message
    assert system.job is not None and system.job.node_list[1] == dead
    running = slurm_cluster.node_processes(f"{slurm_cluster.name}-node1")
    assert not [line for line in running if "kernelperf" in line], running
