"""Imports DeepBench's published result workbooks as a historical round of bundles.

    import_workbooks(paths, round_name, into) -> ImportReport

One bundle per (workbook, result sheet, suite) under
`<into>/<round>/historical/deepbench/results/<system_id>/<suite>/<sheet>/`, and the system's
`systems/<system_id>.json`. Everything is read, matched and built in memory first, so a bad
workbook (not a workbook, no result sheet, an unknown header) or a repeated import stops it with
the file, sheet and cell named and nothing written; bundles are written into a hidden staging
folder beside the round and renamed into place at the end.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from schemas import (
    LOG_NAME,
    MANIFEST_NAME,
    RESULT_NAME,
    SYSTEM_NAME,
    KernelResult,
    ProblemSet,
    RunResult,
    SubmissionError,
    Suite,
    SystemDescription,
    UsageError,
    manifest_of,
    sha256_of,
)
from schemas.names import is_valid_name
from validator._deepbench._match import Unmatched, indexes, match_rows
from validator._deepbench._report import (
    ImportReport,
    UnmatchedRow,
    WorkbookReport,
    import_table,
    unmatched_table,
)
from validator._deepbench._results import result_of, run_of
from validator._deepbench._sheet import is_result_sheet, read_result_sheet
from validator._deepbench._system import SUBMITTER, describe, gpu_model, read_specs
from validator._deepbench._workbook import read_workbook

__all__ = ["ImportReport", "import_table", "import_workbooks", "unmatched_table"]

DIVISION = "historical"
SPECS_SHEET = "specs"
# The folder a workbook lies in names its problem set, as DeepBench's results/ folder does.
SET_FOLDERS = (
    ("device", ProblemSet.INFERENCE_DEVICE, "device"),
    ("server", ProblemSet.INFERENCE_SERVER, "server"),
    ("inference", ProblemSet.INFERENCE_SERVER, "inference"),
    ("train", ProblemSet.TRAIN, "train"),
)


@dataclass(frozen=True)
class _Bundle:
    relative: Path
    run: RunResult
    system: SystemDescription


def _slug(text: str) -> str:
    kept = "".join(c if c.isalnum() else "-" for c in text.lower())
    return "-".join(part for part in kept.split("-") if part)


def _problem_set(path: Path) -> tuple[ProblemSet, str]:
    folders = [part.lower() for part in path.resolve().parent.parts]
    for folder, problem_set, short in SET_FOLDERS:
        if folder in folders[-2:]:
            return problem_set, short
    raise SubmissionError(
        "cannot tell the workbook's problem set from its folder",
        where=str(path),
        fix="keep DeepBench's layout: train/, inference/, inference/server/ or inference/device/",
    )


def _workbook(
    path: Path, round_name: str, imported: datetime, command: tuple[str, ...]
) -> tuple[WorkbookReport, list[_Bundle]]:
    """Reads, matches and builds the bundles of one workbook; nothing is written here."""
    if not path.is_file():
        raise UsageError(f"no such workbook: {path}", where=str(path), fix="check the path")
    book = read_workbook(path)
    problem_set, short = _problem_set(path)
    sha256 = sha256_of(path)
    result_sheets = [s for s in book.sheets if is_result_sheet(s)]
    if not result_sheets:
        names = ", ".join(repr(s.name) for s in book.sheets)
        raise SubmissionError(
            f"no result sheet (sheets: {names})",
            where=str(path),
            fix="pass a DeepBench result workbook: a sheet with sections such as "
            "'Dense Matrix Multiplication' in column A",
        )
    specs = read_specs(next((s for s in book.sheets if s.name.lower() == SPECS_SHEET), None))
    system_id = f"{_slug(path.stem.removeprefix('DeepBench_'))}-{short}"
    if not is_valid_name(system_id):
        raise SubmissionError(f"no usable system id from {path.name}", where=str(path))
    system = describe(specs, system_id, nodes=1)
    gpu = gpu_model(specs)
    device = ("cuda:0", gpu) if gpu else ("cpu", system.host.cpu_model)
    bundles: list[_Bundle] = []
    unmatched: list[UnmatchedRow] = []
    per_suite: dict[str, int] = defaultdict(int)
    stray: list[str] = []
    matched_rows: set[tuple[str, int]] = set()
    for sheet in result_sheets:
        parsed = read_result_sheet(path.name, sheet)
        stray += [f"{sheet.name} > {cell}" for cell in parsed.stray_cells]
        matched, missed = match_rows(parsed.rows, indexes(problem_set), problem_set.value)
        matched_rows |= {(sheet.name, item.row.row) for item in matched}
        unmatched += [_unmatched_row(sheet.name, u) for u in missed]
        by_suite: dict[str, list[KernelResult]] = defaultdict(list)
        place = (_shown(path), sha256, sheet.name)
        for item in matched:
            precision = parsed.precision_of(item.row.suite)
            for timing in item.row.times:
                if timing.direction in {d.value for d in item.problem.directions}:
                    by_suite[item.row.suite].append(result_of(item, timing, precision, place))
        for suite_name, results in by_suite.items():
            suite = Suite(suite_name)
            per_suite[suite_name] += len(results)
            bundle = _slug(sheet.name)
            run = run_of(
                suite,
                results,
                run_id=f"{round_name}-{system_id}-{suite_name}-{bundle}",
                device=device,
                command_line=command,
                imported=imported,
            )
            relative = Path(round_name, DIVISION, SUBMITTER, "results", system_id, suite_name)
            bundles.append(_Bundle(relative / bundle, run, system))
    # A matched row may still have a time no official direction takes: listed, not counted here.
    rows_unmatched = len({(u.sheet, u.row) for u in unmatched} - matched_rows)
    report = WorkbookReport(
        file=_shown(path),
        sha256=sha256,
        system_id=system_id,
        problem_set=problem_set.value,
        sheets=tuple(s.name for s in result_sheets),
        rows_matched=len(matched_rows),
        rows_unmatched=rows_unmatched,
        results_per_suite=dict(sorted(per_suite.items())),
        unmatched=tuple(unmatched),
        stray_cells=tuple(stray),
        bundles=tuple(b.relative.as_posix() for b in bundles),
    )
    return report, bundles


def _shown(path: Path) -> str:
    """The workbook as provenance names it: from its set folder down (train/DeepBench_...)."""
    parts = path.resolve().parts
    for start, part in enumerate(parts):
        if part.lower() in ("train", "inference"):
            return "/".join(parts[start:])
    return path.name


def _unmatched_row(sheet: str, item: Unmatched) -> UnmatchedRow:
    return UnmatchedRow(
        sheet=sheet, row=item.row, suite=item.suite, what=item.what, reason=item.reason
    )


def _write_bundle(folder: Path, bundle: _Bundle) -> None:
    folder.mkdir(parents=True)
    (folder / RESULT_NAME).write_text(bundle.run.model_dump_json(indent=2) + "\n", "utf-8")
    (folder / SYSTEM_NAME).write_text(bundle.system.model_dump_json(indent=2) + "\n", "utf-8")
    (folder / LOG_NAME).parent.mkdir()
    event = {"event": "import", "results": len(bundle.run.results), "t_utc": bundle.run.started_utc}
    (folder / LOG_NAME).write_text(json.dumps(event, default=str, sort_keys=True) + "\n", "utf-8")
    manifest = manifest_of(folder)
    (folder / MANIFEST_NAME).write_text(manifest.model_dump_json(indent=2) + "\n", "utf-8")


def _refuse_existing(into: Path, bundles: list[_Bundle], reports: list[WorkbookReport]) -> None:
    """A repeated import (a bundle already there, or a workbook given twice) stops everything."""
    seen: dict[str, str] = {}
    for report in reports:
        if report.sha256 in seen:
            raise SubmissionError(
                f"the same workbook is given twice (also as {seen[report.sha256]})",
                where=report.file,
                fix="give each workbook once",
            )
        seen[report.sha256] = report.file
    for bundle in bundles:
        target = into / bundle.relative
        if target.exists():
            provenance = bundle.run.results[0].provenance if bundle.run.results else None
            source = f"{provenance.file} > {provenance.sheet}" if provenance else str(target)
            raise SubmissionError(
                f"already imported: {source}",
                where=str(target),
                fix="remove the round's historical folder to import it again",
            )


def import_workbooks(
    paths: list[Path], round_name: str, into: Path, command: tuple[str, ...] = ()
) -> ImportReport:
    """Imports the workbooks as round `round_name` under `into`; raises before writing anything.

    Raises UsageError for a missing file or a bad round name, SubmissionError for a file that
    is not a result workbook, a sheet it cannot read, or an import that was already made.
    """
    if not is_valid_name(round_name):
        raise UsageError(
            f"bad round name {round_name!r}", where="--round", fix="e.g. deepbench-2019"
        )
    imported = datetime.now(UTC).replace(microsecond=0)
    reports: list[WorkbookReport] = []
    bundles: list[_Bundle] = []
    for path in paths:
        report, made = _workbook(path, round_name, imported, command)
        reports.append(report)
        bundles += made
    _refuse_existing(into, bundles, reports)
    into.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{round_name}.import-", dir=into))
    try:
        systems: dict[str, SystemDescription] = {b.system.system_id: b.system for b in bundles}
        for bundle in bundles:
            _write_bundle(staging / bundle.relative, bundle)
        for system_id, system in systems.items():
            file = staging / round_name / DIVISION / SUBMITTER / "systems" / f"{system_id}.json"
            file.parent.mkdir(parents=True, exist_ok=True)
            file.write_text(system.model_dump_json(indent=2) + "\n", "utf-8")
        _move_into_place(staging / round_name, into / round_name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return ImportReport(round=round_name, workbooks=tuple(reports))


def _move_into_place(staged: Path, target: Path) -> None:
    """The staged round becomes the target; into an existing round, each new file is renamed in."""
    if not target.exists():
        staged.rename(target)
        return
    for source in sorted(p for p in staged.rglob("*") if p.is_file() or _is_bundle(p)):
        if not source.exists():
            continue
        destination = target / source.relative_to(staged)
        if destination.exists():
            continue  # a system file written by an earlier import of another sheet
        destination.parent.mkdir(parents=True, exist_ok=True)
        source.rename(destination)


def _is_bundle(path: Path) -> bool:
    return path.is_dir() and (path / MANIFEST_NAME).is_file()
