"""Run settings and the mapping of the output directory, without an engine."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from containers import CONTAINER_OUT, RunSettings, rewrite_output
from containers._run import _prepare_output, container_user
from schemas import UsageError


def test_out_moves_inside_the_container_and_names_the_host_path(tmp_path: Path) -> None:
    args, target = rewrite_output(["run", "--suite", "gemm", "--out", str(tmp_path / "o"), "-q"])
    assert args == ["run", "--suite", "gemm", "--out", CONTAINER_OUT, "-q"]
    assert target == tmp_path / "o"


def test_out_with_equals_and_a_relative_path(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    args, target = rewrite_output(["run", "--out=results/x"])
    assert args == ["run", "--out", CONTAINER_OUT]
    assert target == tmp_path / "results" / "x"


def test_resume_of_a_bundle_mounts_the_directory_above_it(tmp_path: Path) -> None:
    bundle = tmp_path / "out" / "gemm"
    bundle.mkdir(parents=True)
    (bundle / "result.json").write_text("{}")
    args, target = rewrite_output(["run", "--resume", str(bundle)])
    assert args == ["run", "--resume", CONTAINER_OUT]
    assert target == tmp_path / "out"


def test_no_output_directory_mounts_nothing() -> None:
    assert rewrite_output(["problems", "list"]) == (["problems", "list"], None)


@pytest.mark.parametrize(
    "args",
    [["run", "--out", "a", "--out", "b"], ["run", "--out", "a", "--resume", "b"], ["run", "--out"]],
)
def test_ambiguous_or_missing_output_is_a_usage_error(args: list[str]) -> None:
    with pytest.raises(UsageError):
        rewrite_output(args)


def test_the_settings_harden_the_container() -> None:
    options = RunSettings(memory="3g", pids_limit=256).docker_options()
    assert options["network_mode"] == "none"
    assert options["read_only"] is True
    assert options["cap_drop"] == ["ALL"]
    assert options["security_opt"] == ["no-new-privileges"]
    assert options["mem_limit"] == options["memswap_limit"] == "3g"
    assert options["pids_limit"] == 256
    assert set(options["tmpfs"]) == {"/tmp"}
    assert not options["user"].startswith("0:")
    assert "device_requests" not in options


def test_the_recorded_settings_are_strings_the_system_schema_takes() -> None:
    recorded = RunSettings(gpus="all").recorded()
    assert all(isinstance(v, str) for v in recorded.values())
    assert recorded["gpus"] == "all" and recorded["network"] == "none"
    assert json.loads(json.dumps(recorded)) == recorded


def test_a_root_caller_runs_as_nobody_and_others_as_themselves() -> None:
    uid, gid = container_user()
    assert uid != 0 and gid != 0
    if os.getuid() != 0:
        assert (uid, gid) == (os.getuid(), os.getgid())


@pytest.mark.parametrize(("gpus", "count"), [("all", -1), ("2", 2)])
def test_gpus_become_device_requests(gpus: str, count: int) -> None:
    (request,) = RunSettings(gpus=gpus).docker_options()["device_requests"]
    assert request["Count"] == count and request["Capabilities"] == [["gpu"]]


@pytest.mark.parametrize("gpus", ["-1", "device=0"])
def test_other_gpu_requests_are_usage_errors(gpus: str) -> None:
    with pytest.raises(UsageError, match="gpus"):
        RunSettings(gpus=gpus).docker_options()


def test_an_output_path_that_is_a_file_is_refused(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(UsageError, match="file"):
        _prepare_output(blocker)
    with pytest.raises(UsageError, match="not writable"):
        _prepare_output(blocker / "below")


def test_an_output_directory_that_cannot_be_made_is_refused() -> None:
    with pytest.raises(UsageError, match="not writable") as caught:
        _prepare_output(Path("/proc/kernelperf-out"))
    assert "--out" in caught.value.fix


def test_the_output_directory_is_made_and_handed_to_the_container_user(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b"
    assert _prepare_output(target) is True
    assert target.is_dir()
    assert (target.stat().st_uid, target.stat().st_gid) == container_user()
    assert _prepare_output(target) is False


@pytest.mark.parametrize(("kind", "gpus"), [("cuda", "all"), ("cpu", "none"), ("", "none")])
def test_an_image_without_a_gpu_choice_takes_its_kinds_default(kind: str, gpus: str) -> None:
    assert RunSettings().for_image(kind).recorded()["gpus"] == gpus
    assert RunSettings(gpus="2").for_image(kind).gpus == "2"


@pytest.mark.parametrize("gpus", [None, "none", "0"])
def test_no_gpu_asked_for_hides_them_even_from_a_default_nvidia_runtime(gpus: str | None) -> None:
    settings = RunSettings(gpus=gpus)
    assert "device_requests" not in settings.docker_options()
    assert settings.environment() == {"NVIDIA_VISIBLE_DEVICES": "void"}
    assert settings.recorded()["gpus"] == "none"


def test_gpus_asked_for_are_not_hidden() -> None:
    assert RunSettings(gpus="all").environment() == {}
