"""`kernelperf validate` end to end: exit codes, human view, --json and --junit, no tracebacks."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest

from kernelperf.cli import main
from tests.validator.conftest import edit_json

MakeBundle = Callable[..., Path]


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["validate", *args])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def test_clean_bundle_exits_0(
    tmp_path: Path, make_bundle: MakeBundle, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_cli(capsys, str(make_bundle(tmp_path)))
    assert code == 0
    assert "PASS" in out


def test_tampered_result_exits_1_naming_the_file(
    tmp_path: Path, make_bundle: MakeBundle, capsys: pytest.CaptureFixture[str]
) -> None:
    bundle = make_bundle(tmp_path)
    path = bundle / "result.json"
    data = bytearray(path.read_bytes())
    data[-3] ^= 0x01  # one byte inside the final closing brackets' whitespace run
    path.write_bytes(bytes(data))
    code, out, _ = run_cli(capsys, str(bundle))
    assert code == 1
    assert "KP-INTEGRITY-HASH" in out
    assert "bundle/result.json" in out


def test_missing_field_exits_1_with_its_json_path(
    tmp_path: Path, make_bundle: MakeBundle, capsys: pytest.CaptureFixture[str]
) -> None:
    bundle = make_bundle(tmp_path)
    edit_json(bundle, "result.json", lambda d: d.pop("backend"))
    code, out, _ = run_cli(capsys, "--json", str(bundle))
    assert code == 1
    report = json.loads(out)
    paths = {(f["code"], f["json_path"]) for b in report["bundles"] for f in b["findings"]}
    assert ("KP-SCHEMA-REQUIRED", "backend") in paths
    assert report["ok"] is False


def test_missing_path_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, str(tmp_path / "nowhere"))
    assert code == 2
    assert "no such file or folder" in err


def test_json_is_one_document(
    tmp_path: Path, make_bundle: MakeBundle, capsys: pytest.CaptureFixture[str]
) -> None:
    make_bundle(tmp_path, "a")
    make_bundle(tmp_path, "b")
    code, out, _ = run_cli(capsys, "--json", str(tmp_path))
    assert code == 0
    report = json.loads(out)
    assert report["counts"]["bundles"] == 2
    assert [b["path"] for b in report["bundles"]] == ["a", "b"]


def test_junit_lists_each_bundle_as_a_test_case(
    tmp_path: Path, make_bundle: MakeBundle, capsys: pytest.CaptureFixture[str]
) -> None:
    make_bundle(tmp_path / "round", "good")
    bad = make_bundle(tmp_path / "round", "bad")
    (bad / "stray.txt").write_text("not in the manifest")
    junit = tmp_path / "report.xml"
    code, _, _ = run_cli(capsys, "--junit", str(junit), str(tmp_path / "round"))
    assert code == 1
    cases = ET.parse(junit).getroot().findall(".//testcase")
    failed = {c.get("name") for c in cases if c.find("failure") is not None}
    assert {c.get("name") for c in cases} == {"good", "bad"}
    assert failed == {"bad"}


def test_folder_without_bundles_is_a_finding(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_cli(capsys, str(tmp_path))
    assert code == 1
    assert "KP-INPUT-NO-BUNDLES" in out
