"""Scoring arithmetic on the hand-computed round, and the rules of ranking and rejection."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import pytest

from schemas import (
    Collective,
    KernelResult,
    SubmissionError,
    Suite,
    UsageError,
    load_problems,
)
from tests.validator.conftest import kernel_result, run_result, system_description
from tests.validator.leaderboard.conftest import board_of
from tests.validator.leaderboard.rounds import (
    TFLOPS,
    UNIT_TFLOPS,
    HandRound,
    exact_result,
    problems,
    write_hand_round,
)
from tests.validator.rounds import write_round
from validator import BundleReport, BundleStatus, Report
from validator.leaderboard import Leaderboard, ResultState, RowState, build
from validator.leaderboard._model import ScoreRow
from validator.leaderboard._scoring import competition_ranks, geometric_mean

REL = 1e-12
U = UNIT_TFLOPS


def rows_by_system(board: Leaderboard) -> dict[str, ScoreRow]:
    (only,) = board.boards
    return {row.system_id: row for row in only.rows}


def test_geometric_mean_is_the_nth_root_of_the_product() -> None:
    assert geometric_mean([0.1, 0.2, 0.4]) == pytest.approx(0.2, rel=REL)
    assert geometric_mean([5.0]) == 5.0
    with pytest.raises(ValueError):
        geometric_mean([1.0, 0.0])


def test_equal_scores_share_a_rank() -> None:
    assert competition_ranks([3.0, 2.0, 2.0, 1.0]) == [1, 2, 2, 4]
    assert competition_ranks([]) == []


def test_hand_computed_scores_ranks_and_states(hand_board: Leaderboard) -> None:
    (board,) = hand_board.boards
    assert (board.anchor, board.problems, board.unit) == (
        "open-rnn-inference-device-fp32",
        3,
        "TFLOP/s",
    )
    order = [(r.rank, r.system_id, r.state) for r in board.rows]
    assert order == [
        (1, "cpu-beta", RowState.RANKED),
        (2, "cpu-alpha", RowState.RANKED),
        (None, "cpu-gamma", RowState.PARTIAL),
        (None, "cpu-delta", RowState.REJECTED),
    ]
    rows = {r.system_id: r for r in board.rows}
    assert rows["cpu-alpha"].score == pytest.approx(2 * U, rel=REL)
    assert rows["cpu-beta"].score == pytest.approx(16 ** (1 / 3) * U, rel=REL)
    assert rows["cpu-gamma"].score == pytest.approx(math.sqrt(0.5 * 1.0) * U, rel=REL)
    assert rows["cpu-delta"].score is None
    assert [rows[s].covered for s in ("cpu-alpha", "cpu-gamma", "cpu-delta")] == [3, 2, 0]
    assert [rows[s].missing for s in ("cpu-alpha", "cpu-gamma", "cpu-delta")] == [0, 1, 3]


def test_relative_scores_use_the_problems_both_ran(hand_board: Leaderboard) -> None:
    rows = rows_by_system(hand_board)
    assert hand_board.reference == "cpu-beta"
    assert rows["cpu-beta"].relative == pytest.approx(1.0, rel=REL)
    assert rows["cpu-alpha"].relative == pytest.approx(0.5 ** (1 / 3), rel=REL)
    gamma = math.sqrt((0.5 / 4) * (1.0 / 4))
    assert rows["cpu-gamma"].relative == pytest.approx(gamma, rel=REL)
    assert rows["cpu-delta"].relative is None


def test_flagged_results_count_and_rejected_ones_are_shown(hand_board: Leaderboard) -> None:
    rows = rows_by_system(hand_board)
    assert rows["cpu-alpha"].flags == ("KP-RULES-CV",)
    assert "KP-INTEGRITY-HASH" in rows["cpu-delta"].flags
    alpha_p2 = next(
        r
        for r in hand_board.results
        if r.system == "cpu-alpha" and r.problem_id == problems()[2].id
    )
    assert alpha_p2.state is ResultState.FLAGGED
    assert [f.code for f in alpha_p2.flags] == ["KP-RULES-CV"]
    delta = [r for r in hand_board.results if r.system == "cpu-delta"]
    assert len(delta) == 3  # never silently dropped
    assert all(r.state is ResultState.REJECTED and r.problem_rank is None for r in delta)
    assert all("KP-INTEGRITY-HASH" in {f.code for f in r.flags} for r in delta)
    assert hand_board.counts.results == 11
    assert hand_board.counts.counted_results == 8


def test_every_system_is_ranked_per_problem(hand_board: Leaderboard) -> None:
    first = hand_board.problems[0]
    assert first.problem_id == problems()[0].id
    results = hand_board.result_index
    ranked = [(results[a].system, results[a].problem_rank) for a in first.results]
    assert ranked == [("cpu-beta", 1), ("cpu-alpha", 2), ("cpu-gamma", 3), ("cpu-delta", None)]
    throughput = [results[a].throughput for a in first.results[:3]]
    assert throughput == pytest.approx([4 * U, 1 * U, 0.5 * U], rel=REL)


def test_round_over_round_change(tmp_path: Path) -> None:
    earlier = write_hand_round(tmp_path / "a", "2025.4")
    faster = {**TFLOPS, "alpha": (2 * U, 2 * U, 4 * U)}
    later = write_hand_round(tmp_path / "b", "2026.1", rates=faster)
    board = board_of(later.root, previous=earlier.root)
    assert board.compared_with == "2025.4"
    rows = rows_by_system(board)
    alpha, beta = rows["cpu-alpha"], rows["cpu-beta"]
    assert alpha.previous == pytest.approx(2 * U, rel=REL)
    assert alpha.change == pytest.approx(16 ** (1 / 3) / 2 - 1, rel=REL)
    assert beta.change == pytest.approx(0.0, abs=1e-12)
    assert rows["cpu-gamma"].change is None  # partial rows are not compared


def test_closed_and_open_are_ranked_apart(tmp_path: Path) -> None:
    good = write_round(tmp_path)
    board = board_of(good.root)
    assert [(b.division.value, [r.system for r in b.rows]) for b in board.boards] == [
        ("closed", ["acme--cpu-2c"]),
        ("open", ["beta--cpu-2c"]),
    ]
    closed, opened = (b.rows[0] for b in board.boards)
    assert (closed.rank, closed.state) == (1, RowState.RANKED)  # the whole set
    assert (opened.rank, opened.state, opened.covered) == (None, RowState.PARTIAL, 3)


def _in_memory(results: tuple[KernelResult, ...], suite: str = "allreduce") -> Report:
    run = run_result(suite, count=0, results=results)
    bundle = BundleReport(
        path="loose", status=BundleStatus.VALID, findings=(), run=run, system=system_description()
    )
    return Report(root="loose", bundles=(bundle,))


def _allreduce(ranks: int, in_place: bool, busbw_gbps: float) -> KernelResult:
    result = kernel_result(load_problems(Suite("allreduce"))[0])
    collective = Collective(
        ranks=ranks, in_place=in_place, size_bytes=400_000, algbw_gbps=1.0, busbw_gbps=busbw_gbps
    )
    return result.model_copy(update={"collective": collective})


def test_allreduce_is_scored_by_bus_bandwidth_per_mode_ranks_and_nodes() -> None:
    results = (_allreduce(2, False, 3.0), _allreduce(2, True, 2.0), _allreduce(4, False, 5.0))
    board = build(_in_memory(results))
    assert [(b.variant, b.unit, b.rows[0].score) for b in board.boards] == [
        ("fp32 in-place, 2 ranks on 1 node", "GB/s busbw", 2.0),
        ("fp32 out-of-place, 2 ranks on 1 node", "GB/s busbw", 3.0),
        ("fp32 out-of-place, 4 ranks on 1 node", "GB/s busbw", 5.0),
    ]
    official = len(load_problems(Suite("allreduce")))
    assert {(b.problems, b.rows[0].state) for b in board.boards} == {(official, RowState.PARTIAL)}
    assert "ranks=2" in board.results[0].params


def test_a_one_rank_allreduce_is_shown_but_not_scored() -> None:
    board = build(_in_memory((_allreduce(1, False, 0.0),)))
    (row,) = board.boards[0].rows
    assert row.state is RowState.UNSCORED and row.score is None
    assert board.results[0].problem_rank is None


def test_repeated_loose_runs_count_once_at_their_median(
    tmp_path: Path, make_bundle: Callable[..., Path]
) -> None:
    first = problems()[0]
    for name, rate in (("a", 1 * U), ("b", 4 * U), ("c", 2 * U)):
        run = run_result(Suite("rnn"), count=0, results=(exact_result(first, rate),))
        make_bundle(tmp_path, name, run=run)
    board = board_of(tmp_path)
    anchors = [r.anchor for r in board.results]
    assert len(anchors) == len(set(anchors)) == 3  # each run keeps its own permalink
    (only,) = board.boards
    assert (only.problems, only.rows[0].covered) == (len(problems()), 1)
    assert only.rows[0].score == pytest.approx(2 * U, rel=REL)


def test_a_round_without_bundles_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(SubmissionError, match="no result bundle"):
        board_of(tmp_path)


def test_a_round_without_a_valid_bundle_is_an_error(hand_round: HandRound, tmp_path: Path) -> None:
    only_delta = tmp_path / "only-delta"
    hand_round.bundle("delta").rename(only_delta)
    with pytest.raises(SubmissionError, match="passed validation") as caught:
        board_of(only_delta)
    assert "kernelperf validate" in caught.value.fix


def test_an_unknown_reference_system_is_a_usage_error(hand_round: HandRound) -> None:
    with pytest.raises(UsageError, match="cpu-omega") as caught:
        board_of(hand_round.root, reference="cpu-omega")
    assert "cpu-alpha" in caught.value.fix
