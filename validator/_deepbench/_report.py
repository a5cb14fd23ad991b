"""The import report: per workbook, rows matched and unmatched (with reasons), results per suite."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field
from rich.table import Table

FROZEN = ConfigDict(frozen=True, extra="forbid")


class UnmatchedRow(BaseModel):
    """A row, or one time of a row, kept out of the bundles, and why."""

    model_config = FROZEN
    sheet: str
    row: int
    suite: str
    what: str
    reason: str


class WorkbookReport(BaseModel):
    """What one workbook gave."""

    model_config = FROZEN
    file: str = Field(description="The workbook, as given on the command line.")
    sha256: str
    system_id: str
    problem_set: str
    sheets: tuple[str, ...] = Field(description="Result sheets read.")
    rows_matched: int
    rows_unmatched: int
    results_per_suite: dict[str, int]
    unmatched: tuple[UnmatchedRow, ...]
    stray_cells: tuple[str, ...] = Field(description="Cells outside any column, ignored.")
    bundles: tuple[str, ...] = Field(description="Bundles written, relative to --into.")


class ImportReport(BaseModel):
    """Every workbook of one import."""

    model_config = FROZEN
    round: str
    workbooks: tuple[WorkbookReport, ...]

    @property
    def results(self) -> int:
        """Published results written, in all."""
        return sum(sum(w.results_per_suite.values()) for w in self.workbooks)


def import_table(report: ImportReport) -> Table:
    """Per workbook: rows matched, unmatched, and results per suite."""
    suites = sorted({s for w in report.workbooks for s in w.results_per_suite})
    table = Table("workbook", "system", "set", "matched", "unmatched", *suites, title=report.round)
    for w in report.workbooks:
        table.add_row(
            w.file,
            w.system_id,
            w.problem_set,
            str(w.rows_matched),
            str(w.rows_unmatched),
            *(str(w.results_per_suite.get(s, 0)) for s in suites),
        )
    return table


def unmatched_table(report: ImportReport) -> Table:
    """Every unmatched row with its reason."""
    table = Table("workbook", "sheet", "row", "what", "reason", title="unmatched rows")
    for w in report.workbooks:
        for u in w.unmatched:
            table.add_row(w.file, u.sheet, str(u.row), u.what, u.reason)
    return table
