"""A tiny SVG writer: log and linear scales with ticks, and a canvas that collects elements.

Plots are generated here in Python, so a page needs no plotting library, no server and no
network. Coordinates are written with one decimal, so the same data gives the same bytes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from validator.leaderboard._site.html import esc
from validator.leaderboard._units import significant

# Okabe-Ito colours: distinguishable with the common colour-vision deficiencies.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#332288", "#882255")


def colour(index: int) -> str:
    """The index-th series colour (the palette repeats after eight)."""
    return PALETTE[index % len(PALETTE)]


def px(value: float) -> str:
    """A coordinate as written into the SVG."""
    return f"{value:.1f}"


@dataclass(frozen=True)
class LogScale:
    """Maps positive values to pixels on a log axis spanning whole decades."""

    low: float
    high: float
    start_px: float
    end_px: float

    @classmethod
    def fitting(cls, values: Sequence[float], start_px: float, end_px: float) -> LogScale:
        """Whole decades around the positive values (one decade when there are none)."""
        positive = [v for v in values if v > 0] or [1.0]
        low = 10.0 ** math.floor(math.log10(min(positive)))
        high = 10.0 ** math.ceil(math.log10(max(positive)))
        return cls(low, high if high > low else low * 10, start_px, end_px)

    def __call__(self, value: float) -> float:
        share = (math.log10(max(value, self.low)) - math.log10(self.low)) / (
            math.log10(self.high) - math.log10(self.low)
        )
        return self.start_px + share * (self.end_px - self.start_px)

    def ticks(self) -> list[float]:
        """Every decade; 2 and 5 in between when the axis spans at most two decades."""
        decades = round(math.log10(self.high / self.low))
        steps = (1, 2, 5) if decades <= 2 else (1,)
        base = math.log10(self.low)
        found = [10.0 ** (base + d) * s for d in range(decades + 1) for s in steps]
        return [t for t in found if t <= self.high * 1.0001]


@dataclass(frozen=True)
class LinearScale:
    """Maps values to pixels on a linear axis from `low` to `high`."""

    low: float
    high: float
    start_px: float
    end_px: float

    def __call__(self, value: float) -> float:
        share = (value - self.low) / (self.high - self.low) if self.high > self.low else 0.0
        return self.start_px + share * (self.end_px - self.start_px)

    def ticks(self, count: int = 5) -> list[float]:
        """About `count` round ticks (steps of 1, 2 or 5 times a power of ten)."""
        span = self.high - self.low or 1.0
        raw = span / count
        power = 10.0 ** math.floor(math.log10(raw))
        step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
        first = math.ceil(self.low / step)
        return [n * step for n in range(first, math.floor(self.high / step) + 1)]


@dataclass
class Canvas:
    """Collects SVG elements; `render` writes the document with an accessible title."""

    width: int
    height: int
    title: str
    parts: list[str] = field(default_factory=list)

    def line(self, x1: float, y1: float, x2: float, y2: float, cls: str, stroke: str = "") -> None:
        """A line; `stroke` overrides the class's colour."""
        colour_attr = f' stroke="{stroke}"' if stroke else ""
        self.parts.append(
            f'<line class="{cls}" x1="{px(x1)}" y1="{px(y1)}" x2="{px(x2)}" y2="{px(y2)}"'
            f"{colour_attr}/>"
        )

    def polyline(self, points: Sequence[tuple[float, float]], cls: str, stroke: str) -> None:
        """Connected points."""
        joined = " ".join(f"{px(x)},{px(y)}" for x, y in points)
        self.parts.append(f'<polyline class="{cls}" points="{joined}" stroke="{stroke}"/>')

    def dot(self, x: float, y: float, fill: str, tip: str, radius: float = 4.0) -> None:
        """A data mark with a hover tooltip."""
        self.parts.append(
            f'<circle class="mark" cx="{px(x)}" cy="{px(y)}" r="{px(radius)}" fill="{fill}">'
            f"<title>{esc(tip)}</title></circle>"
        )

    def bar(
        self,
        x: float,
        y: float,
        width: float,
        height: float,
        fill: str,
        tip: str,
        cls: str = "mark",
    ) -> None:
        """A rectangle mark with a hover tooltip."""
        self.parts.append(
            f'<rect class="{cls}" x="{px(x)}" y="{px(y)}" width="{px(max(width, 1.0))}" '
            f'height="{px(height)}" rx="3" fill="{fill}"><title>{esc(tip)}</title></rect>'
        )

    def text(self, x: float, y: float, content: str, anchor: str = "start", cls: str = "") -> None:
        """A label; `anchor` is start, middle or end."""
        class_attr = f' class="{cls}"' if cls else ""
        self.parts.append(
            f'<text{class_attr} x="{px(x)}" y="{px(y)}" text-anchor="{anchor}">'
            f"{esc(content)}</text>"
        )

    def vertical_text(self, x: float, y: float, content: str) -> None:
        """A label turned 90° (axis titles)."""
        self.parts.append(
            f'<text x="{px(x)}" y="{px(y)}" text-anchor="middle" '
            f'transform="rotate(-90 {px(x)} {px(y)})">{esc(content)}</text>'
        )

    def render(self) -> str:
        """The SVG element, sized by its viewBox so it scales with the page."""
        return (
            f'<svg class="plot" viewBox="0 0 {self.width} {self.height}" role="img" '
            f'xmlns="http://www.w3.org/2000/svg"><title>{esc(self.title)}</title>'
            + "".join(self.parts)
            + "</svg>"
        )


def tick_label(value: float) -> str:
    """A tick's label: three significant digits, no trailing zeros."""
    text = significant(value)
    return text.rstrip("0").rstrip(".") if "." in text and "e" not in text else text
