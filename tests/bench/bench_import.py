"""Import speed: DeepBench's 18 published workbooks into a historical round, goal under 10 s.

The whole `import_workbooks` call is timed (read with python-calamine, match, build, write),
three times into fresh temporary folders, and the reader alone is timed beside it with both
libraries the issue named, where openpyxl happens to be installed (it is not a dependency).
"""

from __future__ import annotations

import tempfile
import time
import warnings
from pathlib import Path

from rich.console import Console
from rich.table import Table

from tests.validator.deepbench.workbooks import WORKBOOKS, all_workbooks
from validator import import_workbooks

TARGET_S = 10.0
REPEATS = 3


def _import_s() -> tuple[float, int]:
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        report = import_workbooks(all_workbooks(), "deepbench-2019", Path(folder))
        return time.perf_counter() - started, report.results


def _read_s(reader: str) -> float | None:
    started = time.perf_counter()
    if reader == "python-calamine":
        from python_calamine import CalamineWorkbook

        for path in all_workbooks():
            book = CalamineWorkbook.from_path(str(path))
            for name in book.sheet_names:
                book.get_sheet_by_name(name).to_python(skip_empty_area=False)
    else:
        try:
            import openpyxl
        except ImportError:
            return None
        for path in all_workbooks():
            with warnings.catch_warnings():  # "Unknown extension is not supported": not ours
                warnings.simplefilter("ignore")
                book = openpyxl.load_workbook(path, read_only=True, data_only=True)
            for sheet in book.worksheets:
                for _ in sheet.iter_rows(values_only=True):
                    pass
            book.close()
    return time.perf_counter() - started


def run(console: Console) -> None:
    """Prints the import time of all 18 workbooks and the readers' times side by side."""
    timings = [_import_s() for _ in range(REPEATS)]
    best = min(t for t, _ in timings)
    table = Table("what", "seconds", "goal", title=f"import of {len(WORKBOOKS)} workbooks")
    table.add_row(
        f"kernelperf import deepbench ({timings[0][1]} results), best of {REPEATS}",
        f"{best:.2f}",
        f"< {TARGET_S:g} s {'ok' if best < TARGET_S else 'MISSED'}",
    )
    for reader in ("python-calamine", "openpyxl"):
        seconds = _read_s(reader)
        table.add_row(
            f"read every sheet with {reader}",
            "not installed" if seconds is None else f"{seconds:.2f}",
            "",
        )
    console.print(table)
