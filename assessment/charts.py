"""Geometry for the auditors' charts, drawn as inline SVG by templates/assessment/partials/audit_chart.html.

Server-drawn on purpose: the platform runs on closed government networks (no CDN), the charts must
print and save with the page, and every number drawn is also in a table beside the chart."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from assessment.figures import Series

WIDTH, HEIGHT = 720, 220
LEFT, RIGHT, TOP, BOTTOM = 44, 8, 12, 28
PLOT_W, PLOT_H = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
# At most this many x labels, so that dates never overlap.
MAX_LABELS = 12


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: int
    kind: str  # "received" or "answered": the CSS class that colours it
    label: str


@dataclass
class Point:
    x: float
    y: float
    label: str


@dataclass
class Tick:
    pos: float
    text: str


@dataclass
class Chart:
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    plot_right: int = WIDTH - RIGHT
    baseline: int = TOP + PLOT_H
    bars: list[Bar] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)  # SVG polyline "points" attributes
    points: list[Point] = field(default_factory=list)
    y_ticks: list[Tick] = field(default_factory=list)
    x_ticks: list[Tick] = field(default_factory=list)


def bucket_label(start: date, monthly: bool) -> str:
    return f"{start:%Y-%m}" if monthly else f"{start:%m-%d}"


def _nice_ceiling(value: int) -> int:
    """A round top for the axis (1, 2, 5 × 10^n) so that the ticks read well."""
    top = 1
    while True:
        for step in (1, 2, 5):
            if step * top >= value:
                return step * top
        top *= 10


def _x_ticks(series: Series, slot: float) -> list[Tick]:
    every = max(1, -(-len(series.buckets) // MAX_LABELS))
    return [
        Tick(LEFT + slot * (i + 0.5), bucket_label(b.start, series.monthly))
        for i, b in enumerate(series.buckets)
        if i % every == 0
    ]


def volume_chart(series: Series) -> Chart:
    """Received and answered side by side in each week (or month)."""
    n = max(1, len(series.buckets))
    slot = PLOT_W / n
    top = _nice_ceiling(max([1] + [max(b.received, b.answered) for b in series.buckets]))
    chart = Chart(
        y_ticks=[Tick(TOP + PLOT_H * (1 - share), str(round(top * share))) for share in (0, 0.5, 1)],
        x_ticks=_x_ticks(series, slot),
    )
    bar_w = slot * 0.38
    for i, bucket in enumerate(series.buckets):
        label = bucket_label(bucket.start, series.monthly)
        for offset, kind, value in ((0.1, "received", bucket.received), (0.52, "answered", bucket.answered)):
            height = PLOT_H * value / top
            chart.bars.append(Bar(LEFT + slot * (i + offset), TOP + PLOT_H - height, bar_w, height, value, kind, label))
    return chart


def rate_chart(series: Series) -> Chart:
    """The on-time share of what fell due in each week (answered, or overdue and open); weeks with
    nothing due leave a gap."""
    slot = PLOT_W / max(1, len(series.buckets))
    chart = Chart(
        y_ticks=[Tick(TOP + PLOT_H * (1 - share), f"{share:.0%}") for share in (0, 0.5, 1)],
        x_ticks=_x_ticks(series, slot),
    )
    run: list[str] = []
    for i, bucket in enumerate(series.buckets):
        rate = bucket.on_time_rate
        if rate is None:
            if run:
                chart.lines.append(" ".join(run))
            run = []
            continue
        x, y = LEFT + slot * (i + 0.5), TOP + PLOT_H * (1 - rate)
        run.append(f"{x:.1f},{y:.1f}")
        label = f"{bucket_label(bucket.start, series.monthly)}: {rate:.0%} ({bucket.on_time}/{bucket.due})"
        chart.points.append(Point(x, y, label))
    if run:
        chart.lines.append(" ".join(run))
    return chart


# The scores chart of a periodic report: one horizontal bar per scored department (names are long
# and Chinese: they read better beside a bar than under it).
SCORE_LABEL_W, SCORE_PLOT_W, SCORE_BAR_H, SCORE_GAP, SCORE_AXIS_H = 220, 460, 18, 6, 22


@dataclass
class ScoreBar:
    x: float
    y: float
    width: float
    label: str
    score: float
    ranked: bool
    height: int = SCORE_BAR_H

    @property
    def middle(self) -> float:
        return self.y + self.height / 2

    @property
    def end(self) -> float:
        """Where the bar's value is written, just past its end."""
        return self.x + self.width + 4


@dataclass
class ScoreChart:
    width: int
    height: int
    left: int
    plot_right: int
    baseline: float
    bars: list[ScoreBar] = field(default_factory=list)
    x_ticks: list[Tick] = field(default_factory=list)


def score_chart(rows: list[dict]) -> ScoreChart | None:
    """Bars of the scores (0–100) in the order of the ranking table; None when nobody has a score.
    `rows` are a frozen report's ranking rows (assessment.ranking.ranking_json)."""
    scored = [r for r in rows if r["score"] is not None]
    if not scored:
        return None
    plot_h = len(scored) * (SCORE_BAR_H + SCORE_GAP)
    chart = ScoreChart(
        width=SCORE_LABEL_W + SCORE_PLOT_W + RIGHT * 3,
        height=TOP + plot_h + SCORE_AXIS_H,
        left=SCORE_LABEL_W,
        plot_right=SCORE_LABEL_W + SCORE_PLOT_W,
        baseline=TOP + plot_h,
        x_ticks=[Tick(SCORE_LABEL_W + SCORE_PLOT_W * value / 100, str(value)) for value in range(0, 101, 20)],
    )
    for i, row in enumerate(scored):
        chart.bars.append(
            ScoreBar(
                x=SCORE_LABEL_W,
                y=TOP + i * (SCORE_BAR_H + SCORE_GAP) + SCORE_GAP / 2,
                width=SCORE_PLOT_W * max(0.0, min(100.0, row["score"])) / 100,
                label=row["department"],
                score=row["score"],
                ranked=row["ranked"],
            )
        )
    return chart
