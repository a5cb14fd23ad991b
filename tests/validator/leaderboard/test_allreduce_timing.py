"""All-reduce bundles made by the real harness show how they were timed on every board format.

Two submitters run `kernelperf run --suite allreduce` on 2 ranks: acme in the native loop, asking
for samples of a millisecond (batches of calls, unless a busy machine makes one call that long),
beta one call per sample in the Python loop. The loops differ, so every board holds two methods
and says so; what each result shows is read from what the harness recorded, never assumed.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
from rich.console import Console

from schemas import RESULT_NAME, SYSTEM_NAME, RunResult
from tests.harness.allreduce.test_allreduce_mpi import kernelperf_run, mpiexec
from tests.validator.leaderboard.conftest import board_of
from tests.validator.leaderboard.sites import expanded_pages
from validator.leaderboard import (
    Leaderboard,
    render_csv,
    render_json,
    render_markdown,
    render_rich,
    site_files,
)
from validator.leaderboard._naming import board_page, system_page
from validator.leaderboard._timing import TimingWords, mixed_note, timing_words

pytestmark = pytest.mark.mpi

ROUND = "2026.1"
README = "# Open\n\n## Changes\nnone\n\n## Why\n-\n"
RUNS = {
    ("acme", "box-native"): ("--loop", "native", "--min-sample-us", "1000"),
    ("beta", "box-python"): ("--loop", "python", "--min-sample-us", "0"),
}


def submit(runs: Path, round_root: Path, submitter: str, system_id: str) -> RunResult:
    """The run's bundle as the submitter's open submission; returns its result document."""
    bundle = runs / "allreduce"
    root = round_root / "open" / submitter
    shutil.copytree(bundle, root / "results" / system_id / "allreduce" / "run1")
    (root / "systems").mkdir(parents=True)
    shutil.copy(bundle / SYSTEM_NAME, root / "systems" / f"{system_id}.json")
    (root / "code").mkdir()
    (root / "code" / "README.md").write_text(README, encoding="utf-8")
    return RunResult.model_validate_json((bundle / RESULT_NAME).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def measured(tmp_path_factory: pytest.TempPathFactory) -> tuple[Leaderboard, dict[str, RunResult]]:
    """The round's leaderboard, and the result documents the harness wrote, by system."""
    round_root = tmp_path_factory.mktemp("round") / ROUND
    runs = {}
    for (submitter, system_id), flags in RUNS.items():
        out = tmp_path_factory.mktemp(system_id)
        identity = ("--system-id", system_id, "--submitter", submitter)
        done = mpiexec(
            2, *kernelperf_run("--profile", "smoke", *identity, *flags, "--out", str(out))
        )
        assert done.returncode == 0, done.stderr
        runs[system_id] = submit(out, round_root, submitter, system_id)
    return board_of(round_root), runs


def recorded(runs: dict[str, RunResult]) -> dict[str, dict[str, set[TimingWords]]]:
    """The words of what the harness recorded, by system and mode (in-place or out-of-place)."""
    found: dict[str, dict[str, set[TimingWords]]] = {}
    for system_id, run in runs.items():
        for result in run.results:
            mode = "in-place" if result.collective and result.collective.in_place else "out-of"
            words = timing_words(result.timing_method, result.regime)
            found.setdefault(system_id, {}).setdefault(mode, set()).add(words)
    return found


def test_each_result_carries_the_words_of_its_record(
    measured: tuple[Leaderboard, dict[str, RunResult]],
) -> None:
    board, runs = measured
    words = recorded(runs)
    assert all(w.label for modes in words.values() for found in modes.values() for w in found)
    for entry in board.results:
        mode = "in-place" if "in-place" in entry.variant else "out-of"
        assert TimingWords(entry.timing, entry.timing_method) in words[entry.system][mode]
    loops = {e.system: e.timing_method.split(", ")[-1] for e in board.results}
    assert loops == {"box-native": "native loop", "box-python": "Python loop"}
    document = json.loads(render_json(board))
    assert [r["timing"] for r in document["results"]] == [e.timing for e in board.results]


def test_every_allreduce_board_says_it_mixes_methods(
    measured: tuple[Leaderboard, dict[str, RunResult]],
) -> None:
    board, runs = measured
    words = recorded(runs)
    assert board.boards and all(b.suite.value == "allreduce" for b in board.boards)
    for each in board.boards:
        mode = "in-place" if "in-place" in each.variant else "out-of"
        rows = {r.system: r.timing for r in each.rows}
        assert rows == {s: "; ".join(sorted({w.method for w in words[s][mode]})) for s in rows}
        assert each.timing_methods == tuple(
            sorted({w.method for s in rows for w in words[s][mode]})
        )
        assert mixed_note(each.timing_methods)
        assert mixed_note(each.timing_methods) in render_markdown(board)


def test_text_tables_show_the_timing_column(
    measured: tuple[Leaderboard, dict[str, RunResult]],
) -> None:
    board, _ = measured
    console = Console(width=300, record=True)
    console.print(render_rich(board, "problems"))
    text = console.export_text()
    assert "timing" in text
    assert all(e.timing in text for e in board.results)
    scores = list(csv.DictReader(io.StringIO(render_csv(board))))
    assert [r["timing"] for r in scores] == [r.timing for b in board.boards for r in b.rows]
    results = list(csv.DictReader(io.StringIO(render_csv(board, "systems"))))
    assert sorted(r["timing"] for r in results) == sorted(e.timing for e in board.results)


def test_the_site_shows_timing_on_boards_and_permalinks(
    measured: tuple[Leaderboard, dict[str, RunResult]],
) -> None:
    board, _ = measured
    pages = expanded_pages(site_files(board))
    for each in board.boards:
        page = pages[board_page(each.anchor)]
        assert ">timing</th>" in page
        assert mixed_note(each.timing_methods) in page
    for entry in board.results:
        page = pages[system_page(entry.system)]
        row = page[page.index(f'<tr id="{entry.anchor}">') :]
        assert f">{entry.timing}</td>" in row[: row.index("</tr>")]
