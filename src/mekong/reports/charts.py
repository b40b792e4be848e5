"""Small charts drawn as SVG on the server: WeasyPrint runs no JavaScript, so the report's
charts are markup generated here and embedded in the page.

Text inside the SVG is only numbers and period codes: WeasyPrint draws SVG text without
complex-script shaping, which breaks Burmese. Translated labels go in an HTML legend
(:func:`legend`) beside the charts, where HarfBuzz shapes them like the rest of the page."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from django.utils.formats import number_format
from django.utils.safestring import SafeString, mark_safe

FONT = "Noto Sans, Noto Sans SC, Noto Sans Myanmar, sans-serif"
INK = "#1f2933"
GRID = "#d5dbe1"
COLOURS = {"baseline": "#9aa5b1", "target": "#f0b429", "actual": "#2680c2", "ci": "#b6d6f2"}


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None
    kind: str  # "baseline", "target" or "actual"


@dataclass(frozen=True)
class Point:
    label: str
    value: float | None
    ci_low: float | None = None
    ci_high: float | None = None
    target: float | None = None


def nice_ceiling(value: float) -> float:
    """The smallest 1, 2, 2.5 or 5 × 10ⁿ at or above ``value`` (axes end on round numbers)."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power + 1e-12:
            return float(step * power)
    return float(10 * power)  # pragma: no cover - the loop always returns


def _text(
    x: float, y: float, text: str, *, anchor: str = "middle", size: float = 8, fill: str = INK
) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" '
        f'font-family="{FONT}" fill="{fill}">{escape(text)}</text>'
    )


def _number(value: float, decimals: int) -> str:
    return number_format(round(value, decimals), decimals, force_grouping=True)


def bar_chart(bars: Sequence[Bar], *, decimals: int, title: str) -> SafeString:
    """Baseline, target and actual of one indicator as three labelled bars."""
    width, height, top, bottom, left = 210.0, 110.0, 14.0, 12.0, 8.0
    plotted = [b.value for b in bars if b.value is not None]
    high = nice_ceiling(max([abs(v) for v in plotted] or [1.0]))
    inner = height - top - bottom
    slot = (width - 2 * left) / max(len(bars), 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" role="img" class="chart">',
        f"<title>{escape(title)}</title>",
        f'<line x1="{left}" y1="{top + inner:.1f}" x2="{width - left}" y2="{top + inner:.1f}" '
        f'stroke="{GRID}" stroke-width="1"/>',
    ]
    for index, bar in enumerate(bars):
        x = left + index * slot + slot * 0.2
        bar_width = slot * 0.6
        if bar.value is None:
            parts.append(_text(x + bar_width / 2, top + inner - 4, "–"))
        else:
            bar_height = max(inner * abs(bar.value) / high, 0.5)
            y = top + inner - bar_height
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_width:.1f}" '
                f'height="{bar_height:.1f}" fill="{COLOURS[bar.kind]}"/>'
            )
            parts.append(_text(x + bar_width / 2, y - 3, _number(bar.value, decimals)))
    parts.append("</svg>")
    return mark_safe("".join(parts))


def line_chart(points: Sequence[Point], *, decimals: int, title: str) -> SafeString:
    """Value by period with its 95 % confidence interval (band and whiskers) and the targets."""
    width, height, top, bottom, left, right = 300.0, 130.0, 12.0, 20.0, 42.0, 10.0
    numbers: list[float] = []
    for point in points:
        numbers.extend(
            v for v in (point.value, point.ci_low, point.ci_high, point.target) if v is not None
        )
    high = nice_ceiling(max([abs(v) for v in numbers] or [1.0]))
    inner_h = height - top - bottom
    inner_w = width - left - right
    step = inner_w / max(len(points), 1)

    def x_of(index: int) -> float:
        return left + step * (index + 0.5)

    def y_of(value: float) -> float:
        return top + inner_h - inner_h * value / high

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" role="img" class="chart">',
        f"<title>{escape(title)}</title>",
    ]
    for tick in range(5):
        value = high * tick / 4
        y = y_of(value)
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" '
            f'stroke="{GRID}" stroke-width="0.6"/>'
        )
        parts.append(_text(left - 4, y + 2.5, _number(value, decimals), anchor="end", size=7))
    band = [(i, p) for i, p in enumerate(points) if p.ci_low is not None and p.ci_high is not None]
    if len(band) > 1:
        upper = [f"{x_of(i):.1f},{y_of(p.ci_high or 0):.1f}" for i, p in band]
        lower = [f"{x_of(i):.1f},{y_of(p.ci_low or 0):.1f}" for i, p in reversed(band)]
        parts.append(
            f'<polygon points="{" ".join(upper + lower)}" fill="{COLOURS["ci"]}" '
            'fill-opacity="0.6" stroke="none"/>'
        )
    for i, p in band:
        parts.append(
            f'<line x1="{x_of(i):.1f}" y1="{y_of(p.ci_low or 0):.1f}" x2="{x_of(i):.1f}" '
            f'y2="{y_of(p.ci_high or 0):.1f}" stroke="{COLOURS["actual"]}" stroke-width="1"/>'
        )
    known = [(i, p.value) for i, p in enumerate(points) if p.value is not None]
    if len(known) > 1:
        path = " ".join(f"{x_of(i):.1f},{y_of(v):.1f}" for i, v in known)
        parts.append(
            f'<polyline points="{path}" fill="none" stroke="{COLOURS["actual"]}" '
            'stroke-width="1.6"/>'
        )
    for i, v in known:
        parts.append(
            f'<circle cx="{x_of(i):.1f}" cy="{y_of(v):.1f}" r="2.4" fill="{COLOURS["actual"]}"/>'
        )
    for i, p in enumerate(points):
        if p.target is not None:
            y = y_of(p.target)
            parts.append(
                f'<line x1="{x_of(i) - 7:.1f}" y1="{y:.1f}" x2="{x_of(i) + 7:.1f}" y2="{y:.1f}" '
                f'stroke="{COLOURS["target"]}" stroke-width="2"/>'
            )
        parts.append(_text(x_of(i), height - bottom + 11, p.label, size=7.5))
    parts.append("</svg>")
    return mark_safe("".join(parts))


def legend(items: Sequence[tuple[str, str]]) -> SafeString:
    """An HTML key of (colour kind, translated label) pairs shown under the charts."""
    return mark_safe(
        '<p class="legend">'
        + "".join(
            f'<span class="key"><span class="swatch" style="background:{COLOURS[kind]}">'
            f"</span>{escape(label)}</span>"
            for kind, label in items
        )
        + "</p>"
    )
