"""The site's plots as inline SVG: score bars, throughput per problem, roofline, and spread.

Every plot shows only results that count (rejected ones are in the tables, with their flags),
and every mark carries a tooltip naming the system, problem and value. A board's plots show its
first PLOTTED_SYSTEMS systems, one colour each: more lines are unreadable, and the tables below
list every system.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Sequence

from schemas import DType
from validator.leaderboard._model import Board, Leaderboard, ResultEntry, SystemView
from validator.leaderboard._scoring import counts
from validator.leaderboard._site.svg import (
    PALETTE,
    Canvas,
    LinearScale,
    LogScale,
    colour,
    tick_label,
)
from validator.leaderboard._units import significant, spread

WIDTH = 760
BARS_WIDTH = 420
LEFT, RIGHT, TOP, BOTTOM = 70, 36, 30, 46
CHAR_PX = 7.0  # width of one 11 px label character, near enough to size label columns
SPREAD_FLOOR = 0.001  # 0.1%: below this the log axis would stretch over noise
PLOTTED_SYSTEMS = len(PALETTE)


def label_width(labels: Sequence[str]) -> float:
    """Room for the longest row label, within sensible bounds."""
    return min(300.0, max(60.0, 16 + CHAR_PX * max(len(label) for label in labels)))


def system_colours(leaderboard: Leaderboard) -> dict[str, str]:
    """One colour per system, in the leaderboard's system order (stable across pages)."""
    return {s.key: colour(i) for i, s in enumerate(leaderboard.systems)}


def _frame_x_log(canvas: Canvas, x: LogScale, bottom: float, top: float, title: str) -> None:
    for tick in x.ticks():
        canvas.line(x(tick), top, x(tick), bottom, "grid")
        canvas.text(x(tick), bottom + 14, tick_label(tick), "middle")
    canvas.text((x.start_px + x.end_px) / 2, bottom + 34, title, "middle")


def _frame_y_log(canvas: Canvas, y: LogScale, left: float, right: float, title: str) -> None:
    for tick in y.ticks():
        canvas.line(left, y(tick), right, y(tick), "grid")
        canvas.text(left - 6, y(tick) + 4, tick_label(tick), "end")
    canvas.vertical_text(16, (y.start_px + y.end_px) / 2, title)


def score_bars(board: Board, leaderboard: Leaderboard) -> str:
    """Horizontal bars of the scores on a board; partial systems paler."""
    rows = [r for r in board.rows if r.score is not None]
    if not rows:
        return ""
    colours = system_colours(leaderboard)
    label_px, row_px = label_width([r.system_id for r in rows]), 26
    canvas = Canvas(BARS_WIDTH, TOP + row_px * len(rows) + 10, f"Scores, {board.unit}")
    x = LinearScale(0.0, max(r.score or 0.0 for r in rows), label_px, BARS_WIDTH - 80)
    canvas.text(label_px, 16, f"score ({board.unit}), geometric mean", cls="title")
    for index, row in enumerate(rows):
        score = row.score or 0.0
        top = TOP + index * row_px
        partial = row.rank is None
        tip = f"{row.system_id}: {significant(score)} {board.unit}" + (
            " (partial: not ranked)" if partial else f" (rank {row.rank})"
        )
        canvas.text(label_px - 8, top + 15, row.system_id, "end")
        cls = "mark bar-partial" if partial else "mark"
        canvas.bar(
            label_px, top + 3, x(score) - label_px, row_px - 8, colours[row.system], tip, cls
        )
        shown = significant(score) + (" partial" if partial else "")
        canvas.text(x(score) + 6, top + 15, shown)
    return canvas.render()


def counted_by_board(leaderboard: Leaderboard) -> dict[str, list[ResultEntry]]:
    """The counted results of each board, by board anchor (one pass over the results)."""
    grouped: dict[str, list[ResultEntry]] = {b.anchor: [] for b in leaderboard.boards}
    for entry in leaderboard.results:
        if counts(entry):
            grouped[entry.board].append(entry)
    return grouped


def throughput_plot(board: Board, counted: Sequence[ResultEntry], leaderboard: Leaderboard) -> str:
    """Throughput of the board's first systems on every problem, problems by FLOPs per call;
    `counted` are the board's counted results."""
    shown = {row.system for row in board.rows[:PLOTTED_SYSTEMS]}
    entries = [e for e in counted if e.system in shown]
    if not entries:
        return ""
    flops = {(e.problem_id, e.direction.value): e.flops for e in entries}
    problems = sorted(flops, key=lambda k: (flops[k], k))
    column = {k: i for i, k in enumerate(problems)}
    height = 320
    canvas = Canvas(WIDTH, height, f"Throughput per problem, {board.unit}")
    y = LogScale.fitting([e.throughput for e in entries], height - BOTTOM, TOP)
    band = (WIDTH - LEFT - RIGHT) / len(problems)
    _frame_y_log(canvas, y, LEFT, WIDTH - RIGHT, board.unit)
    canvas.line(LEFT, height - BOTTOM, WIDTH - RIGHT, height - BOTTOM, "axis")
    first = (
        f", the first {PLOTTED_SYSTEMS} of {len(board.rows)} systems"
        if len(board.rows) > PLOTTED_SYSTEMS
        else ""
    )
    canvas.text(LEFT, 16, f"throughput per problem ({board.unit}){first}", cls="title")
    canvas.text(
        (LEFT + WIDTH - RIGHT) / 2, height - 12, "problems, fewest to most FLOPs per call", "middle"
    )
    colours = system_colours(leaderboard)
    by_system: dict[str, list[ResultEntry]] = defaultdict(list)
    for entry in entries:
        by_system[entry.system].append(entry)
    names = {s.key: s.system_id for s in leaderboard.systems}
    for position, (system, members) in enumerate(sorted(by_system.items())):
        ordered = sorted(
            members, key=lambda e: (column[(e.problem_id, e.direction.value)], e.anchor)
        )
        points = [
            (LEFT + band * (column[(e.problem_id, e.direction.value)] + 0.5), y(e.throughput))
            for e in ordered
        ]
        if len(points) > 1:
            canvas.polyline(points, "trace", colours[system])
        for entry, (px_x, px_y) in zip(ordered, points, strict=True):
            tip = (
                f"{names[system]} · {entry.problem_id} {entry.direction.value}: "
                f"{significant(entry.throughput)} {entry.unit}"
            )
            canvas.dot(px_x, px_y, colours[system], tip, 3.5)
        legend_x = WIDTH - RIGHT - 150
        canvas.dot(legend_x, 12 + 14 * position, colours[system], names[system], 4.0)
        canvas.text(legend_x + 9, 16 + 14 * position, names[system])
    return canvas.render()


def _roofs(system: SystemView, dtypes: set[DType]) -> list[tuple[str, float, float | None]]:
    """(label, peak TFLOP/s, bandwidth GB/s) of each declared peak for the dtypes that ran."""
    roofs = []
    for accelerator in system.description.accelerators:
        declared = accelerator.peak_tflops
        chosen = sorted(d for d in declared if d in dtypes) or sorted(declared)
        roofs += [
            (f"{d.value} peak", declared[d], accelerator.memory_bandwidth_gbps) for d in chosen
        ]
    return roofs


def roofline(system: SystemView, leaderboard: Leaderboard) -> str:
    """Achieved TFLOP/s against arithmetic intensity, under the declared peaks (roofline)."""
    entries = [
        e
        for e in leaderboard.results_by_system[system.key]
        if counts(e) and e.flops > 0 and e.bytes_moved > 0
    ]
    if not entries:
        return ""
    dtypes = sorted({e.precision.input for e in entries})
    roofs = _roofs(system, set(dtypes))
    intensity = [e.flops / e.bytes_moved for e in entries]
    ridges = [peak * 1e3 / bw for _, peak, bw in roofs if bw]
    height = 340
    canvas = Canvas(WIDTH, height, "Roofline: achieved TFLOP/s against arithmetic intensity")
    x = LogScale.fitting([*intensity, *ridges], LEFT, WIDTH - RIGHT)
    tops = [e.throughput for e in entries] + [peak for _, peak, _ in roofs]
    y = LogScale.fitting([min(tops) / 2, max(tops) * 1.5], height - BOTTOM, TOP)
    _frame_x_log(canvas, x, height - BOTTOM, TOP, "arithmetic intensity (FLOP per byte moved)")
    _frame_y_log(canvas, y, LEFT, WIDTH - RIGHT, "TFLOP/s")
    canvas.text(LEFT, 16, "roofline against the declared peaks", cls="title")
    for index, (label, peak, bandwidth) in enumerate(roofs):
        stroke = colour(index + 3)
        ridge = peak * 1e3 / bandwidth if bandwidth else x.low
        if bandwidth:
            start = max(x.low, y.low * 1e3 / bandwidth)
            canvas.line(x(start), y(start * bandwidth / 1e3), x(ridge), y(peak), "roof", stroke)
        canvas.line(x(max(ridge, x.low)), y(peak), x(x.high), y(peak), "roof", stroke)
        canvas.text(x(x.high) - 4, y(peak) - 5, f"{label} {significant(peak)}", "end")
    if not roofs:
        canvas.text(WIDTH - RIGHT, 16, "no peak declared in system.json: points only", "end")
    for entry, ai in zip(entries, intensity, strict=True):
        fill = colour(dtypes.index(entry.precision.input))
        tip = (
            f"{entry.problem_id} {entry.direction.value} {entry.variant}: "
            f"{significant(entry.throughput)} TFLOP/s at {significant(ai)} FLOP/B"
        )
        canvas.dot(x(ai), y(entry.throughput), fill, tip, 3.5)
    for index, dtype in enumerate(dtypes):
        canvas.dot(LEFT + 12 + 70 * index, height - 8, colour(index), dtype.value, 4.0)
        canvas.text(LEFT + 20 + 70 * index, height - 4, dtype.value)
    return canvas.render()


def spread_plot(title: str, rows: Sequence[tuple[str, str, Sequence[ResultEntry]]]) -> str:
    """Run-to-run spread, (p90 - p10) / median, one dot per result, one row per group.

    `rows` are (label, colour, results); the black tick marks each row's median spread.
    """
    rows = [(label, fill, entries) for label, fill, entries in rows if entries]
    if not rows:
        return ""
    label_px, row_px = label_width([label for label, _, _ in rows]), 28
    height = TOP + row_px * len(rows) + BOTTOM
    canvas = Canvas(WIDTH, height, title)
    spreads = {
        e.anchor: max(spread(e.p10_ns, e.p90_ns, e.median_ns), SPREAD_FLOOR)
        for _, _, entries in rows
        for e in entries
    }
    x = LogScale.fitting([*spreads.values(), SPREAD_FLOOR * 10], label_px, WIDTH - RIGHT)
    bottom = height - BOTTOM
    for tick in x.ticks():
        canvas.line(x(tick), TOP, x(tick), bottom, "grid")
        canvas.text(x(tick), bottom + 14, f"{tick_label(tick * 100)}%", "middle")
    canvas.text((label_px + WIDTH - RIGHT) / 2, bottom + 34, "(p90 - p10) / median", "middle")
    canvas.text(label_px, 16, title, cls="title")
    for index, (label, fill, entries) in enumerate(rows):
        middle = TOP + index * row_px + row_px / 2
        canvas.text(label_px - 8, middle + 4, label, "end")
        for entry in sorted(entries, key=lambda e: e.anchor):
            value = spreads[entry.anchor]
            tip = (
                f"{label} · {entry.problem_id} {entry.direction.value}: ±{significant(value * 50)}%"
            )
            canvas.dot(x(value), middle, fill, tip, 3.5)
        typical = statistics.median(spreads[e.anchor] for e in entries)
        canvas.line(x(typical), middle - 9, x(typical), middle + 9, "median")
    return canvas.render()
