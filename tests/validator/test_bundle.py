"""One bundle: a good one passes, and each kind of damage is reported with its code and place."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from tests.validator.conftest import edit_json
from validator import Code, Severity, load_bundle

MakeBundle = Callable[..., Path]


def codes(report: object) -> set[Code]:
    return {f.code for f in report.findings}  # type: ignore[attr-defined]


def test_good_bundle_is_valid_and_parsed(tmp_path: Path, make_bundle: MakeBundle) -> None:
    report = load_bundle(make_bundle(tmp_path))
    assert report.findings == ()
    assert report.valid
    assert report.run is not None and len(report.run.results) == 3
    assert report.system is not None and report.system.system_id == "cpu-2c"


def test_one_changed_byte_is_an_integrity_finding_naming_the_file(
    tmp_path: Path, make_bundle: MakeBundle
) -> None:
    bundle = make_bundle(tmp_path)
    path = bundle / "result.json"
    data = bytearray(path.read_bytes())
    data[data.index(b'"run-bundle"') + 5] = ord("X")
    path.write_bytes(bytes(data))
    report = load_bundle(bundle)
    hashes = [f for f in report.findings if f.code is Code.INTEGRITY_HASH]
    assert [f.file for f in hashes] == ["bundle/result.json"]
    assert not report.valid


def test_missing_field_names_its_json_path(tmp_path: Path, make_bundle: MakeBundle) -> None:
    bundle = make_bundle(tmp_path)
    edit_json(bundle, "result.json", lambda d: d["results"][1]["stats"].pop("median_ns"))
    report = load_bundle(bundle)
    [missing] = [f for f in report.findings if f.code is Code.SCHEMA_REQUIRED]
    assert missing.json_path == "results[1].stats.median_ns"
    assert missing.file == "bundle/result.json"
    assert missing.severity is Severity.ERROR


def test_changed_median_is_recomputed_from_samples(tmp_path: Path, make_bundle: MakeBundle) -> None:
    bundle = make_bundle(tmp_path)

    def faster(document: dict[str, object]) -> None:
        result = document["results"][0]  # type: ignore[index]
        result["stats"]["median_ns"] *= 0.5

    edit_json(bundle, "result.json", faster)
    found = {(f.code, f.json_path) for f in load_bundle(bundle).findings}
    assert (Code.STATS_MISMATCH, "results[0].stats.median_ns") in found
    assert (Code.THROUGHPUT_MISMATCH, "results[0].tflops") in found


def test_failed_correctness_is_reported_per_kernel(tmp_path: Path, make_bundle: MakeBundle) -> None:
    bundle = make_bundle(tmp_path)

    def wrong(document: dict[str, object]) -> None:
        check = document["results"][2]["correctness"]  # type: ignore[index]
        check["error"], check["passed"] = 0.5, False

    edit_json(bundle, "result.json", wrong)
    [failed] = [f for f in load_bundle(bundle).findings if f.code is Code.CORRECTNESS_FAILED]
    assert failed.json_path == "results[2].correctness.error"


def test_nan_is_a_finding_not_a_number(tmp_path: Path, make_bundle: MakeBundle) -> None:
    bundle = make_bundle(tmp_path)
    path = bundle / "result.json"
    text = json.loads(path.read_text())
    text["results"][0]["tflops"] = float("nan")
    path.write_text(json.dumps(text))
    assert Code.JSON_NONFINITE in codes(load_bundle(bundle))


def test_tarball_bundle_is_checked_like_a_folder(tmp_path: Path, make_bundle: MakeBundle) -> None:
    import tarfile

    bundle = make_bundle(tmp_path)
    archive = tmp_path / "bundle.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(bundle, arcname="bundle")
    report = load_bundle(archive)
    assert report.valid and report.run is not None
