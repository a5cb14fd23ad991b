"""The runner on the real GEMM suite: records, error entries, budgets, interruption and resume."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import torch

from harness import plan_suites, read_resume
from harness.probe import describe_system
from harness.runner import Runner
from harness.suites.base import Case, Prepared, RunOptions
from harness.suites.gemm.kernels import GemmSuite
from schemas import (
    LOG_NAME,
    MANIFEST_NAME,
    BundleError,
    CollectiveOptions,
    DType,
    Manifest,
    Profile,
    RunRequest,
    RunResult,
    Suite,
    SystemDescription,
    UsageError,
    manifest_of,
)


@pytest.fixture(scope="module")
def system() -> SystemDescription:
    return describe_system(system_id="test-box", submitter="tests")


def smoke_request(**changes: Any) -> RunRequest:
    base = RunRequest(
        suites=(Suite("gemm"),),
        profile=Profile.SMOKE,
        device="cpu",
        dtypes=(DType.FP32, DType.BF16),
        seed=5,
        threads=torch.get_num_threads(),
    )
    return base.model_copy(update=changes)


def read_run(bundle: Path) -> RunResult:
    return RunResult.model_validate_json((bundle / "result.json").read_text(encoding="utf-8"))


def test_every_case_is_recorded_with_statistics_and_checks(
    tmp_path: Path, system: SystemDescription
) -> None:
    request = smoke_request()
    (run,) = Runner(request, system, tmp_path, command_line=["test"]).run(plan_suites(request))
    assert run.path == tmp_path / "gemm" and run.run.complete
    assert len(run.run.results) == 6 and not run.run.errors
    for result in run.run.results:
        assert result.correctness.passed
        assert result.seed == 5
        assert result.stats.count == len(result.samples_ns)
        expected_tflops = result.flops / result.stats.median_ns / 1e3
        assert result.tflops == pytest.approx(expected_tflops)
        assert result.page_faults is not None
    assert run.run.backend.threads == torch.get_num_threads()
    assert read_run(run.path) == run.run


def test_same_seed_gives_the_same_inputs(tmp_path: Path, system: SystemDescription) -> None:
    """The check's error depends only on the inputs: equal across runs with one seed."""
    request = smoke_request(dtypes=(DType.FP32,))
    first = Runner(request, system, tmp_path / "a", command_line=[]).run(plan_suites(request))
    again = Runner(request, system, tmp_path / "b", command_line=[]).run(plan_suites(request))
    errors = [[r.correctness.error for r in run.run.results] for run in (*first, *again)]
    assert errors[0] == errors[1]


class FailingGemm(GemmSuite):
    """GEMM whose second problem cannot run, as a backend without the kernel would say."""

    def prepare(self, case: Case, options: RunOptions) -> Prepared:
        if case.problem.id == self.suite.spec.smoke_ids[1]:
            raise RuntimeError("no kernel for this shape\nsecond line of detail")
        return super().prepare(case, options)


def test_a_failing_kernel_becomes_an_error_entry(tmp_path: Path, system: SystemDescription) -> None:
    request = smoke_request(dtypes=(DType.FP32,))
    (plan,) = plan_suites(request)
    plan = type(plan)(suite=FailingGemm(), cases=plan.cases)
    (run,) = Runner(request, system, tmp_path, command_line=[]).run([plan])
    assert run.run.complete
    assert [e.problem_id for e in run.run.errors] == ["gemm/train/138"]
    assert run.run.errors[0].message == "RuntimeError: no kernel for this shape"
    assert len(run.run.results) == 2


class InterruptedGemm(GemmSuite):
    """GEMM where the user presses Ctrl-C during the fourth case."""

    def __init__(self) -> None:
        self.prepared = 0

    def prepare(self, case: Case, options: RunOptions) -> Prepared:
        self.prepared += 1
        if self.prepared == 4:
            raise KeyboardInterrupt
        return super().prepare(case, options)


def test_interrupted_run_leaves_an_incomplete_bundle_that_resumes(
    tmp_path: Path, system: SystemDescription
) -> None:
    request = smoke_request()
    (plan,) = plan_suites(request)
    interrupted = type(plan)(suite=InterruptedGemm(), cases=plan.cases)
    with pytest.raises(KeyboardInterrupt):
        Runner(request, system, tmp_path, command_line=["first"]).run([interrupted])
    partial = read_run(tmp_path / "gemm")
    assert not partial.complete and len(partial.results) == 3

    resume = read_resume(tmp_path)
    assert resume.request == request and resume.system.system_id == "test-box"
    (run,) = Runner(resume.request, system, resume.out, command_line=["again"]).run(
        plan_suites(resume.request), resume.priors
    )
    assert run.run.complete and len(run.run.results) == 6
    assert run.run.results[:3] == partial.results, "measured cases are kept, not re-run"
    assert run.run.run_id == partial.run_id
    events = (tmp_path / "gemm" / "logs" / "harness.jsonl").read_text(encoding="utf-8")
    assert [json.loads(line)["event"] for line in events.splitlines()].count("resumed") == 1


def test_time_budget_stops_the_run_and_marks_it_incomplete(
    tmp_path: Path, system: SystemDescription
) -> None:
    ticks: Iterator[float] = iter(range(1000))
    request = smoke_request()
    runner = Runner(
        request, system, tmp_path, command_line=[], deadline=2.5, now=lambda: float(next(ticks))
    )
    (run,) = runner.run(plan_suites(request))
    assert runner.stopped_early
    assert not run.run.complete
    assert 0 < len(run.run.results) < 6


def test_bundle_manifest_matches_its_files(tmp_path: Path, system: SystemDescription) -> None:
    request = smoke_request(dtypes=(DType.FP32,))
    (run,) = Runner(request, system, tmp_path, command_line=[]).run(plan_suites(request))
    manifest = Manifest.model_validate_json((run.path / MANIFEST_NAME).read_text(encoding="utf-8"))
    assert manifest == manifest_of(run.path)
    assert {e.path for e in manifest.files} == {"result.json", "system.json", "logs/harness.jsonl"}
    # Atomic writes leave no staging or retired directories beside the bundle.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gemm"]


def _rewrite_request(bundle: Path, change: Callable[[dict[str, Any]], object]) -> None:
    """Edits the logged request of `bundle` in place, as damage or a hand edit would."""
    log = bundle / LOG_NAME
    events = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    change(events[0])
    log.write_text("".join(json.dumps(e) + "\n" for e in events), encoding="utf-8")


def test_the_request_is_logged_as_the_model_and_read_back(
    tmp_path: Path, system: SystemDescription
) -> None:
    request = smoke_request(dtypes=(DType.FP32,), id_glob="gemm/train/*")
    Runner(request, system, tmp_path, command_line=[]).run(plan_suites(request))
    first = json.loads((tmp_path / "gemm" / LOG_NAME).read_text(encoding="utf-8").splitlines()[0])
    assert first["event"] == "request"
    assert RunRequest.model_validate(first["request"]) == request
    assert read_resume(tmp_path).request == request


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        (lambda e: e["request"].update(seed=-3), BundleError, "request is damaged: seed"),
        (lambda e: e["request"].pop("profile"), BundleError, "request is damaged: profile"),
        (lambda e: e.update(event="other"), BundleError, "does not record the request"),
        (
            lambda e: e["request"].update(
                collective=CollectiveOptions(backend="mpi", timeout_s=1.0).model_dump()
            ),
            UsageError,
            "cannot be resumed",
        ),
    ],
)
def test_a_damaged_or_collective_request_cannot_be_resumed(
    tmp_path: Path,
    system: SystemDescription,
    change: Callable[[dict[str, Any]], object],
    error: type[Exception],
    message: str,
) -> None:
    request = smoke_request(dtypes=(DType.FP32,))
    Runner(request, system, tmp_path, command_line=[]).run(plan_suites(request))
    _rewrite_request(tmp_path / "gemm", change)
    with pytest.raises(error, match=message):
        read_resume(tmp_path)


class StickyGemm(GemmSuite):
    """GEMM whose second case hits an illegal address, as a broken kernel would on a GPU."""

    def __init__(self) -> None:
        self.prepared = 0

    def prepare(self, case: Case, options: RunOptions) -> Prepared:
        self.prepared += 1
        if self.prepared == 2:
            raise RuntimeError("CUDA error: an illegal memory access was encountered")
        return super().prepare(case, options)


def test_a_sticky_device_error_ends_the_run_with_an_incomplete_bundle(
    tmp_path: Path, system: SystemDescription
) -> None:
    from harness.runner import DeviceFailureError
    from schemas.result import ErrorKind

    request = smoke_request()
    (plan,) = plan_suites(request)
    suite = StickyGemm()
    sticky = type(plan)(suite=suite, cases=plan.cases)
    with pytest.raises(DeviceFailureError, match="illegal memory access") as caught:
        Runner(request, system, tmp_path, command_line=[]).run([sticky])
    assert "--resume" in caught.value.fix
    assert suite.prepared == 2, "no case runs after a sticky error"
    partial = read_run(tmp_path / "gemm")
    assert not partial.complete and len(partial.results) == 1
    assert [e.kind for e in partial.errors] == [ErrorKind.DEVICE_FAILURE]


def test_out_of_memory_is_recorded_as_such_and_the_run_goes_on(
    tmp_path: Path, system: SystemDescription
) -> None:
    from schemas.result import ErrorKind

    class HungryGemm(GemmSuite):
        def prepare(self, case: Case, options: RunOptions) -> Prepared:
            if case.problem.id == self.suite.spec.smoke_ids[1]:
                raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 80 GiB")
            return super().prepare(case, options)

    request = smoke_request(dtypes=(DType.FP32,))
    (plan,) = plan_suites(request)
    (run,) = Runner(request, system, tmp_path, command_line=[]).run(
        [type(plan)(suite=HungryGemm(), cases=plan.cases)]
    )
    assert run.run.complete and len(run.run.results) == 2
    assert [e.kind for e in run.run.errors] == [ErrorKind.OUT_OF_MEMORY]


def test_precision_is_applied_before_the_backend_is_recorded(
    tmp_path: Path, system: SystemDescription, monkeypatch: pytest.MonkeyPatch
) -> None:
    import harness.runner as runner_module

    order: list[str] = []
    real_backend = runner_module.torch_backend
    monkeypatch.setattr(runner_module, "strict_precision", lambda device: order.append("strict"))

    def recording_backend(device: str, threads: int) -> Any:
        order.append("record")
        return real_backend(device, threads)

    monkeypatch.setattr(runner_module, "torch_backend", recording_backend)
    request = smoke_request(dtypes=(DType.FP32,))
    Runner(request, system, tmp_path, command_line=[]).run(plan_suites(request))
    assert order[:2] == ["strict", "record"]


@pytest.mark.parametrize(("device", "count"), [("cuda:1", 1), ("cuda:x", 2), ("cuda:0", 0)])
def test_a_device_torch_does_not_have_is_a_usage_error(
    device: str, count: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    from harness.runner import bind_device

    bound: list[torch.device] = []
    monkeypatch.setattr(torch.cuda, "device_count", lambda: count)
    monkeypatch.setattr(torch.cuda, "set_device", bound.append)
    with pytest.raises(UsageError, match="no device"):
        bind_device(device)
    assert not bound


def test_the_chosen_device_is_made_current(monkeypatch: pytest.MonkeyPatch) -> None:
    """cuda:1 while cuda:0 is current: capture would record into an empty graph without this."""
    from harness.runner import resolve_device

    bound: list[torch.device] = []
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 2)
    monkeypatch.setattr(torch.cuda, "set_device", bound.append)
    assert resolve_device("cuda:1") == "cuda:1"
    assert bound == [torch.device("cuda:1")]
