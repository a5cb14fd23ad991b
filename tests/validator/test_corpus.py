"""Every broken submission of the corpus is rejected with its own code, never with a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.validator.corpus import CASES, Case
from tests.validator.rounds import write_round
from validator import CATALOGUE, Severity, validate
from validator._jsonio import parse_json_bytes
from validator._schema_check import is_valid_fast, is_valid_reference

SCHEMA_OF_FILE = {"result.json": "result", "system.json": "system", "MANIFEST.json": "manifest"}


def test_the_corpus_is_large_and_covers_many_codes() -> None:
    assert len(CASES) >= 40
    assert len({case.code for case in CASES}) >= 40
    assert len({case.name for case in CASES}) == len(CASES)


def test_the_good_round_is_clean(tmp_path: Path) -> None:
    report = validate(write_round(tmp_path).root, jobs=1)
    assert report.all_findings() == []
    assert [b.signature for b in report.bundles] == ["signed", "unsigned"]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_broken_submission_is_rejected_with_its_code(case: Case, tmp_path: Path) -> None:
    report = validate(case.make(tmp_path), jobs=1)
    codes = {f.code for f in report.all_findings()}
    assert case.code in codes, f"{case.name}: expected {case.code}, got {sorted(codes)}"
    if CATALOGUE[case.code].severity is Severity.ERROR:
        assert not report.ok
    json.loads(report.model_dump_json())  # the report itself is always valid JSON


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_both_schema_engines_agree_on_the_corpus(case: Case, tmp_path: Path) -> None:
    root = case.make(tmp_path)
    documents = [root] if root.is_file() else [
        p for p in root.rglob("*.json") if p.name in SCHEMA_OF_FILE and not p.is_symlink()
    ]  # fmt: skip
    for path in documents:
        if path.is_file() and path.stat().st_size < (1 << 20) and path.name in SCHEMA_OF_FILE:
            value = parse_json_bytes(path.read_bytes(), path.name)
            schema = SCHEMA_OF_FILE[path.name]
            assert is_valid_fast(schema, value) == is_valid_reference(schema, value), path
