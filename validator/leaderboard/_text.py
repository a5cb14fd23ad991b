"""The text formats, rendered from the Leaderboard model: a rich table, Markdown, CSV and JSON.

Rich and Markdown lay out the shared TableViews (rich without their droppable columns, Markdown
with every one); CSV writes raw numbers (full precision, no units in cells) so that a spreadsheet
can recompute anything; JSON is the model itself.
"""

from __future__ import annotations

import csv
import fnmatch
import io

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from validator.leaderboard._model import Leaderboard
from validator.leaderboard._system_views import (
    bundles_table,
    system_facts,
    system_results_table,
)
from validator.leaderboard._views import TableView, narrow, problem_table, score_table

VIEWS = ("scores", "problems", "systems")

# Named styles of the CLI's theme (kernelperf.console), as validator._render uses them.
STYLES = {"ok": "kp.ok", "warn": "kp.warn", "fail": "kp.fail", "note": "kp.note"}
SCORE_COLUMNS = (
    "division", "suite", "set", "custom", "params", "variant", "unit", "problems", "rank",
    "state", "system", "system_id", "submitter", "score", "relative", "covered", "missing",
    "failed", "audit", "previous", "change", "timing", "flags",
)  # fmt: skip
RESULT_COLUMNS = (
    "anchor", "division", "system", "suite", "set", "problem_id", "direction", "variant",
    "params", "median_ns", "p10_ns", "p90_ns", "min_ns", "cv", "samples", "flops",
    "bytes_moved", "throughput", "unit", "gbps", "correct", "state", "problem_rank", "custom",
    "board", "timing", "timing_method", "audit", "audit_verdict", "flags",
)  # fmt: skip


def headline(leaderboard: Leaderboard) -> str:
    """One line: round, systems, bundles and results counted."""
    c = leaderboard.counts
    line = (
        f"Round {leaderboard.round}: {c.systems} systems, {c.valid_bundles}/{c.bundles} bundles "
        f"valid, {c.counted_results}/{c.results} results counted"
    )
    if leaderboard.reference:
        line += f"; relative to {leaderboard.reference}"
    if leaderboard.compared_with:
        line += f"; change since {leaderboard.compared_with}"
    return line


def tables_for(
    leaderboard: Leaderboard, view: str = "scores", select: str | None = None
) -> list[TableView]:
    """The tables of one view; `select` is a glob on problem ids or system keys."""
    if view == "scores":
        return [score_table(b, leaderboard) for b in leaderboard.boards]
    if view == "problems":
        return [
            problem_table(p, leaderboard)
            for p in leaderboard.problems
            if select is None or fnmatch.fnmatchcase(p.problem_id, select)
        ]
    tables: list[TableView] = []
    for system in leaderboard.systems:
        if select is None or fnmatch.fnmatchcase(system.key, select):
            tables += [
                system_facts(system),
                bundles_table(system),
                system_results_table(system, leaderboard),
            ]
    return tables


def rich_table(view: TableView) -> Table:
    """One TableView as a rich Table, narrowed: a terminal has no width to spare."""
    view = narrow(view)
    table = Table(title=view.title, title_justify="left", caption=view.caption or None)
    for column in view.columns:
        table.add_column(column.name, justify="right" if column.numeric else "left")
    for row in view.rows:
        table.add_row(*(Text(c.text, style=STYLES.get(c.style, "")) for c in row.cells))
    return table


def render_rich(
    leaderboard: Leaderboard, view: str = "scores", select: str | None = None
) -> RenderableType:
    """The headline and the tables of one view."""
    tables = tables_for(leaderboard, view, select)
    return Group(Text(headline(leaderboard)), *(rich_table(t) for t in tables))


def _markdown_cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def markdown_table(view: TableView) -> str:
    """One TableView as a GitHub-flavoured Markdown table under a heading."""
    head = "| " + " | ".join(_markdown_cell(c.name) for c in view.columns) + " |"
    rule = "|" + "|".join("---:" if c.numeric else ":---" for c in view.columns) + "|"
    body = ["| " + " | ".join(_markdown_cell(c.text) for c in r.cells) + " |" for r in view.rows]
    caption = [f"\n_{_markdown_cell(view.caption)}_"] if view.caption else []
    return "\n".join([f"## {_markdown_cell(view.title)}", "", head, rule, *body, *caption])


def render_markdown(
    leaderboard: Leaderboard, view: str = "scores", select: str | None = None
) -> str:
    """The headline, the method, and the tables of one view."""
    tables = [markdown_table(t) for t in tables_for(leaderboard, view, select)]
    intro = f"# KernelPerf leaderboard, round {leaderboard.round}\n\n{headline(leaderboard)}."
    return "\n\n".join([intro, f"> {leaderboard.method}", *tables]) + "\n"


def _csv_value(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, tuple):
        return " ".join(v if isinstance(v, str) else v.code for v in value)
    return str(value)


def render_csv(leaderboard: Leaderboard, view: str = "scores") -> str:
    """Scores (one row per system and board), or every result (problems and systems views)."""
    sink = io.StringIO()
    writer = csv.writer(sink, lineterminator="\n")
    if view == "scores":
        writer.writerow(SCORE_COLUMNS)
        for board in leaderboard.boards:
            context = board.model_dump(
                include={"division", "suite", "set", "custom", "params", "variant", "unit"}
            )
            context["problems"] = board.problems
            for row in board.rows:
                values = {**context, **dict(row)}
                writer.writerow(_csv_value(values[c]) for c in SCORE_COLUMNS)
        return sink.getvalue()
    writer.writerow(RESULT_COLUMNS)
    index = leaderboard.result_index
    if view == "problems":
        ordered = [index[a] for p in leaderboard.problems for a in p.results]
    else:
        ordered = sorted(leaderboard.results, key=lambda r: (r.system, r.anchor))
    for entry in ordered:
        values = dict(entry)
        writer.writerow(_csv_value(values[c]) for c in RESULT_COLUMNS)
    return sink.getvalue()


def render_json(leaderboard: Leaderboard) -> str:
    """The canonical document."""
    return leaderboard.model_dump_json(indent=2) + "\n"
