"""Reproduction audits on the leaderboard: the words for each audited result, and the mark beside
each score, in every format; a failed audit's mark beside the row it struck (issue 13)."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from pathlib import Path

import pytest
from rich.console import Console

from schemas import (
    AUDIT_NAME,
    Audit,
    AuditedResult,
    AuditVerdict,
    Direction,
    Division,
    DType,
    Precision,
    ResultKey,
    Suite,
    assess,
)
from tests.harness.audit.bundles import make_bundle
from tests.harness.audit.forgeries import forge, scaled
from tests.validator.leaderboard.conftest import board_of
from tests.validator.leaderboard.sites import expanded_pages
from tests.validator.test_audits import SYSTEM, audited, place
from validator._audits import AuditStatus
from validator.leaderboard import (
    Leaderboard,
    render_csv,
    render_json,
    render_markdown,
    render_rich,
    site_files,
)
from validator.leaderboard._audit import audit_words, row_words, system_audit_text
from validator.leaderboard._model import Board, ResultEntry
from validator.leaderboard._naming import board_page, system_page
from validator.leaderboard._views import narrow, score_table

REFERENCE_ROUND = Path(__file__).resolve().parents[3] / "submissions" / "2026.1"
AUDIT = REFERENCE_ROUND / "audits" / "kernelperf-ref" / "cpu-2c-epyc-native" / AUDIT_NAME
AUDITED_SYSTEM = "cpu-2c-epyc-native"
FP32 = Precision(input=DType.FP32, compute=DType.FP32, output=DType.FP32)
FAILING = (AuditVerdict.SLOWER, AuditVerdict.NOT_REPRODUCED)
KEY = ResultKey(
    suite=Suite("gemm"), problem_id="gemm/train/017", direction=Direction.FWD, dtype="fp32"
)


def judged(verdict: AuditVerdict, ratio: float, low: float, high: float) -> AuditedResult:
    """A drawn result with the given verdict and ratio (the words only read these)."""
    return AuditedResult(
        key=KEY,
        precision=FP32,
        submitted_samples_ns=(1_000,),
        audit_rounds_ns=((1_000,),),
        ratio=ratio,
        ratio_low=low,
        ratio_high=high,
        mann_whitney_p=None,
        round_spread=0.0,
        process_gap=0.0,
        expected_count=1,
        verdict=verdict,
    )


@pytest.mark.parametrize(
    ("verdict", "ratios", "words"),
    [
        (
            AuditVerdict.CONSISTENT,
            (1.0234, 1.0121, 1.0399),
            "audited: consistent, 1.02× [1.01, 1.04]",
        ),
        (AuditVerdict.FASTER, (0.8123, 0.8, 0.83), "audited: faster, 0.812× [0.800, 0.830]"),
        (AuditVerdict.SLOWER, (1.4142, 1.38, 1.45), "audited: slower, 1.41× [1.38, 1.45]"),
        (
            AuditVerdict.NOT_REPRODUCED,
            (0.98, 0.95, 1.01),
            "audited: not reproduced, 0.980× [0.950, 1.01]",
        ),
    ],
)
def test_each_verdict_has_its_words(
    verdict: AuditVerdict, ratios: tuple[float, float, float], words: str
) -> None:
    assert audit_words(judged(verdict, *ratios)) == words


def test_a_failed_rerun_has_no_ratio_to_show() -> None:
    failed = assess(
        KEY,
        FP32,
        (1_000, 1_100),
        (),
        allowed=1.2,
        p_slower=None,
        policy_count=2,
        audit_error="the kernel raised on re-run",
    )
    assert failed.ratio is None
    assert audit_words(failed) == "audited: not reproduced (re-run failed, no ratio)"


def test_a_system_audit_reads_as_a_mark() -> None:
    assert row_words(AuditStatus.PASSED) == "✓ audited"
    assert row_words(AuditStatus.FAILED) == "✗ failed audit"
    assert row_words(None) == ""
    assert system_audit_text({}) == "not audited"
    both = {Division.OPEN: "failed", Division.CLOSED: "passed"}
    assert system_audit_text(both) == "✗ open, ✓ closed"


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Leaderboard:
    """The leaderboard of a copy of the checked-in round: its open system has a passed audit."""
    root = tmp_path_factory.mktemp("reference") / REFERENCE_ROUND.name
    shutil.copytree(REFERENCE_ROUND, root)
    return board_of(root)


def drawn_entries(board: Leaderboard, audit: Audit, system: str) -> list[ResultEntry]:
    """The system's results the audit drew, matched by key and precision contract."""
    keys = {(r.key.problem_id, r.key.direction, r.precision) for r in audit.results}
    mine = board.results_by_system[system]
    return [e for e in mine if (e.problem_id, e.direction, e.precision) in keys]


def test_json_carries_the_audit_beside_each_drawn_result(reference: Leaderboard) -> None:
    audit = Audit.model_validate_json(AUDIT.read_text())
    drawn = drawn_entries(reference, audit, AUDITED_SYSTEM)
    assert len(drawn) == len(audit.results)
    by_key = {(r.key.problem_id, r.key.direction): r for r in audit.results}
    document = json.loads(render_json(reference))
    shown = {r["anchor"]: (r["audit"], r["audit_verdict"]) for r in document["results"]}
    for entry in drawn:
        result = by_key[(entry.problem_id, entry.direction)]
        assert shown.pop(entry.anchor) == (audit_words(result), result.verdict.value)
    assert set(shown.values()) == {("", None)}  # nothing else was drawn


def audited_boards(board: Leaderboard) -> list[Board]:
    return [b for b in board.boards if any(r.audit for r in b.rows)]


def test_rows_of_the_audited_division_show_the_mark(reference: Leaderboard) -> None:
    open_boards = [b for b in reference.boards if b.division is Division.OPEN]
    assert open_boards and audited_boards(reference) == open_boards
    for each in reference.boards:
        expected = AuditStatus.PASSED if each.division is Division.OPEN else None
        assert [r.audit for r in each.rows] == [expected] * len(each.rows)
    scores = list(csv.DictReader(io.StringIO(render_csv(reference))))
    assert [r["audit"] for r in scores] == [
        r.audit.value if r.audit else "" for b in reference.boards for r in b.rows
    ]
    results = list(csv.DictReader(io.StringIO(render_csv(reference, "systems"))))
    assert sorted(r["audit"] for r in results if r["audit"]) == sorted(
        e.audit for e in reference.results if e.audit
    )


def test_markdown_shows_marks_and_words(reference: Leaderboard) -> None:
    text = render_markdown(reference)
    for section in text.split("\n## ")[1:]:
        passed = section.startswith(Division.OPEN.value)
        assert ("| ✓ audited |" in section) is passed, section.splitlines()[0]
    problems = render_markdown(reference, "problems")
    for entry in reference.results:
        if entry.audit:
            assert f"| {entry.audit} |" in problems


def test_the_terminal_shows_the_audit_column_only_where_someone_was_audited(
    reference: Leaderboard,
) -> None:
    for each in reference.boards:
        names = [c.name for c in narrow(score_table(each, reference)).columns]
        assert ("audit" in names) is (each in audited_boards(reference)), each.anchor
    console = Console(width=200, record=True)
    console.print(render_rich(reference, "scores"))
    assert "✓ audited" in console.export_text()


def row_of(page: str, anchor: str) -> str:
    """The table row with this permalink id."""
    row = page[page.index(f'<tr id="{anchor}">') :]
    return row[: row.index("</tr>")]


def section_of(page: str, anchor: str) -> str:
    """The problem table section with this id."""
    found = re.search(rf'<section class="card" id="{re.escape(anchor)}">.*?</section>', page)
    assert found, anchor
    return found.group(0)


def test_the_site_shows_marks_on_boards_and_words_on_results(reference: Leaderboard) -> None:
    pages = expanded_pages(site_files(reference))
    for each in reference.boards:
        page = pages[board_page(each.anchor)]
        assert ('class="ok">✓ audited</td>' in page) is (each in audited_boards(reference))
    drawn = [e for e in reference.results if e.audit]
    assert drawn
    for entry in drawn:
        assert f">{entry.audit}</td>" in row_of(pages[system_page(entry.system)], entry.anchor)
        board = pages[board_page(entry.board)]
        assert f">{entry.audit}</td>" in section_of(board, entry.problem_view)
    index = pages["index.html"]
    assert "✓ open" in index


@pytest.fixture(scope="module")
def struck(tmp_path_factory: pytest.TempPathFactory) -> tuple[Leaderboard, Audit]:
    """The reference round with a forged system (every sample × 0.7), and its failed audit."""
    tmp = tmp_path_factory.mktemp("struck")
    root = tmp / REFERENCE_ROUND.name
    shutil.copytree(REFERENCE_ROUND, root)
    honest = make_bundle(tmp / "run", DType.FP32)
    bundle = place(forge(honest, tmp / "forged", scaled), root)
    folder = audited(root, bundle, tmp / "keys")
    return board_of(root), Audit.model_validate_json((folder / AUDIT_NAME).read_text())


def test_a_failed_audit_shows_its_cross_beside_the_struck_row(
    struck: tuple[Leaderboard, Audit],
) -> None:
    board, audit = struck
    assert not audit.passed
    rows = [(b, r) for b in board.boards for r in b.rows if r.system_id == SYSTEM]
    assert rows
    pages = expanded_pages(site_files(board))
    for each, row in rows:
        assert row.audit is AuditStatus.FAILED and row.rank is None  # struck, as before
        assert 'class="fail">✗ failed audit</td>' in pages[board_page(each.anchor)]
    text = render_markdown(board)
    assert "| ✗ failed audit |" in text and "| ✓ audited |" in text  # the honest one beside it
    drawn = drawn_entries(board, audit, rows[0][1].system)
    assert len(drawn) == len(audit.results)
    words = {(r.key.problem_id, r.key.direction): audit_words(r) for r in audit.results}
    assert sorted(e.audit for e in drawn) == sorted(words.values())
    failing = [e for e in drawn if e.audit_verdict in FAILING]
    assert failing
    for entry in failing:
        page = pages[system_page(entry.system)]
        assert f'class="wrap-text fail">{entry.audit}</td>' in row_of(page, entry.anchor)
