"""The images for real: bootstrapped, built, cached, run hardened, saved for Apptainer.

Every test here talks to a real Docker engine (CI starts one with `make engine`) and shares one
build of the cpu image, made from nothing on a fresh machine.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import tarfile
from collections.abc import Iterator
from pathlib import Path

import docker
import pytest

import containers
from containers._build import _run_build
from containers._images import PACKAGE_DIR, SOURCE_ROOT, harness_version
from containers._lock import sha256_of
from containers._run import container_user
from kernelperf.cli import main
from schemas import ContainerRunError
from tests.containers.conftest import CpuBuild

pytestmark = pytest.mark.docker

# Asked from inside the container: what the run settings should have made true.
INSIDE = """
import json, os, pathlib
status = dict(line.split(":\\t", 1) for line in open("/proc/self/status").read().splitlines())
def writable(path):
    try:
        pathlib.Path(path, "probe").write_text("x")
    except OSError:
        return False
    return True
print(json.dumps({
    "interfaces": sorted(os.listdir("/sys/class/net")),
    "uid": os.getuid(),
    "cap_eff": status["CapEff"].strip(),
    "no_new_privs": status["NoNewPrivs"].strip(),
    "root_writable": writable("/"),
    "opt_writable": writable("/opt/kernelperf"),
    "tmp_writable": writable("/tmp"),
    "out_writable": writable("/kp/out"),
    "pids_max": open("/sys/fs/cgroup/pids/pids.max").read().strip()
        if os.path.exists("/sys/fs/cgroup/pids/pids.max")
        else open("/sys/fs/cgroup/pids.max").read().strip(),
}))
"""


# Asked from inside the container: which C compilers (or their drivers) PATH finds.
COMPILERS_ON_PATH = """
import json, shutil
print(json.dumps([c for c in ("cc", "gcc", "c99", "clang", "tcc", "ld") if shutil.which(c)]))
"""


def test_engine_script_is_idempotent_once_an_engine_runs(
    docker_client: docker.DockerClient,
) -> None:
    for _ in range(2):
        done = subprocess.run(
            ["bash", str(PACKAGE_DIR / "engine.sh")], capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
        assert done.stderr == ""  # nothing installed, nothing started


def test_the_cpu_image_is_built_from_nothing(
    cpu_build: CpuBuild, docker_client: docker.DockerClient
) -> None:
    report = cpu_build.report
    assert report.base_made is not cpu_build.base_existed
    assert containers.has_image(docker_client, containers.BASE_IMAGE)
    assert report.image == containers.image_name("cpu")
    assert report.image_id == containers.image_id(report.image)
    assert report.size_bytes > 100_000_000
    print(f"cpu image: {report.size_bytes / 1e9:.2f} GB, built in {report.seconds:.0f} s")


def test_the_image_labels_trace_version_revision_and_lock(cpu_build: CpuBuild) -> None:
    labels = cpu_build.report.labels
    head = subprocess.run(
        ["git", "-C", str(SOURCE_ROOT), "rev-parse", "HEAD"], capture_output=True, text=True
    )
    assert labels["org.opencontainers.image.revision"] == (
        head.stdout.strip() if head.returncode == 0 else "unknown"
    )
    assert labels["org.opencontainers.image.version"] == harness_version()
    assert labels["org.opencontainers.image.created"]
    lock = containers.spec_for("cpu").lock_path
    assert labels["org.kernelperf.lock.sha256"] == sha256_of(lock)


def test_a_rebuild_without_changes_is_a_cache_hit(cpu_build: CpuBuild) -> None:
    again = containers.build_image("cpu")
    assert any("Using cache" in line for line in again.log)
    assert again.steps_run == 0, "\n".join(again.log)
    assert again.cache_hit
    assert again.image_id == cpu_build.report.image_id
    print(f"warm rebuild: {again.seconds:.1f} s, {again.steps_cached} steps from the cache")


def test_the_run_settings_take_effect_inside(cpu_build: CpuBuild, tmp_path: Path) -> None:
    out = io.BytesIO()
    settings = containers.RunSettings(pids_limit=321)
    os.chown(tmp_path, *container_user())
    code = containers.run_container(
        cpu_build.report.image,
        ["python", "-c", INSIDE],
        settings=settings,
        out_dir=tmp_path,
        stdout=out,
        stderr=io.BytesIO(),
    )
    assert code == 0
    seen = json.loads(out.getvalue())
    assert seen["interfaces"] == ["lo"]
    assert seen["uid"] != 0
    assert seen["cap_eff"] == "0000000000000000"
    assert seen["no_new_privs"] == "1"
    assert not seen["root_writable"] and not seen["opt_writable"]
    assert seen["tmp_writable"] and seen["out_writable"]
    assert seen["pids_max"] == "321"


def test_a_container_run_writes_a_bundle_that_records_its_image(
    cpu_build: CpuBuild, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "results"
    argv = ["run", "--suite", "gemm", "--profile", "smoke", "--out", str(out)]
    assert main(["container", "run", "cpu", "--", *argv]) == 0, capsys.readouterr().err
    (bundle,) = (path.parent for path in out.rglob("MANIFEST.json"))
    for name in ("result.json", "system.json", "logs"):
        assert (bundle / name).exists()
    system = json.loads((bundle / "system.json").read_text())
    assert system["container"]["image_id"] == _inspect(cpu_build, "{{.Id}}")
    assert system["container"]["image"] == cpu_build.report.image
    assert system["container"]["runtime"] == "docker"
    assert system["container"]["settings"]["network"] == "none"
    assert system["container"]["labels"] == json.loads(
        _inspect(cpu_build, "{{json .Config.Labels}}")
    )
    owners = {(p.stat().st_uid, p.stat().st_gid) for p in (out, *out.rglob("*"))}
    assert owners == {(os.getuid(), os.getgid())}
    capsys.readouterr()
    assert main(["validate", str(out)]) == 0, capsys.readouterr().out


def test_a_launcher_starts_kernelperf_inside_the_container(
    cpu_build: CpuBuild, capfd: pytest.CaptureFixture[str]
) -> None:
    # A shell stands in for torchrun: it announces itself, then execs the harness it was handed.
    launcher = "sh -c 'echo launched-by-sh; exec \"$@\"' sh"
    code = main(["container", "run", "--launcher", launcher, "cpu", "--", "problems", "--json"])
    out = capfd.readouterr().out
    assert code == 0
    first, rest = out.split("\n", 1)
    assert first == "launched-by-sh"
    assert json.loads(rest)


def test_the_image_serves_as_an_mpi_node_through_docker_exec(
    cpu_build: CpuBuild, docker_client: docker.DockerClient
) -> None:
    node = docker_client.containers.run(
        cpu_build.report.image, ["sleep", "60"], detach=True, network_mode="none", init=True
    )
    try:
        code, output = node.exec_run(
            [
                "sh",
                "-c",
                "for tool in kernelperf mpiexec hydra_pmi_proxy; do command -v $tool; done && "
                "python -c 'from mpi4py import MPI; print(MPI.Get_library_version())'",
            ]
        )
    finally:
        node.remove(force=True)
    text = output.decode()
    assert code == 0, text
    for tool in ("kernelperf", "mpiexec", "hydra_pmi_proxy"):
        assert f"/opt/kernelperf/bin/{tool}\n" in text
    assert "MPICH" in text


def test_the_allreduce_times_in_the_image_s_prebuilt_native_loop(
    cpu_build: CpuBuild, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "results"
    argv = ["run", "--suite", "allreduce", "--profile", "smoke", "--max-bytes", "64"]
    launcher = ["--launcher", "mpiexec -n 2"]
    code = main(["container", "run", *launcher, "cpu", "--", *argv, "--out", str(out)])
    assert code == 0, capsys.readouterr().err
    results = json.loads((out / "allreduce" / "result.json").read_text())["results"]
    assert results
    for result in results:
        assert result["timing_method"]["loop"] == "native"
        assert result["timing_method"]["fallback"] is None


def test_the_image_has_no_c_compiler(cpu_build: CpuBuild) -> None:
    out = io.BytesIO()
    code = containers.run_container(
        cpu_build.report.image,
        ["python", "-c", COMPILERS_ON_PATH],
        settings=containers.RunSettings(),
        stdout=out,
        stderr=io.BytesIO(),
    )
    assert code == 0
    assert json.loads(out.getvalue()) == []


def test_docker_save_gives_the_archive_apptainer_builds_from(
    cpu_build: CpuBuild, docker_client: docker.DockerClient
) -> None:
    # CLUSTERS.md: `docker save IMAGE -o kernelperf-cpu.tar` then
    # `apptainer build kernelperf-cpu.sif docker-archive://kernelperf-cpu.tar`.
    image = docker_client.images.get(cpu_build.report.image)
    stream = _Stream(image.save(named=True))
    with tarfile.open(fileobj=stream, mode="r|") as archive:
        for member in archive:
            if member.name == "manifest.json":
                manifest = json.load(archive.extractfile(member))  # type: ignore[arg-type]
                break
    (entry,) = manifest
    assert entry["RepoTags"] == [cpu_build.report.image]
    assert len(entry["Layers"]) == len(image.attrs["RootFS"]["Layers"])


def test_a_missing_image_says_how_to_build_it(
    docker_client: docker.DockerClient, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    argv = ["run", "--suite", "gemm", "--out", str(out)]
    assert main(["container", "run", "kernelperf/cpu:no-such-tag", "--", *argv]) == 1
    err = capsys.readouterr().err
    assert "image not found" in err and "kernelperf container build" in err
    assert not out.exists()


def test_an_unwritable_output_directory_is_refused_before_running(
    cpu_build: CpuBuild, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["run", "--suite", "gemm", "--out", "/proc/kernelperf-out"]
    assert main(["container", "run", "cpu", "--", *argv]) == 2
    err = capsys.readouterr().err
    assert "not writable" in err and "--out" in err


def test_a_build_failure_names_the_failing_step(
    cpu_build: CpuBuild, docker_client: docker.DockerClient
) -> None:
    context = io.BytesIO()
    with tarfile.open(fileobj=context, mode="w") as tar:
        dockerfile = b"ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nRUN exit 3\n"
        info = tarfile.TarInfo("Dockerfile")
        info.size = len(dockerfile)
        tar.addfile(info, io.BytesIO(dockerfile))
    context.seek(0)
    with pytest.raises(ContainerRunError) as caught:
        _run_build(
            docker_client,
            context,
            "kernelperf/test-broken:0",
            containers.BASE_IMAGE,
            {},
            False,
            lambda *_: None,
        )
    assert "Step 3/3 : RUN exit 3" in caught.value.what
    assert "\n" not in caught.value.what
    assert Path(caught.value.where).is_file()


def test_the_cuda_image_without_its_base_says_how_to_load_it(
    docker_client: docker.DockerClient,
) -> None:
    base = containers.spec_for("cuda").default_base
    if containers.has_image(docker_client, base):
        pytest.skip(f"{base} is loaded here; the cuda image can be built")
    with pytest.raises(ContainerRunError) as caught:
        containers.build_image("cuda")
    assert base in caught.value.what
    assert "docker load" in caught.value.fix


def _inspect(cpu_build: CpuBuild, template: str) -> str:
    """What `docker image inspect` says about the cpu image."""
    done = subprocess.run(
        ["docker", "image", "inspect", "--format", template, cpu_build.report.image],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


class _Stream(io.RawIOBase):
    """A readable file over the chunks of `docker save`, so tarfile can stream it."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        while not self._pending:
            self._pending = next(self._chunks, b"")
            if not self._pending:
                return 0
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size
