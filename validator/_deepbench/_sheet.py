"""Reads one result sheet: its precision statements, its sections, and one record per data row.

A sheet stacks sections: a title in column A, a header row (the title's own row, or the next
one), then data rows until the next title. Columns are read by their header (`_headers`). A
number in column A of a data row is a stray cell (the TitanX Pascal workbook has two): ignored,
and listed in the import report. Anything else unexpected stops the import with its cell named.
"""

from __future__ import annotations

from dataclasses import dataclass

from schemas import DType, Precision, RnnCell, SubmissionError
from validator._deepbench._headers import (
    HEADERS,
    PRECISION_TITLE,
    SECTIONS,
    Role,
    Section,
    normal,
)
from validator._deepbench._precision import STATEMENTS, scoped
from validator._deepbench._workbook import Sheet, Value, cell_name

NOT_STATED = Precision(input=DType.NOT_STATED, compute=DType.NOT_STATED, output=DType.NOT_STATED)


@dataclass(frozen=True)
class Timing:
    """One published time: its direction (or `bwd_combined`), value, cell and the sheet's rate."""

    direction: str
    time_ms: float
    cell: str
    rate: float | None


@dataclass(frozen=True)
class DataRow:
    """One data row of a section, as the sheet gives it."""

    suite: str
    rnn_cell: RnnCell | None
    row: int
    application: str
    params: dict[str, Value]
    times: tuple[Timing, ...]
    unpublished: tuple[str, ...]  # time cells holding text such as 'N/A*', named
    remark: str | None


@dataclass(frozen=True)
class ResultSheet:
    """A result sheet read: the precision of each suite, its data rows, its stray cells."""

    name: str
    precision: dict[str, Precision]
    rows: tuple[DataRow, ...]
    stray_cells: tuple[str, ...]

    def precision_of(self, suite: str) -> Precision:
        """The contract the sheet states for a suite; all `not_stated` if it states none."""
        return self.precision.get(suite, self.precision.get("", NOT_STATED))


def is_number(value: Value) -> bool:
    """A numeric cell (booleans are not numbers here)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def is_result_sheet(sheet: Sheet) -> bool:
    """Whether any cell of column A titles a known section."""
    return any(isinstance(row[0], str) and normal(row[0]) in SECTIONS for row in sheet.rows if row)


def _where(file: str, sheet: Sheet, cell: str) -> str:
    return f"{file} > {sheet.name} > {cell}"


def _precision(file: str, sheet: Sheet, first_section: int) -> dict[str, Precision]:
    """Every statement above the first section, keyed by suite ('' for all suites)."""
    found: dict[str, Precision] = {}
    for row in range(1, first_section):
        for column in range(1, len(sheet.rows[row - 1])):
            value = sheet.cell(row, column)
            if not isinstance(value, str) or not value.strip():
                continue
            parsed = scoped(value)
            if parsed is None:
                raise SubmissionError(
                    f"precision statement not recognised: {value!r}",
                    where=_where(file, sheet, cell_name(row, column)),
                    fix="add the statement and the contract it states to "
                    "validator/_deepbench/_precision.py",
                )
            suites, body = parsed
            for suite in suites or ("",):
                found[suite] = STATEMENTS[body]
    return found


def _header(file: str, sheet: Sheet, row: int, section: Section) -> dict[int, Role]:
    """The role of each labelled column of a header row; unknown labels stop the import."""
    roles: dict[int, Role] = {}
    vocabulary = HEADERS[section.suite]
    for column in range(1, len(sheet.rows[row - 1])):
        value = sheet.cell(row, column)
        if value is None:
            continue
        role = vocabulary.get(normal(str(value)))
        if role is None:
            raise SubmissionError(
                f"header not recognised in a {section.suite} section: {value!r}",
                where=_where(file, sheet, cell_name(row, column)),
                fix="add the header and its role to validator/_deepbench/_headers.py",
            )
        roles[column] = role
    return roles


def _header_row(sheet: Sheet, title_row: int) -> int:
    """The title's row when it carries labels, else the next row that has any cell."""
    if any(sheet.cell(title_row, c) is not None for c in range(1, len(sheet.rows[title_row - 1]))):
        return title_row
    row = title_row + 1
    while row <= len(sheet.rows) and not any(v not in ("", None) for v in sheet.rows[row - 1]):
        row += 1
    return row


def _data_row(section: Section, roles: dict[int, Role], sheet: Sheet, row: int) -> DataRow | None:
    params: dict[str, Value] = {}
    times: list[tuple[str, float, str]] = []
    rates: dict[str, float] = {}
    unpublished: list[str] = []
    application, remark = "", None
    label = sheet.cell(row, 1)
    if isinstance(label, str):
        application = label.strip()
    for column, role in roles.items():
        value = sheet.cell(row, column)
        if role.kind == "param" and value is not None:
            params[role.name] = value
        elif role.kind == "time" and is_number(value) and float(str(value)) > 0:
            times.append((role.name, float(str(value)), cell_name(row, column)))
        elif role.kind == "time" and isinstance(value, str) and value.strip():
            unpublished.append(f"{cell_name(row, column)} {value.strip()!r}")
        elif role.kind == "rate" and is_number(value) and role.name not in rates:
            rates[role.name] = float(str(value)) * role.scale
        elif role.kind == "remark" and isinstance(value, str) and value.strip():
            remark = value.strip()
        elif role.kind == "application" and isinstance(value, str) and value.strip():
            application = value.strip()
    if not any(is_number(v) for v in params.values()):
        return None  # a blank line, a footnote or a sub-heading
    return DataRow(
        suite=section.suite,
        rnn_cell=section.cell,
        row=row,
        application=application,
        params=params,
        times=tuple(Timing(d, ms, cell, rates.get(d)) for d, ms, cell in times),
        unpublished=tuple(unpublished),
        remark=remark,
    )


def read_result_sheet(file: str, sheet: Sheet) -> ResultSheet:
    """The sheet's precision, data rows and stray cells; SubmissionError names a bad cell."""
    titles = [
        row
        for row in range(1, len(sheet.rows) + 1)
        if isinstance(sheet.cell(row, 0), str) and normal(str(sheet.cell(row, 0))) in SECTIONS
    ]
    if not titles:
        raise SubmissionError(
            "no section title (Dense Matrix Multiplication, Convolution, ...) in column A",
            where=_where(file, sheet, "A1"),
            fix="pass a DeepBench result sheet",
        )
    rows: list[DataRow] = []
    stray: list[str] = []
    section: Section | None = None
    roles: dict[int, Role] = {}
    skip_to = 0
    for row in range(titles[0], len(sheet.rows) + 1):
        first = sheet.cell(row, 0)
        if isinstance(first, str) and normal(first) in SECTIONS:
            section = SECTIONS[normal(first)]
            header = _header_row(sheet, row)
            roles, skip_to = _header(file, sheet, header, section), header
            continue
        if row <= skip_to or section is None:
            continue
        if isinstance(first, str) and normal(first) not in ("", PRECISION_TITLE):
            raise SubmissionError(
                f"section title not recognised: {first!r}",
                where=_where(file, sheet, cell_name(row, 0)),
                fix="add the title and its suite to validator/_deepbench/_headers.py",
            )
        if first is not None and not isinstance(first, str):
            stray.append(f"{cell_name(row, 0)} ({first!r})")
        record = _data_row(section, roles, sheet, row)
        if record is not None:
            rows.append(record)
    return ResultSheet(
        name=sheet.name,
        precision=_precision(file, sheet, titles[0]),
        rows=tuple(rows),
        stray_cells=tuple(stray),
    )
