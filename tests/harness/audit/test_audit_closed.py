"""The closed path: `kernelperf audit` re-runs a closed bundle in the image it names (issue 13).

A closed run is the full official set, far too long for a test: the bundle is a smoke run made
by the harness in the cpu image and then labelled closed (result.json's division, manifest
rewritten), which is all the audit reads to choose the image over a native re-run.
"""

from __future__ import annotations

import json
from contextlib import closing
from pathlib import Path

import pytest

import containers
from harness import write_bundle
from kernelperf.cli import main
from schemas import (
    AUDIT_NAME,
    LOG_NAME,
    RESULT_NAME,
    SYSTEM_NAME,
    Audit,
    ContainerRunError,
    Division,
    RunResult,
    SystemDescription,
)

pytestmark = pytest.mark.docker
PROBLEM = "gemm/train/128"


@pytest.fixture(scope="module")
def cpu_image() -> str:
    """The cpu image, when an engine answers and holds it (`kernelperf container build cpu`)."""
    name = containers.image_name("cpu")
    try:
        with closing(containers.connect()) as client:
            present = containers.has_image(client, name)
    except ContainerRunError as exc:
        pytest.skip(f"no Docker engine answers ({exc.what}); `make engine` starts one")
    if not present:
        pytest.skip(f"{name} is missing: `kernelperf container build cpu` makes it")
    return name


def closed_bundle(image: str, folder: Path) -> Path:
    """A smoke GEMM bundle made in `image`, labelled closed."""
    made = folder / "made"
    args = ["run", "--suite", "gemm", "--profile", "smoke", "--filter", PROBLEM]
    args += ["--threads", "1", "--out", str(made), "--submitter", "acme", "--system-id", "box"]
    assert containers.run_harness(image, args, settings=containers.RunSettings()) == 0
    source = made / "gemm"
    run = RunResult.model_validate_json((source / RESULT_NAME).read_bytes())
    system = SystemDescription.model_validate_json((source / SYSTEM_NAME).read_bytes())
    events = [line for line in (source / LOG_NAME).read_text().splitlines() if line]
    closed = run.model_copy(update={"division": Division.CLOSED})
    return write_bundle(folder / "closed", closed, system, [json.loads(e) for e in events])


def test_a_closed_bundle_is_audited_in_its_image(cpu_image: str, tmp_path: Path) -> None:
    bundle = closed_bundle(cpu_image, tmp_path)
    out = tmp_path / "audit"
    code = main(["audit", str(bundle), "--sample", "1", "--seed", "7", "--out", str(out)])
    audit = Audit.model_validate_json((out / AUDIT_NAME).read_bytes())
    assert audit.runtime == "container" and audit.container is not None
    assert audit.container.image == cpu_image
    assert audit.complete and code == (0 if audit.passed else 1)
    (result,) = audit.results
    assert result.key.problem_id == PROBLEM and result.audit_error is None
    assert len(result.audit_rounds_ns) >= 2 and all(result.audit_rounds_ns)


def test_a_closed_bundle_whose_image_is_gone_is_a_clear_error(
    cpu_image: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A rebuilt image under the same tag is another build: the audit wants the ID it ran in."""
    bundle = closed_bundle(cpu_image, tmp_path)
    run = RunResult.model_validate_json((bundle / RESULT_NAME).read_bytes())
    system = SystemDescription.model_validate_json((bundle / SYSTEM_NAME).read_bytes())
    assert system.container is not None
    gone = system.container.model_copy(update={"image_id": "sha256:" + "0" * 64})
    events = [json.loads(e) for e in (bundle / LOG_NAME).read_text().splitlines() if e]
    moved = write_bundle(
        tmp_path / "rebuilt", run, system.model_copy(update={"container": gone}), events
    )
    out = tmp_path / "audit"
    code = main(["audit", str(moved), "--sample", "1", "--seed", "7", "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and "is not on this machine" in err and "docker load" in err
    assert not out.exists()
