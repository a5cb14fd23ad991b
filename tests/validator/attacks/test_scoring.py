"""Attacks on scoring: which results reach which board, and who is ranked (issue 12: 2, 3, 4, 6,
11, 12, and our own).

Each attack starts from a copy of the reference round whose submitter re-signs with its own key
(`forge`), and the forger keeps the log and the run window in step, so only the rule under test
can stop it: `codes` asserts that no time-accounting finding does it instead. The honest
baseline is made steady first (`ForgedRound.quiet`), because the reference round's closed
results vary more than the closed CV limit allows: without that, nothing in closed would rank
and every attack would pass for free.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from schemas import Direction, Division, DType, Suite, error_bound
from tests.validator.attacks.forge import (
    SUBMITTER,
    ForgedRound,
    Json,
    forged_round,
    rederive,
    redraw_region,
)
from validator import Code, Report, Severity
from validator.leaderboard import Leaderboard, ResultState, RowState, render_csv, render_markdown
from validator.leaderboard._model import Board, ScoreRow
from validator.rules import load_rules

ROUND = "2026.1"
OPEN = Division.OPEN
SLOWEST = 3
TIME_CODES = {Code.TIME_LOG, Code.TIME_RUN_WINDOW, Code.TIME_CASE_WINDOW, Code.RULES_MEASURED_TIME}


@pytest.fixture
def forged(tmp_path: Path) -> ForgedRound:
    """The reference round, re-signed by a key the test holds, closed gemm made steady."""
    round_ = forged_round(tmp_path)
    round_.quiet(round_.bundle("gemm"))
    return round_


def codes(report: Report, bundle: Path, root: Path) -> set[Code]:
    """The codes of the findings about one bundle, none of them a time-accounting one: that
    would mean a careless forgery, not the scoring rule under test, gave the attack away."""
    path = bundle.relative_to(root).as_posix()
    (found,) = [b for b in report.bundles if b.path == path]
    found_codes = {f.code for f in found.findings}
    assert not found_codes & TIME_CODES, sorted(found_codes & TIME_CODES)
    return found_codes


def board(leaderboard: Leaderboard, anchor: str) -> Board:
    """One board by anchor."""
    (found,) = [b for b in leaderboard.boards if b.anchor == anchor]
    return found


def row(found: Board, submitter: str = SUBMITTER) -> ScoreRow:
    """The row of one submitter on a board."""
    (mine,) = [r for r in found.rows if r.submitter == submitter]
    return mine


def official_count(suite: str, problem_set: str) -> int:
    """(problem, direction) pairs on the rules' official list of a set."""
    rules = load_rules(ROUND)
    (rule,) = [s for s in rules.problem_sets if (s.suite, s.set) == (suite, problem_set)]
    return sum(len(p.directions) for p in rule.problems)


def test_the_steady_baseline_ranks(forged: ForgedRound) -> None:
    """Not an attack: the baseline every closed attack below takes something away from. The
    time rules hold in closed, and the steady bundle meets them."""
    closed = load_rules(ROUND).divisions[Division.CLOSED]
    assert closed.min_measured_ms > 0 and closed.many_samples > 1
    report = forged.validate()
    assert report.ok
    codes(report, forged.bundle("gemm"), forged.root)
    gemm = board(forged.leaderboard(), "closed-gemm-inference-device-fp32")
    assert (row(gemm).rank, row(gemm).covered, gemm.problems) == (1, 13, 13)


def test_attack_made_up_problem_cannot_unrank_the_honest_system(forged: ForgedRound) -> None:
    """Attack 2a: a rival adds a made-up problem id so the board grows and the honest system
    looks partial. Boards score over the rules' official list; the made-up id is noted
    (KP-RULES-CUSTOM-PROBLEM) and ranked only on its own custom board."""
    bundle = rival_copy(forged)

    def made_up(document: Json) -> None:
        document["run_id"] += "-rival"
        document["results"][0]["problem"]["id"] = "gemm/train/999"

    forged.forge(bundle, result=made_up, submitter="rival")
    report = forged.validate()
    assert Code.RULES_CUSTOM_PROBLEM in codes(report, bundle, forged.root)
    leaderboard = forged.leaderboard()
    train = board(leaderboard, "open-gemm-train-bf16-fp32-bf16")
    assert train.problems == official_count("gemm", "train")
    assert row(train).covered == 6  # the honest system lost nothing
    custom = [b for b in leaderboard.boards if b.custom]
    assert [r.submitter for b in custom for r in b.rows] == ["rival"]


def test_attack_int8_subset_is_partial_and_unranked_in_closed(forged: ForgedRound) -> None:
    """Attack 2b: beside the complete fp32 set, a second bundle with three kernels in int8 made an
    int8 board of three problems, ranked "3/3" #1 in closed. Completeness is per precision
    (KP-RULES-INCOMPLETE-SET on the int8 bundle); the int8 board is the set's official list, so
    3 of 13 is partial and not ranked, and an int8 board states TOP/s."""
    bundle = forged.bundle("gemm").parent / "gemm-int8"
    shutil.copytree(forged.bundle("gemm"), bundle)
    int8 = {"input": "int8", "compute": "int32", "output": "int32"}
    tolerance = load_rules(ROUND).tolerance

    def subset(document: Json) -> None:
        document["run_id"] += "-int8"
        document["results"] = document["results"][:3]
        for result in document["results"]:
            result["precision"] = int8
            bound = error_bound(
                tolerance.bounds, Suite("gemm"), Direction(result["direction"]), DType.INT8,
                DType.INT32, cap=tolerance.cap,
            )  # fmt: skip
            result["correctness"] |= {"error": 0.0, "tolerance": bound, "passed": True}

    forged.forge(bundle, result=subset)
    report = forged.validate()
    assert Code.RULES_INCOMPLETE_SET in codes(report, bundle, forged.root)
    assert Code.RULES_INCOMPLETE_SET not in codes(report, forged.bundle("gemm"), forged.root)
    leaderboard = forged.leaderboard()
    gemm = board(leaderboard, "closed-gemm-inference-device-int8-int32-int32")
    assert (gemm.problems, gemm.unit) == (13, "TOP/s")
    assert (row(gemm).rank, row(gemm).state, row(gemm).missing) == (None, RowState.PARTIAL, 10)
    fp32 = board(leaderboard, "closed-gemm-inference-device-fp32")
    assert row(fp32).rank == 1  # the honest complete set still ranks


def test_attack_open_subset_shows_its_missing_count(forged: ForgedRound) -> None:
    """Attack 2c: the open gemm/train board showed "6/6" for a 160-problem set. It shows the
    official count and the missing one in every format, and does not rank the subset."""
    leaderboard = forged.leaderboard()
    train = board(leaderboard, "open-gemm-train-bf16-fp32-bf16")
    official = official_count("gemm", "train")
    assert (train.problems, row(train).missing, row(train).rank) == (official, official - 6, None)
    assert f"6/{official}, {official - 6} missing" in render_markdown(leaderboard)
    assert f",6,{official - 6}," in render_csv(leaderboard)  # covered, missing


def test_attack_slowest_kernels_in_a_broken_second_bundle(forged: ForgedRound) -> None:
    """Attack 3: the three slowest kernels moved into a second bundle broken on purpose (its
    run_id repeats the first's: KP-DUPLICATE-RUN, found only at round level). Completeness counts
    accepted bundles only: the first bundle's set is incomplete (KP-RULES-INCOMPLETE-SET)."""
    first = forged.bundle("gemm")
    second = first.parent / "gemm-slow"
    shutil.copytree(first, second)
    document_of: dict[str, Json] = {}

    def keep_fast(document: Json) -> None:
        ordered = sorted(document["results"], key=lambda r: r["tflops"])
        slow = {r["problem"]["id"] for r in ordered[:SLOWEST]}
        document_of["slow"] = slow
        document["results"] = [r for r in document["results"] if r["problem"]["id"] not in slow]

    def keep_slow(document: Json) -> None:
        document["results"] = [
            r for r in document["results"] if r["problem"]["id"] in document_of["slow"]
        ]

    forged.forge(first, result=keep_fast)
    forged.forge(second, result=keep_slow)
    report = forged.validate()
    assert Code.DUPLICATE_RUN in codes(report, second, forged.root)
    assert Code.RULES_INCOMPLETE_SET in codes(report, first, forged.root)
    gemm = board(forged.leaderboard(), "closed-gemm-inference-device-fp32")
    mine = row(gemm)
    assert (mine.rank, mine.state, mine.covered, mine.missing) == (
        None,
        RowState.PARTIAL,
        13 - SLOWEST,
        SLOWEST,
    )


def test_attack_system_key_collision_is_a_finding_never_a_merge(forged: ForgedRound) -> None:
    """Attack 4: submitter `kernelperf_ref` with the victim's system id slugs to the victim's key;
    the rows merged and the victim's score halved under the attacker's name. The collision is
    KP-SYSTEM-KEY-COLLISION, and the two systems keep separate keys and rows."""
    attacker = forged.root / "closed" / "kernelperf_ref"
    shutil.copytree(forged.root / "closed" / SUBMITTER, attacker)
    for suite in ("gemm", "conv", "rnn"):
        bundle = attacker / "results" / "cpu-2c-epyc" / suite / suite

        def slower(document: Json) -> None:
            document["run_id"] += "-attacker"
            for result in document["results"]:
                rederive(result, [s * 2 for s in result["samples_ns"]])

        forged.forge(bundle, result=slower, submitter="kernelperf_ref")
    report = forged.validate()
    victim = forged.bundle("gemm")
    assert Code.SYSTEM_KEY_COLLISION in codes(report, victim, forged.root)
    assert not report.ok
    leaderboard = forged.leaderboard()
    keys = [s.key for s in leaderboard.systems]
    assert len(keys) == len(set(keys)) == 3  # two closed systems and the open one
    gemm = board(leaderboard, "closed-gemm-inference-device-fp32")
    assert sorted(r.submitter for r in gemm.rows) == ["kernelperf-ref", "kernelperf_ref"]
    assert all(r.rank is None for r in gemm.rows)


def rival_copy(forged: ForgedRound, name: str = "rival") -> Path:
    """The open reference submission copied as another submitter's; its gemm bundle."""
    rival = forged.root / "open" / name
    shutil.copytree(forged.root / "open" / SUBMITTER, rival)
    return rival / "results" / "cpu-2c-epyc-native" / "gemm" / "gemm"


def test_attack_official_id_with_other_params_is_custom(forged: ForgedRound) -> None:
    """Attack 6: in open, `gemm/inference_device/003` (64x1x1216) reported as 4096^3 was ranked
    against the official-size runs of that id. It is KP-RULES-CUSTOM-PROBLEM and goes to a
    custom board keyed by its exact parameters; the official problem view never lists it."""
    bundle = rival_copy(forged)
    size = 4096

    def bigger(document: Json) -> None:
        document["run_id"] += "-rival"
        (result,) = [
            r for r in document["results"] if r["problem"]["id"] == "gemm/inference_device/003"
        ]
        result["problem"]["params"] |= {"m": size, "n": size, "k": size}
        scale = 2 * size**3 / result["flops"]  # the same TFLOP/s, so no ceiling objects
        result["flops"] = 2 * size**3
        rederive(result, [round(s * scale) for s in result["samples_ns"]])
        redraw_region(result)

    forged.forge(bundle, result=bigger, submitter="rival")
    report = forged.validate()
    assert report.ok
    assert Code.RULES_CUSTOM_PROBLEM in codes(report, bundle, forged.root)
    leaderboard = forged.leaderboard()
    (forged_entry,) = [r for r in leaderboard.results if f"m={size}" in r.params]
    assert forged_entry.custom and board(leaderboard, forged_entry.board).custom
    (official_view,) = [
        p
        for p in leaderboard.problems
        if (p.problem_id, p.custom, p.division) == ("gemm/inference_device/003", False, OPEN)
    ]
    assert forged_entry.anchor not in official_view.results
    assert len(official_view.results) == 1  # the honest official-size run, alone


def test_attack_failed_kernel_keeps_the_bundle_valid(forged: ForgedRound) -> None:
    """Attack 11: one failed correctness check rejected the whole bundle, so in open deleting
    failures paid better than reporting them. The failure is KP-CORRECTNESS-FAILED, a warning:
    the bundle stays valid, the kernel is shown failed and unscored, and in closed its set is
    incomplete (KP-RULES-INCOMPLETE-SET)."""
    bundle = forged.bundle("gemm")

    def fail_one(document: Json) -> None:
        check = document["results"][0]["correctness"]
        # Garbage, not a near miss: an error a lower precision could make would be a wrong label.
        check["error"], check["passed"] = 0.5, False

    forged.forge(bundle, result=fail_one)
    report = forged.validate()
    found = codes(report, bundle, forged.root)
    assert {Code.CORRECTNESS_FAILED, Code.RULES_INCOMPLETE_SET} <= found
    path = bundle.relative_to(forged.root).as_posix()
    assert next(b for b in report.bundles if b.path == path).valid
    leaderboard = forged.leaderboard()
    gemm = board(leaderboard, "closed-gemm-inference-device-fp32")
    mine = row(gemm)
    assert (mine.rank, mine.state, mine.missing, mine.failed) == (None, RowState.PARTIAL, 1, 1)
    states = {r.state for r in leaderboard.results if r.board == gemm.anchor}
    assert ResultState.FAILED in states


def test_attack_noisy_closed_result_is_not_ranked(forged: ForgedRound) -> None:
    """Attack 12: a closed result with CV 1.54 was ranked (warnings still ranked). The closed
    rules list KP-RULES-CV in unscored_codes: the result is shown unranked, the set is
    incomplete, and the system is not ranked."""
    bundle = forged.bundle("gemm")

    def noisy(document: Json) -> None:
        result = document["results"][0]
        median = result["stats"]["median_ns"]
        rederive(result, [round(median * f) for f in (0.2, 0.5, 1.0, 1.0, 6.0)])

    forged.forge(bundle, result=noisy)
    report = forged.validate()
    cv = [f for b in report.bundles for f in b.findings if f.code is Code.RULES_CV]
    assert cv and all(f.severity is Severity.WARNING for f in cv)
    leaderboard = forged.leaderboard()
    gemm = board(leaderboard, "closed-gemm-inference-device-fp32")
    assert (row(gemm).rank, row(gemm).state) == (None, RowState.PARTIAL)
    unranked = [r for r in leaderboard.results if r.state is ResultState.UNRANKED]
    assert [r.problem_id for r in unranked if r.board == gemm.anchor] == [
        "gemm/inference_device/000"
    ]


def test_attack_case_only_system_id_is_a_collision(forged: ForgedRound) -> None:
    """Our own: one submitter declares `CPU-2c-epyc` beside `cpu-2c-epyc` in open, hoping the
    two merge on the leaderboard (both slug to one key). KP-SYSTEM-KEY-COLLISION."""
    opened = forged.root / "open" / SUBMITTER
    results = opened / "results"
    shutil.copytree(results / "cpu-2c-epyc-native", results / "CPU-2c-epyc-native")
    systems = opened / "systems"
    text = (systems / "cpu-2c-epyc-native.json").read_text(encoding="utf-8")
    (systems / "CPU-2c-epyc-native.json").write_text(
        text.replace('"cpu-2c-epyc-native"', '"CPU-2c-epyc-native"'), encoding="utf-8"
    )
    bundle = results / "CPU-2c-epyc-native" / "gemm" / "gemm"

    def renamed(document: Json) -> None:
        document["run_id"] += "-upper"

    def upper(document: Json) -> None:
        document["system_id"] = "CPU-2c-epyc-native"

    forged.forge(bundle, result=renamed, system=upper)
    report = forged.validate()
    assert Code.SYSTEM_KEY_COLLISION in codes(report, bundle, forged.root)
    keys = [s.key for s in forged.leaderboard().systems]
    assert len(keys) == len(set(keys))


def test_attack_unranked_by_policy_is_data_not_code() -> None:
    """Our own: the policy that keeps noisy closed results off boards lives in the rules file, so
    a reviewer reads it there; the closed and open divisions differ as the rules say."""
    rules = load_rules(ROUND)
    closed, opened = (rules.divisions[d].unscored_codes for d in (Division.CLOSED, Division.OPEN))
    assert Code.RULES_CV in closed and Code.RULES_CV not in opened
    assert Code.CORRECTNESS_FAILED in closed and Code.CORRECTNESS_FAILED in opened
