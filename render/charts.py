"""Inline SVG charts drawn by hand: no chart library, no script, nothing fetched.

Every chart is an ``<svg role="img">`` with a ``<title>`` (what a screen reader says), a
``<desc>`` with the numbers, and a stable ``id`` / ``data-chart`` for browser tests.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from html import escape

from render.common import number

_LABEL_W, _PLOT_W, _BAR_H, _GAP, _TOP, _AXIS_H = 150, 360, 18, 8, 8, 22


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    text: str  # printed after the bar, e.g. "72" or "not assessed (worst case 100)"
    css: str  # a class from the page's stylesheet, so colours also work in print


def _open(chart_id: str, kind: str, title: str, desc: str, width: float, height: float,
          extra: str = "") -> str:
    return (
        f'<svg id="{escape(chart_id)}" data-chart="{escape(kind)}"{extra} role="img" '
        f'aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc" '
        f'viewBox="0 0 {width:g} {height:g}" width="{width:g}" height="{height:g}">'
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>'
        f'<desc id="{escape(chart_id)}-desc">{escape(desc)}</desc>'
    )


def nice_ticks(maximum: float, count: int = 4, *, whole: bool = False) -> list[float]:
    """0 up to a round number at or above ``maximum``, in up to ``count`` equal steps.

    ``whole`` keeps steps at whole numbers (counts of findings have no halves).
    """
    if maximum <= 0:
        return [0.0, 1.0]
    if whole:
        count = max(1, min(count, math.ceil(maximum)))
    raw = maximum / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    step = max(step, 1) if whole else step
    return [step * i for i in range(count + 1)]


def bar_chart(chart_id: str, kind: str, title: str, bars: Sequence[Bar],
              ticks: Sequence[float]) -> str:
    """Horizontal bars against a shared axis from 0 to ``ticks[-1]``."""
    top = ticks[-1] or 1.0
    height = _TOP + len(bars) * (_BAR_H + _GAP) + _AXIS_H
    width = _LABEL_W + _PLOT_W + 60
    desc = "; ".join(f"{b.label}: {b.text}" for b in bars) or "no data"
    parts = [_open(chart_id, kind, title, desc, width, height)]
    axis_y = height - _AXIS_H
    for tick in ticks:
        x = _LABEL_W + _PLOT_W * tick / top
        parts.append(f'<line class="grid" x1="{x:.1f}" y1="{_TOP - 4}" x2="{x:.1f}" '
                     f'y2="{axis_y}"/><text class="tick" x="{x:.1f}" y="{axis_y + 15}" '
                     f'text-anchor="middle">{escape(number(tick))}</text>')
    for i, bar in enumerate(bars):
        y = _TOP + i * (_BAR_H + _GAP)
        w = _PLOT_W * max(0.0, min(bar.value, top)) / top
        mid = y + _BAR_H / 2 + 4
        parts.append(
            f'<text class="label" x="{_LABEL_W - 8}" y="{mid:.1f}" text-anchor="end">'
            f'{escape(bar.label)}</text>'
            f'<rect class="{escape(bar.css)}" x="{_LABEL_W}" y="{y}" width="{w:.1f}" '
            f'height="{_BAR_H}"><title>{escape(bar.label)}: {escape(bar.text)}</title></rect>'
            + _bar_text(bar.text, w, mid, width)
        )
    parts.append(f'<line class="axis" x1="{_LABEL_W}" y1="{axis_y}" '
                 f'x2="{_LABEL_W + _PLOT_W}" y2="{axis_y}"/></svg>')
    return "".join(parts)


def _bar_text(text: str, bar_width: float, y: float, chart_width: float) -> str:
    """After the bar; inside it (right-aligned, light) when it would run off the chart."""
    after = _LABEL_W + bar_width + 6
    if after + len(text) * 6.5 <= chart_width:
        return f'<text class="value" x="{after:.1f}" y="{y:.1f}">{escape(text)}</text>'
    return (f'<text class="value inside" x="{_LABEL_W + bar_width - 6:.1f}" y="{y:.1f}" '
            f'text-anchor="end">{escape(text)}</text>')


@dataclass(frozen=True)
class _Frame:
    """Where the plot sits inside a sparkline and how values map onto it."""

    left: float = 56
    top: float = 14
    width: float = 240
    height: float = 70
    low: float = 0.0
    high: float = 1.0

    def x(self, index: int, count: int) -> float:
        return self.left + (self.width * index / (count - 1) if count > 1 else self.width / 2)

    def y(self, value: float) -> float:
        span = self.high - self.low
        share = (value - self.low) / span if span else 0.5  # a flat series sits mid-height
        return self.top + self.height * (1 - share)


def line_chart(chart_id: str, title: str, unit: str | None,
               timestamps: Sequence[datetime], values: Sequence[float]) -> str:
    """A sparkline with y ticks (min, middle, max), x ticks (first, last) and min/max dots."""
    points = [(t, v) for t, v in zip(timestamps, values, strict=False) if math.isfinite(v)]
    suffix = f" {unit}" if unit else ""
    extra = f' data-trend="{escape(title)}"'
    if not points:
        return (_open(chart_id, "trend", title, "no data points", 320, 40, extra)
                + '<text class="tick" x="8" y="24">no data points</text></svg>')
    ys = [v for _, v in points]
    frame = _Frame(low=min(ys), high=max(ys))
    desc = (f"{len(ys)} points from {points[0][0]:%Y-%m-%d} to {points[-1][0]:%Y-%m-%d}; "
            f"min {number(frame.low)}{suffix}, max {number(frame.high)}{suffix}, "
            f"latest {number(ys[-1])}{suffix}")
    parts = [_open(chart_id, "trend", title, desc, 320, 110, extra), _axes(frame, points)]
    coords = " ".join(f"{frame.x(i, len(ys)):.1f},{frame.y(v):.1f}" for i, v in enumerate(ys))
    parts.append(f'<polyline class="line" fill="none" points="{coords}"/>')
    if frame.low == frame.high:
        parts.append(_marker(frame, ys, 0, f"flat at {number(frame.low)}{suffix}"))
    else:
        parts += [_marker(frame, ys, ys.index(frame.low), f"min {number(frame.low)}{suffix}"),
                  _marker(frame, ys, ys.index(frame.high), f"max {number(frame.high)}{suffix}")]
    return "".join(parts) + "</svg>"


def _axes(frame: _Frame, points: Sequence[tuple[datetime, float]]) -> str:
    bottom, right = frame.top + frame.height, frame.left + frame.width
    parts = [f'<line class="axis" x1="{frame.left}" y1="{frame.top}" x2="{frame.left}" '
             f'y2="{bottom}"/><line class="axis" x1="{frame.left}" y1="{bottom}" '
             f'x2="{right}" y2="{bottom}"/>']
    for value in sorted({frame.low, (frame.low + frame.high) / 2, frame.high}):
        y = frame.y(value)
        parts.append(f'<line class="grid" x1="{frame.left}" y1="{y:.1f}" x2="{right}" '
                     f'y2="{y:.1f}"/><text class="tick" x="{frame.left - 4}" y="{y + 3:.1f}" '
                     f'text-anchor="end">{escape(number(value))}</text>')
    ends = [(frame.left, "start", points[0][0]), (right, "end", points[-1][0])]
    for x, anchor, when in ends[: 1 if len(points) == 1 else 2]:
        parts.append(f'<text class="tick" x="{x:g}" y="{bottom + 14:g}" '
                     f'text-anchor="{anchor}">{when:%Y-%m-%d %H:%M}</text>')
    return "".join(parts)


def _marker(frame: _Frame, ys: Sequence[float], index: int, label: str) -> str:
    x, y = frame.x(index, len(ys)), frame.y(ys[index])
    anchor = "end" if x > frame.left + frame.width * 0.7 else "start"
    dy = -5 if y > frame.top + 10 else 11
    return (f'<circle class="dot" cx="{x:.1f}" cy="{y:.1f}" r="2.5"/>'
            f'<text class="mark" x="{x:.1f}" y="{y + dy:.1f}" text-anchor="{anchor}">'
            f"{escape(label)}</text>")
