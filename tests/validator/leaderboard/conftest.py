"""Fixtures: the hand-computed round on disk, and its leaderboard."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.validator.leaderboard.rounds import HandRound, write_hand_round
from validator import validate
from validator.leaderboard import Leaderboard, build


def board_of(root: Path, reference: str | None = None, previous: Path | None = None) -> Leaderboard:
    """Validates a round (no cache, one process) and builds its leaderboard."""
    earlier = validate(previous, jobs=1, cache_dir=None) if previous else None
    return build(validate(root, jobs=1, cache_dir=None), reference=reference, previous=earlier)


@pytest.fixture
def hand_round(tmp_path: Path) -> HandRound:
    """The round of tests/validator/leaderboard/rounds.py."""
    return write_hand_round(tmp_path)


@pytest.fixture
def hand_board(hand_round: HandRound) -> Leaderboard:
    """Its leaderboard, relative to cpu-beta."""
    return board_of(hand_round.root, reference="cpu-beta")
