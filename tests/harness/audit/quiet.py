"""An audit observer that shows nothing: for tests and the bench."""

from __future__ import annotations

from schemas import ResultKey


class Quiet:
    """Sees the audit's progress and says nothing."""

    def planned(self, total: int, done: int) -> None:
        """Nothing to show."""

    def measured(self, key: ResultKey, round_index: int) -> None:
        """Nothing to show."""

    def loaded(self, load_average: float, logical_cpus: int) -> None:
        """Nothing to show: the audit records the load itself."""
