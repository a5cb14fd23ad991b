"""`kernelperf submit`: bundles land in the layout atomically, systems declared, then checked."""

from __future__ import annotations

import json
import tarfile
from collections.abc import Callable
from pathlib import Path

import pytest

from kernelperf.cli import main
from tests.validator.rounds import closed_run

MakeBundle = Callable[..., Path]


def submit(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["submit", *args])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def test_submit_places_bundle_and_declares_system(
    tmp_path: Path, make_bundle: MakeBundle, capsys: pytest.CaptureFixture[str]
) -> None:
    bundle = make_bundle(tmp_path / "runs", "gemm-run")
    into = tmp_path / "submissions"
    code, out, _ = submit(
        capsys, str(bundle), "--round", "2026.1", "--division", "open", "--submitter", "acme",
        "--into", str(into), "--json",
    )  # fmt: skip
    submitter = into / "2026.1" / "open" / "acme"
    assert (submitter / "results" / "cpu-2c" / "gemm" / "gemm-run" / "MANIFEST.json").is_file()
    assert json.loads((submitter / "systems" / "cpu-2c.json").read_text())["system_id"] == "cpu-2c"
    report = json.loads(out)
    # The open division asks for a declaration of changes in code/README.md.
    assert report["codes"] == {"KP-RULES-OPEN-DECLARATION": 1}
    assert code == 1
    (submitter / "code").mkdir()
    (submitter / "code" / "README.md").write_text("## Changes\nnone\n## Why\nquick profile\n")
    assert main(["validate", str(into / "2026.1")]) == 0


def test_submit_never_overwrites_without_force(
    tmp_path: Path, make_bundle: MakeBundle, capsys: pytest.CaptureFixture[str]
) -> None:
    bundle = make_bundle(tmp_path / "runs", "gemm-run")
    args = (str(bundle), "--round", "r1", "--division", "closed", "--submitter", "acme",
            "--into", str(tmp_path / "s"))  # fmt: skip
    submit(capsys, *args)
    code, _, err = submit(capsys, *args)
    assert code == 1
    assert "already submitted" in err
    code, _, _ = submit(capsys, *args, "--force")
    assert code == 1  # placed again; a closed quick run still breaks the rules
    assert not [p for p in (tmp_path / "s").rglob(".*")]  # no staging left behind


def test_submit_keeps_archives_as_archives(
    tmp_path: Path, make_bundle: MakeBundle, capsys: pytest.CaptureFixture[str]
) -> None:
    bundle = make_bundle(tmp_path / "runs", "b1", run=closed_run())
    archive = tmp_path / "b1.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(bundle, arcname="b1")
    submit(capsys, str(archive), "--round", "r1", "--division", "open", "--submitter", "acme",
           "--into", str(tmp_path / "s"))  # fmt: skip
    assert (
        tmp_path / "s" / "r1" / "open" / "acme" / "results" / "cpu-2c" / "gemm" / "b1.tar.gz"
    ).is_file()


def test_submit_refuses_the_wrong_system_and_non_bundles(
    tmp_path: Path, make_bundle: MakeBundle, capsys: pytest.CaptureFixture[str]
) -> None:
    bundle = make_bundle(tmp_path / "runs", "b1")
    base = ("--round", "r1", "--division", "open", "--submitter", "acme", "--into", str(tmp_path))
    code, _, err = submit(capsys, str(bundle), *base, "--system-id", "other")
    assert code == 2
    assert "ran on system 'cpu-2c'" in err
    code, _, err = submit(capsys, str(tmp_path / "runs"), *base)
    assert code == 2
    assert "not a bundle" in err
