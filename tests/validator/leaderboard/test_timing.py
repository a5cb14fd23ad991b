"""The words for how a result was timed, and where a round of the default method shows them."""

from __future__ import annotations

import csv
import io

import pytest
from rich.console import Console

from schemas import TimingLoop, TimingMethod
from schemas.result import TimingMode, TimingRegime
from tests.validator.leaderboard.sites import expanded_pages
from validator.leaderboard import Leaderboard, render_csv, render_markdown, render_rich, site_files
from validator.leaderboard._timing import (
    DEFAULT_METHOD,
    LEGEND,
    TimingWords,
    mixed_note,
    shows_timing,
    timing_words,
)

NO_MPICC = "no mpicc found"


def host(loop: TimingLoop, calls: int, fallback: str | None = None) -> TimingMethod:
    return TimingMethod(loop=loop, calls_per_sample=calls, fallback=fallback)


def device(mode: TimingMode, calls: int, flushed: bool = False) -> TimingRegime:
    return TimingRegime(mode=mode, calls_per_sample=calls, l2_flushed=flushed)


PYTHON, NATIVE = TimingLoop.PYTHON, TimingLoop.NATIVE


@pytest.mark.parametrize(
    ("method", "regime", "words"),
    [
        (None, None, TimingWords("", DEFAULT_METHOD)),
        (host(PYTHON, 1), None, TimingWords("per call, Python loop", DEFAULT_METHOD)),
        (host(NATIVE, 1), None, TimingWords("per call, native loop", "native loop")),
        (host(PYTHON, 64), None, TimingWords("batches of 64, Python loop", DEFAULT_METHOD)),
        (host(NATIVE, 64), None, TimingWords("batches of 64, native loop", "native loop")),
        (
            host(PYTHON, 64, NO_MPICC),
            None,
            TimingWords("batches of 64, Python loop (fallback: no mpicc found)", DEFAULT_METHOD),
        ),
        (
            host(PYTHON, 1, NO_MPICC),
            None,
            TimingWords("per call, Python loop (fallback: no mpicc found)", DEFAULT_METHOD),
        ),
        # On a device the regime speaks for the samples; the host loop only adds its fallback.
        (
            host(PYTHON, 20),
            device(TimingMode.GRAPH, 20),
            TimingWords("CUDA graph, 20 calls/sample", "CUDA graph"),
        ),
        (
            None,
            device(TimingMode.GRAPH, 20, flushed=True),
            TimingWords("CUDA graph, 20 calls/sample, L2 flushed", "CUDA graph, L2 flushed"),
        ),
        (
            host(PYTHON, 1),
            device(TimingMode.DIRECT, 1, flushed=True),
            TimingWords("direct, L2 flushed", "direct, L2 flushed"),
        ),
        (host(PYTHON, 1), device(TimingMode.DIRECT, 1), TimingWords("direct", "direct")),
        (
            host(PYTHON, 1, NO_MPICC),
            device(TimingMode.DIRECT, 8),
            TimingWords("direct, 8 calls/sample (fallback: no mpicc found)", "direct"),
        ),
        (
            None,
            device(TimingMode.BLOCKED, 1),
            TimingWords("behind a blocking kernel", "behind a blocking kernel"),
        ),
    ],
)
def test_each_recorded_method_has_its_words(
    method: TimingMethod | None, regime: TimingRegime | None, words: TimingWords
) -> None:
    assert timing_words(method, regime) == words


def test_a_published_result_names_no_method() -> None:
    assert timing_words(None, None, measured=False) == TimingWords("", "")


def test_a_table_shows_timing_only_beside_another_method() -> None:
    assert not shows_timing([])
    assert not shows_timing([DEFAULT_METHOD])
    assert shows_timing(["batched, native loop"])
    assert shows_timing([DEFAULT_METHOD, "per call, native loop"])


def test_only_a_board_of_several_methods_gets_the_footnote() -> None:
    assert mixed_note([]) == mixed_note(["batched, native loop"]) == ""
    note = mixed_note(["per call, Python loop", "batched, native loop"])
    assert "batched, native loop; per call, Python loop" in note


def test_a_round_of_the_default_method_keeps_terminal_and_site_narrow(
    hand_board: Leaderboard,
) -> None:
    """The hand round records no method (one call per sample in Python): blank, and no column
    where width and bytes count; Markdown and CSV always carry the field."""
    assert {r.timing for r in hand_board.results} == {""}
    assert {b.timing_methods for b in hand_board.boards} == {(DEFAULT_METHOD,)}
    console = Console(width=200, record=True)
    for view in ("scores", "problems", "systems"):
        console.print(render_rich(hand_board, view))
    assert "timing" not in console.export_text()
    for name, page in expanded_pages(site_files(hand_board)).items():
        assert ">timing</th>" not in page, name
    assert "| timing |" in render_markdown(hand_board, "problems")
    rows = list(csv.DictReader(io.StringIO(render_csv(hand_board, "problems"))))
    assert {r["timing"] for r in rows} == {""}
    assert {r["timing_method"] for r in rows} == {DEFAULT_METHOD}
    assert LEGEND in hand_board.method
