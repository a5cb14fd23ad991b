"""Reads a workbook's sheets as grids of cell values, with python-calamine (the Rust reader).

Measured on the 18 DeepBench workbooks (every sheet, every row): python-calamine 0.07-0.09 s,
openpyxl 0.47-0.73 s (read-only, cached values) and a warning about an unknown extension, so the
importer uses calamine. It is imported here, inside `read_workbook`, because only a publisher
importing workbooks needs it (the `publisher` extra); validating and ranking never do.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from schemas import SubmissionError

Value = object  # str, float, int, bool, a date or time, or None


@dataclass(frozen=True)
class Sheet:
    """One sheet as rows of values; row i of `rows` is the sheet's row i + 1, column 0 is A."""

    name: str
    rows: tuple[tuple[Value, ...], ...]

    def cell(self, row: int, column: int) -> Value:
        """The value at 1-based `row`, 0-based `column`; None outside the used area."""
        if row - 1 >= len(self.rows) or column >= len(self.rows[row - 1]):
            return None
        value = self.rows[row - 1][column]
        return None if value == "" else value


@dataclass(frozen=True)
class Workbook:
    """A workbook's file and its sheets, in workbook order."""

    path: Path
    sheets: tuple[Sheet, ...]


def column_name(column: int) -> str:
    """The spreadsheet letters of a 0-based column: 0 -> A, 26 -> AA."""
    name = ""
    column += 1
    while column:
        column, remainder = divmod(column - 1, 26)
        name = chr(ord("A") + remainder) + name
    return name


def cell_name(row: int, column: int) -> str:
    """`I5` for 1-based row 5, 0-based column 8."""
    return f"{column_name(column)}{row}"


def read_workbook(path: Path) -> Workbook:
    """Every sheet of an .xlsx file; SubmissionError naming the file if it is not a workbook."""
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
        sheets = tuple(
            Sheet(
                name=name,
                rows=tuple(
                    tuple(row)
                    for row in book.get_sheet_by_name(name).to_python(skip_empty_area=False)
                ),
            )
            for name in book.sheet_names
        )
    except (CalamineError, OSError, ValueError) as exc:
        raise SubmissionError(
            f"not a readable workbook: {exc}",
            where=str(path),
            fix="pass the .xlsx files of DeepBench's results/ folder",
        ) from exc
    return Workbook(path=path, sheets=sheets)
