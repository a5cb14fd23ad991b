"""`kernelperf import deepbench`: all 18 workbooks, known cells read straight from them, bad input.

Every expected number here is read from the workbook at test time (python-calamine's cell API),
never copied into the test; the formulas are ours (2·M·N·K, conv's 2·P·Q·N·K·C·R·S, nccl-tests'
busbw), applied to the parameters in the same row.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from schemas import RESULT_NAME, Division, RunResult, SubmissionError, Timer, UsageError
from tests.validator.deepbench.workbooks import RESULTS, all_workbooks, cell
from tests.validator.deepbench.xlsx import write_xlsx
from validator import ImportReport, import_workbooks, validate

ROUND = "deepbench-2019"


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, ImportReport]:
    into = tmp_path_factory.mktemp("rounds")
    return into, import_workbooks(all_workbooks(), ROUND, into)


def results_of(into: Path, system_id: str, suite: str) -> list[dict[str, object]]:
    folder = into / ROUND / "historical" / "deepbench" / "results" / system_id / suite
    found: list[dict[str, object]] = []
    for bundle in sorted(folder.iterdir()):
        run = json.loads((bundle / RESULT_NAME).read_text(encoding="utf-8"))
        found += run["results"]
    return found


def the_result(results: list[dict[str, object]], sheet: str, ref: str) -> dict[str, object]:
    (match,) = [
        r
        for r in results
        if r["provenance"]["sheet"] == sheet and r["provenance"]["cell"] == ref  # type: ignore[index]
    ]
    return match


def test_every_workbook_imports_and_the_round_validates_clean(
    imported: tuple[Path, ImportReport],
) -> None:
    into, report = imported
    assert len(report.workbooks) == len(all_workbooks())
    assert all(w.rows_matched > 0 for w in report.workbooks)
    assert all(u.reason for w in report.workbooks for u in w.unmatched)
    checked = validate(into / ROUND, jobs=1, cache_dir=None)
    severities = {f.severity.value for b in checked.bundles for f in b.findings}
    assert all(b.status.value == "valid" for b in checked.bundles)
    assert severities <= {"note"}
    assert not checked.findings


def test_gemm_cell_is_kept_exactly_and_throughput_recomputed(
    imported: tuple[Path, ImportReport],
) -> None:
    into, _ = imported
    book, sheet, row = "train/DeepBench_NV_V100.xlsx", "Results FP32", 5
    m, n, k = (cell(book, sheet, f"{c}{row}") for c in "CDE")
    published = cell(book, sheet, f"I{row}")
    result = the_result(results_of(into, "nv-v100-train", "gemm"), sheet, f"I{row}")
    assert result["provenance"]["published_ms"] == published  # type: ignore[index]
    assert result["stats"]["median_ns"] == pytest.approx(published * 1e6)  # type: ignore[index,operator]
    flops = 2 * m * n * k  # type: ignore[operator]
    assert result["flops"] == flops
    assert result["tflops"] == pytest.approx(flops / (published * 1e-3) / 1e12)  # type: ignore[operator]
    assert result["timer"] == Timer.PUBLISHED.value and result["samples_ns"] == []
    assert result["precision"] == {"input": "fp32", "compute": "fp32", "output": "fp32"}


def test_conv_columns_are_read_by_header_in_both_orders(
    imported: tuple[Path, ImportReport],
) -> None:
    into, _ = imported
    # M40 lists S (width), R (height), pad_w, pad_h; the 1080 Ti lists R, S, pad_h, pad_w.
    for system_id, book, row, width, height in (
        ("nv-m40-train", "train/DeepBench_NV_M40.xlsx", 175, "H", "I"),
        ("nv-1080ti-train", "train/DeepBench_NV_1080Ti.xlsx", 175, "I", "H"),
    ):
        sheet = "Results - FP32"
        w, h, c, batch, k = (cell(book, sheet, f"{col}{row}") for col in "CDEFG")
        s, r = cell(book, sheet, f"{width}{row}"), cell(book, sheet, f"{height}{row}")
        published = cell(book, sheet, f"P{row}")  # wrt Parameters: bwd_filter
        result = the_result(results_of(into, system_id, "conv"), sheet, f"P{row}")
        params = result["problem"]["params"]  # type: ignore[index]
        assert (params["filter_w"], params["filter_h"]) == (s, r)  # type: ignore[index]
        assert result["direction"] == "bwd_filter"
        p = 1 + (h - r) // 2  # type: ignore[operator]
        q = 1 + (w - s) // 2  # type: ignore[operator]
        flops = 2 * p * q * batch * k * c * r * s  # type: ignore[operator]
        assert result["flops"] == flops
        assert result["tflops"] == pytest.approx(flops / (published * 1e-3) / 1e12)  # type: ignore[operator]


def test_allreduce_gbps_is_recomputed_as_algbw_and_busbw(
    imported: tuple[Path, ImportReport],
) -> None:
    into, _ = imported
    book, sheet, row = "train/DeepBench_NV_M40.xlsx", "Results - FP32", 345
    count, ranks = cell(book, sheet, f"C{row}"), cell(book, sheet, f"D{row}")
    published = cell(book, sheet, f"G{row}")
    result = the_result(results_of(into, "nv-m40-train", "allreduce"), sheet, f"G{row}")
    collective = result["collective"]
    algbw = count * 4 / (published * 1e-3) / 1e9  # type: ignore[operator]
    assert collective["ranks"] == ranks  # type: ignore[index]
    assert collective["algbw_gbps"] == pytest.approx(algbw)  # type: ignore[index]
    assert collective["busbw_gbps"] == pytest.approx(algbw * 2 * (ranks - 1) / ranks)  # type: ignore[index,operator]
    assert result["provenance"]["published_rate"] == cell(book, sheet, f"I{row}")  # type: ignore[index]


def test_rnn_backward_columns_and_the_stray_cells(imported: tuple[Path, ImportReport]) -> None:
    into, report = imported
    book, sheet, row = "train/DeepBench_NV_TitanX_Pascal.xlsx", "Results - FP32", 283
    results = results_of(into, "nv-titanx-pascal-train", "rnn")
    for column, direction in (("G", "fwd"), ("H", "bwd_data"), ("I", "bwd_weights")):
        result = the_result(results, sheet, f"{column}{row}")
        assert result["direction"] == direction
        assert result["provenance"]["published_ms"] == cell(book, sheet, f"{column}{row}")  # type: ignore[index]
    (pascal,) = [w for w in report.workbooks if w.file == book]
    assert any(f"A{row}" in stray for stray in pascal.stray_cells)


def test_unmatched_rows_say_why(imported: tuple[Path, ImportReport]) -> None:
    _, report = imported
    (v100,) = [w for w in report.workbooks if w.system_id == "nv-v100-train"]
    reasons = {u.reason for u in v100.unmatched}
    assert any("k 1530 here, 1536 official" in r for r in reasons)
    assert any(r.startswith("no time published") for r in reasons)  # its empty all-reduce rows
    assert 0 < v100.rows_unmatched <= len({(u.sheet, u.row) for u in v100.unmatched})


def test_the_sheet_states_precision_and_not_stated_is_kept(
    imported: tuple[Path, ImportReport],
) -> None:
    into, _ = imported
    results = results_of(into, "nv-v100-train", "gemm")
    mixed = [r for r in results if r["provenance"]["sheet"] == "Results - FP16 ip, Mixed math"]  # type: ignore[index]
    assert {json.dumps(r["precision"], sort_keys=True) for r in mixed} == {
        json.dumps({"compute": "fp32", "input": "fp16", "output": "not_stated"}, sort_keys=True)
    }


def test_published_results_carry_sha256_of_their_workbook(
    imported: tuple[Path, ImportReport],
) -> None:
    into, report = imported
    from schemas import sha256_of

    (t4,) = [w for w in report.workbooks if w.system_id == "nv-t4-inference"]
    assert t4.sha256 == sha256_of(RESULTS / "inference/DeepBench_NV_T4.xlsx")
    run = RunResult.model_validate_json(
        next((into / ROUND).rglob(f"nv-t4-inference/gemm/*/{RESULT_NAME}")).read_text("utf-8")
    )
    assert run.division is Division.HISTORICAL
    assert {r.provenance.sha256 for r in run.results if r.provenance} == {t4.sha256}


def test_within_workbook_outliers_are_noted(imported: tuple[Path, ImportReport]) -> None:
    into, _ = imported
    checked = validate(
        into / ROUND / "historical" / "deepbench" / "results" / "nv-titanx-pascal-train" / "rnn",
        jobs=1,
        cache_dir=None,
    )
    outliers = [f for b in checked.bundles for f in b.findings if f.code == "KP-HISTORICAL-OUTLIER"]
    assert any("vanilla" in f.message for f in outliers)


def test_above_peak_is_a_note_with_the_honest_reason(imported: tuple[Path, ImportReport]) -> None:
    into, _ = imported
    checked = validate(into / ROUND, jobs=1, cache_dir=None)
    above = [f for b in checked.bundles for f in b.findings if f.code == "KP-HISTORICAL-ABOVE-PEAK"]
    assert above and all(f.severity.value == "note" for f in above)
    assert all("Winograd/FFT" in f.message for f in above if "tflops" in f.json_path)
    assert math.isfinite(float(above[0].found or "nan"))


# Bad input: the error names the file, sheet and cell, and nothing is written.


def _nothing_written(into: Path) -> None:
    assert not into.exists() or not any(into.iterdir())


def test_a_file_that_is_not_a_workbook(tmp_path: Path) -> None:
    into = tmp_path / "out"
    with pytest.raises(SubmissionError) as caught:
        import_workbooks([RESULTS / "README.md"], ROUND, into)
    assert "README.md" in caught.value.where
    _nothing_written(into)


def test_a_workbook_without_a_result_sheet(tmp_path: Path) -> None:
    book = write_xlsx(tmp_path / "train" / "Only_Specs.xlsx", {"Specs": [["CPU", "x"]]})
    into = tmp_path / "out"
    with pytest.raises(SubmissionError) as caught:
        import_workbooks([book], ROUND, into)
    assert "Only_Specs.xlsx" in caught.value.where and "no result sheet" in caught.value.what
    _nothing_written(into)


def test_an_unknown_header_names_its_cell(tmp_path: Path) -> None:
    rows: list[list[str | float | None]] = [
        ["Precision", "Float"],
        [None],
        ["Dense Matrix Multiplication", None, "M", "N", "K", "Flux capacitor"],
        [None, None, 1760, 16, 1760, 1.0],
    ]
    good = all_workbooks()[-1]
    bad = write_xlsx(tmp_path / "train" / "Odd.xlsx", {"Results": rows})
    into = tmp_path / "out"
    with pytest.raises(SubmissionError) as caught:
        import_workbooks([good, bad], ROUND, into)
    assert caught.value.where == "Odd.xlsx > Results > F3"
    _nothing_written(into)


def test_a_duplicate_import_is_refused_and_changes_nothing(tmp_path: Path) -> None:
    book = RESULTS / "inference/device/DeepBench_iPhone_7.xlsx"
    import_workbooks([book], ROUND, tmp_path)
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    with pytest.raises(SubmissionError) as caught:
        import_workbooks([book], ROUND, tmp_path)
    assert "already imported" in caught.value.what
    assert "DeepBench_iPhone_7.xlsx" in caught.value.what
    with pytest.raises(SubmissionError):
        import_workbooks([book, book], "other-round", tmp_path)
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before


def test_a_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError):
        import_workbooks([tmp_path / "nope.xlsx"], ROUND, tmp_path / "out")


def test_the_cli_reports_and_writes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from kernelperf.cli import main

    book = str(RESULTS / "inference/device/DeepBench_Raspberry_Pi_3.xlsx")
    assert main(["import", "deepbench", book, "--round", ROUND, "--into", str(tmp_path)]) == 0
    assert "raspberry-pi-3-device" in capsys.readouterr().out
    assert main(["import", "deepbench", book, "--round", ROUND, "--into", str(tmp_path)]) == 1
    assert "already imported" in capsys.readouterr().err
