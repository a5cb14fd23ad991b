"""Property tests: whatever is done to a good bundle, the validator never crashes, and a changed
measurement is never accepted."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.validator.conftest import edit_json, write_good_bundle
from validator import load_bundle, validate

EXAMPLES = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
DERIVED = ("min_ns", "median_ns", "mean_ns", "stdev_ns", "p10_ns", "p90_ns", "p99_ns", "iqr_ns")
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)


@pytest.fixture(scope="module")
def template() -> Iterator[Path]:
    """One good bundle; each example works on its own copy."""
    with tempfile.TemporaryDirectory() as folder:
        yield write_good_bundle(Path(folder) / "bundle")


def _copy(template: Path, folder: str) -> Path:
    return Path(shutil.copytree(template, Path(folder) / "bundle"))


def _nodes(value: object, path: tuple[str | int, ...] = ()) -> Iterator[tuple[str | int, ...]]:
    """Every path into a JSON value."""
    yield path
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _nodes(child, (*path, key))
    elif isinstance(value, list):
        for index, child in enumerate(value[:3]):
            yield from _nodes(child, (*path, index))


@EXAMPLES
@given(offset=st.integers(min_value=0), byte=st.integers(min_value=0, max_value=255))
def test_any_changed_byte_is_caught(template: Path, offset: int, byte: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        bundle = _copy(template, folder)
        path = bundle / "result.json"
        data = bytearray(path.read_bytes())
        position = offset % len(data)
        if data[position] == byte:
            byte ^= 0x01
        data[position] = byte
        path.write_bytes(bytes(data))
        report = load_bundle(bundle)
        assert not report.valid


@EXAMPLES
@given(
    choice=st.integers(min_value=0),
    replacement=json_values,
)
def test_any_replaced_value_never_crashes(template: Path, choice: int, replacement: object) -> None:
    with tempfile.TemporaryDirectory() as folder:
        bundle = _copy(template, folder)

        def edit(document: object) -> None:
            paths = [p for p in _nodes(document) if p]
            path = paths[choice % len(paths)]
            parent = document
            for part in path[:-1]:
                parent = parent[part]  # type: ignore[index]
            parent[path[-1]] = replacement  # type: ignore[index]

        edit_json(bundle, "result.json", edit)
        report = validate(bundle, jobs=1)  # resealed: only the content checks can object
        assert report.bundles[0].path == "bundle"


@EXAMPLES
@given(
    index=st.integers(min_value=0, max_value=2),
    field=st.sampled_from([*DERIVED, "tflops", "gbps", "flops"]),
    factor=st.one_of(st.floats(0.01, 0.9999), st.floats(1.0001, 100.0)),
)
def test_a_changed_figure_is_never_accepted(
    template: Path, index: int, field: str, factor: float
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        bundle = _copy(template, folder)

        def edit(document: dict[str, list[dict[str, dict[str, float]]]]) -> None:
            result = document["results"][index]
            holder: dict[str, float] = result["stats"] if field in DERIVED else result  # type: ignore[assignment]
            value = holder[field] * factor
            holder[field] = round(value) if field == "flops" else value

        edit_json(bundle, "result.json", edit)
        assert not load_bundle(bundle).valid


@EXAMPLES
@given(
    index=st.integers(min_value=0, max_value=2),
    sample=st.integers(min_value=0, max_value=19),
    factor=st.one_of(st.floats(0.01, 0.99), st.floats(1.01, 100.0)),
)
def test_a_changed_sample_is_never_accepted(
    template: Path, index: int, sample: int, factor: float
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        bundle = _copy(template, folder)

        def edit(document: dict[str, list[dict[str, list[int]]]]) -> None:
            samples = document["results"][index]["samples_ns"]
            samples[sample] = max(1, round(samples[sample] * factor))

        edit_json(bundle, "result.json", edit)
        assert not load_bundle(bundle).valid
