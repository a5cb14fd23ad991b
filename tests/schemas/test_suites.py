"""The suite registry: every folder under schemas/suites is a suite, and nothing else names one."""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

import pytest
from pydantic import ValidationError

import schemas.suites
from schemas import (
    Problem,
    ProblemSet,
    Profile,
    Suite,
    load_problems,
    precision_floors,
    select_problems,
)
from schemas.export import render
from schemas.suites import names, specs

FOLDERS = sorted(p.parent.name for p in Path(schemas.suites.__file__).parent.glob("*/__init__.py"))


def test_every_folder_is_a_suite_listed_by_position() -> None:
    assert sorted(names()) == FOLDERS
    positions = [spec.position for spec in specs()]
    assert positions == sorted(positions)
    assert Suite.all() == names()


def test_a_suite_is_its_name_checked_once_with_one_instance() -> None:
    first = Suite.all()[0]
    assert Suite(str(first)) is first
    assert first.value == str(first) and first.spec.name == first
    with pytest.raises(ValueError, match="not a suite"):
        Suite("no_such_suite")


def test_documents_accept_registered_suites_only() -> None:
    problem = load_problems(Suite.all()[0])[0]
    document = json.loads(problem.model_dump_json())
    assert Problem.model_validate(document) == problem
    with pytest.raises(ValidationError, match="not a suite"):
        Problem.model_validate(document | {"suite": "no_such_suite"})


def test_the_json_schemas_list_every_suite_and_its_params() -> None:
    schema = json.loads(render("problem"))
    assert schema["$defs"]["Suite"]["enum"] == list(names())
    mapping = schema["properties"]["params"]["discriminator"]["mapping"]
    assert mapping == {spec.name: f"#/$defs/{spec.params.__name__}" for spec in specs()}


@pytest.mark.parametrize("suite", Suite.all())
def test_each_table_loads_with_unique_ids_and_a_floor_per_set(suite: Suite) -> None:
    problems = load_problems(suite)
    assert problems and all(p.suite is suite and p.id.startswith(f"{suite}/") for p in problems)
    assert not [i for i, n in Counter(p.id for p in problems).items() if n > 1]
    assert all(p.flops() >= 0 and p.params.summary() for p in problems)
    assert set(precision_floors(suite)) == {p.set for p in problems}


@pytest.mark.parametrize("suite", Suite.all())
def test_profiles_are_official_subsets_and_full_is_everything(suite: Suite) -> None:
    problems = load_problems(suite)
    ids = {p.id for p in problems}
    spec = suite.spec
    assert set(spec.quick_ids) <= ids and set(spec.smoke_ids) <= ids
    assert 1 <= len(spec.smoke_ids) <= 3 and len(set(spec.quick_ids)) == len(spec.quick_ids)
    smoke = select_problems(problems, profile=Profile.SMOKE)
    assert [p.id for p in smoke] == [p.id for p in problems if p.id in spec.smoke_ids]
    assert select_problems(problems) == problems
    one_set = next(iter(precision_floors(suite)))
    assert all(p.set is one_set for p in select_problems(problems, problem_set=one_set))


def test_select_filters_by_id_glob() -> None:
    problems = load_problems(Suite("gemm"))
    chosen = select_problems(problems, problem_set=ProblemSet.TRAIN, id_glob="*/00[12]")
    assert [p.id for p in chosen] == ["gemm/train/001", "gemm/train/002"]


@pytest.mark.parametrize(
    ("folder", "text", "error"),
    [
        ("nospec", "", TypeError),
        ("misnamed", "from schemas.suites.gemm import SPEC\n", ValueError),
    ],
)
def test_a_broken_folder_is_reported_with_its_name(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    folder: str,
    text: str,
    error: type[Exception],
) -> None:
    (tmp_path / folder).mkdir()
    (tmp_path / folder / "__init__.py").write_text(text, encoding="utf-8")
    monkeypatch.setattr(schemas.suites, "__path__", [*schemas.suites.__path__, str(tmp_path)])
    try:
        with pytest.raises(error, match=f"schemas/suites/{folder}"):
            specs.__wrapped__()
    finally:
        sys.modules.pop(f"schemas.suites.{folder}", None)
