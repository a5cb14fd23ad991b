"""The validator's parts alone: strict JSON, device ceilings, rules files, cache, rendering."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from rich.console import Console

from kernelperf.console import THEME
from schemas import DType, Host
from tests.validator.conftest import edit_json
from tests.validator.rounds import write_round
from tests.validator.rules_sync import main as rules_sync
from validator import Code, Finding, Severity, render_report, validate
from validator._jsonio import parse_json_bytes
from validator.peaks import cpu_ceiling_tflops, device_table, match_device
from validator.rules import available_versions, load_rules

MakeBundle = Callable[..., Path]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        (b'{"a": NaN}', Code.JSON_NONFINITE),
        (b'{"a": 1e400}', Code.JSON_NONFINITE),
        (b'{"a": 1, "a": 2}', Code.JSON_DUPLICATE_KEY),
        (b'{"a": "\\udc00"}', Code.JSON_ENCODING),
        (b"\xef\xbb\xbf{}", Code.JSON_SYNTAX),
        (b"[" * 50_000 + b"]" * 50_000, Code.JSON_DEPTH),
    ],
)
def test_strict_json_rejects(text: bytes, code: Code) -> None:
    parsed = parse_json_bytes(text, "x.json")
    assert isinstance(parsed, Finding) and parsed.code is code


def test_strict_json_accepts_ordinary_documents() -> None:
    assert parse_json_bytes(b'{"name": "NaN-free \\ud83d\\ude00", "x": 1e300}', "x") == {
        "name": "NaN-free \U0001f600",
        "x": 1e300,
    }


def test_device_names_match_their_rows() -> None:
    assert len(device_table()) == 26
    assert [r.model for r in match_device("NVIDIA A100-SXM4-80GB")] == ["A100 SXM4 80GB"]
    assert {r.model for r in match_device("NVIDIA H100 80GB HBM3")} == {
        "H100 SXM5", "H100 PCIe", "H100 NVL",
    }  # fmt: skip
    assert [r.model for r in match_device("NVIDIA L4")] == ["L4"]  # not L40S
    assert match_device("AMD EPYC 9R45") == ()


def test_cpu_ceiling_follows_the_readme_formula() -> None:
    host = Host(cpu_model="x", sockets=1, cores=2, logical_cpus=4, memory_bytes=1,
                isa_flags=("avx2", "avx512f", "avx512_bf16"))  # fmt: skip
    # 2 cores x 6 GHz x 64 FP32 FLOPs/cycle; bf16 twice that; threads limit the cores.
    assert cpu_ceiling_tflops(host, threads=4, dtype=DType.FP32) == pytest.approx(0.768)
    assert cpu_ceiling_tflops(host, threads=4, dtype=DType.BF16) == pytest.approx(1.536)
    assert cpu_ceiling_tflops(host, threads=1, dtype=DType.FP32) == pytest.approx(0.384)


@pytest.mark.parametrize("version", available_versions())
def test_each_rules_file_loads_and_matches_the_harness_problems(version: str) -> None:
    rules = load_rules(version)
    assert rules.rules_version == version
    assert rules_sync([version, "--check"]) == 0


def test_cache_serves_an_unchanged_bundle_and_not_a_changed_one(
    tmp_path: Path, make_bundle: MakeBundle
) -> None:
    bundle = make_bundle(tmp_path)
    cache = tmp_path / "cache"
    first = validate(bundle, cache_dir=cache)
    assert list(cache.rglob("*.json"))
    assert validate(bundle, cache_dir=cache) == first
    edit_json(bundle, "result.json", lambda d: d["results"][0]["stats"].update(median_ns=1.0))
    assert not validate(bundle, cache_dir=cache).ok


def test_signature_changed_after_signing_is_an_error(tmp_path: Path) -> None:
    on_disk = write_round(tmp_path)
    log = on_disk.closed_bundle / "logs" / "harness.jsonl"
    log.write_text(log.read_text() + "\n")
    report = validate(on_disk.root)
    closed = report.bundles[0]
    assert closed.signature == "bad"
    assert Code.SIG_SUBJECT_MISMATCH in {f.code for f in closed.findings}
    assert Code.INTEGRITY_SIZE in {f.code for f in closed.findings}


def test_open_signature_without_registered_key_is_a_warning(tmp_path: Path) -> None:
    on_disk = write_round(tmp_path)
    from attestation import sign_bundle

    sign_bundle(on_disk.open_bundle, on_disk.private_key)  # acme's key; beta registered none
    report = validate(on_disk.root)
    [item] = report.bundles[1].findings
    assert (item.code, item.severity) == (Code.SIG_NO_KEY, Severity.WARNING)
    assert report.ok


def test_human_view_fits_one_screen(tmp_path: Path, make_bundle: MakeBundle) -> None:
    bundle = make_bundle(tmp_path)
    edit_json(bundle, "result.json", lambda d: [r.update(flops=1) for r in d["results"]])
    console = Console(theme=THEME, width=120, record=True)
    console.print(render_report(validate(bundle), max_rows=2))
    text = console.export_text()
    assert "FAIL" in text and "KP-FLOPS-MISMATCH" in text
    assert "more findings: see --json" in text
    assert len(text.splitlines()) < 40
    json.loads(validate(bundle).model_dump_json())


def test_a_failing_check_is_a_finding_and_the_others_still_run(
    tmp_path: Path, make_bundle: MakeBundle, monkeypatch: pytest.MonkeyPatch
) -> None:
    from validator.checks import BUNDLE_CHECKS

    def broken(_ctx: object) -> list[Finding]:
        raise ZeroDivisionError("boom")

    monkeypatch.setattr("validator._bundle.BUNDLE_CHECKS", (("broken", broken), *BUNDLE_CHECKS))
    path = make_bundle(tmp_path)
    edit_json(path, "result.json", lambda d: d["results"][0].update(flops=1))
    codes = [f.code for f in validate(path, cache_dir=None).all_findings()]
    assert Code.INTERNAL in codes and Code.FLOPS_MISMATCH in codes


def test_an_unreadable_bundle_does_not_stop_the_round(
    tmp_path: Path, make_bundle: MakeBundle, monkeypatch: pytest.MonkeyPatch
) -> None:
    from validator._bundle import load_bundle

    make_bundle(tmp_path, "bad")
    make_bundle(tmp_path, "good")

    def flaky(path: Path, display: str, cache_dir: Path | None = None) -> object:
        if path.name == "bad":
            raise PermissionError(13, "Permission denied")
        return load_bundle(path, display, cache_dir=cache_dir)

    monkeypatch.setattr("validator._engine.load_bundle", flaky)
    report = validate(tmp_path, jobs=1, cache_dir=None)
    assert [b.valid for b in report.bundles] == [False, True]
    assert report.bundles[0].findings[0].code is Code.INTERNAL


def test_worker_processes_give_the_same_report(tmp_path: Path, make_bundle: MakeBundle) -> None:
    for index in range(6):
        make_bundle(tmp_path, f"b{index}")
    edit_json(tmp_path / "b3", "result.json", lambda d: d.update(complete=False))
    one = validate(tmp_path, jobs=1, cache_dir=None)
    two = validate(tmp_path, jobs=2, cache_dir=None)
    assert one.model_dump_json() == two.model_dump_json()
    assert [b.valid for b in two.bundles] == [True, True, True, False, True, True]
