"""Where DeepBench's published workbooks lie (shared/, beside the repository) and small helpers.

The tests read known cells straight from these files with python-calamine's plain cell API, not
through the importer, and compare with what the importer wrote.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
FOLDER = Path("shared", "deepbench-results")


def results_folder() -> Path:
    """$KERNELPERF_DEEPBENCH_RESULTS, else `shared/deepbench-results` beside the checkout or one
    folder up (a git worktree under wt/)."""
    given = os.environ.get("KERNELPERF_DEEPBENCH_RESULTS")
    if given:
        return Path(given)
    candidates = [base / FOLDER for base in (REPO.parent, REPO.parent.parent)]
    return next((c for c in candidates if c.is_dir()), candidates[0])


RESULTS = results_folder()
WORKBOOKS = (
    "inference/DeepBench_NV_T4.xlsx",
    "inference/device/DeepBench_Raspberry_Pi_3.xlsx",
    "inference/device/DeepBench_iPhone_6.xlsx",
    "inference/device/DeepBench_iPhone_7.xlsx",
    "inference/server/DeepBench_NV_1080Ti.xlsx",
    "inference/server/DeepBench_NV_TitanX_Pascal.xlsx",
    "inference/server/DeepBench_NV_TitanXp.xlsx",
    "train/DeepBench_AMD_MI25.xlsx",
    "train/DeepBench_AMD_VegaFE.xlsx",
    "train/DeepBench_IA_KNL7250.xlsx",
    "train/DeepBench_NV_1080Ti.xlsx",
    "train/DeepBench_NV_M40.xlsx",
    "train/DeepBench_NV_P100.xlsx",
    "train/DeepBench_NV_T4.xlsx",
    "train/DeepBench_NV_TitanX.xlsx",
    "train/DeepBench_NV_TitanX_Pascal.xlsx",
    "train/DeepBench_NV_TitanXp.xlsx",
    "train/DeepBench_NV_V100.xlsx",
)


def all_workbooks() -> list[Path]:
    """The 18 workbooks, in DeepBench's folder order."""
    return [RESULTS / name for name in WORKBOOKS]


def cell(workbook: str, sheet: str, ref: str) -> object:
    """The value of one cell (e.g. `I5`), read with python-calamine directly."""
    from python_calamine import CalamineWorkbook

    letters = "".join(c for c in ref if c.isalpha())
    row = int(ref[len(letters) :])
    column = 0
    for letter in letters:
        column = column * 26 + ord(letter) - ord("A") + 1
    rows = (
        CalamineWorkbook.from_path(str(RESULTS / workbook))
        .get_sheet_by_name(sheet)
        .to_python(skip_empty_area=False)
    )
    return rows[row - 1][column - 1]
