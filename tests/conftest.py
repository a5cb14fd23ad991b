"""Shared fixtures: a clean colour environment for every test."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _plain_output(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rich output without colour codes or terminal width surprises, so text can be asserted."""
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.delenv("FORCE_COLOR", raising=False)
