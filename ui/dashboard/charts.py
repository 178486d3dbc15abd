"""The dashboard's charts (QtCharts, imported here only, so starting the app does not pay for it):
caseload per offender manager against the benchmark, visits due / done on time / overdue per
team, and scrutiny findings over twelve months. Axes carry their titles; every bar and line also
has its words in the legend, and each chart's figures are in its accessible description for a
screen reader."""

from __future__ import annotations

import math
from collections.abc import Sequence

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QHorizontalStackedBarSeries,
    QLineSeries,
    QValueAxis,
)
from PySide6.QtCore import QMargins, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from ui.widgets import palette

# Colours a person with any colour vision tells apart, always named in the legend.
BLUE = "#1f5f99"
ORANGE = "#c26a00"
GREY = "#6b7580"
RED = palette.FOREGROUND["alert"]
GREEN = palette.FOREGROUND["ok"]

Series = Sequence[tuple[str, Sequence[float]]]  # (legend label, one value per category)


def _axis_top(values: Sequence[float], at_least: float = 0) -> tuple[int, int]:
    """A round top for a count axis, and how many ticks give whole-number steps."""
    top = max([at_least, *values, 1])
    raw = top / 5
    magnitude = 10 ** max(0, math.floor(math.log10(raw))) if raw >= 1 else 1
    step = next(int(f * magnitude) for f in (1, 2, 5, 10) if f * magnitude >= raw)
    ticks = math.ceil(top / step)
    return step * ticks, ticks + 1


def _count_axis(title: str, values: Sequence[float], at_least: float = 0) -> QValueAxis:
    axis = QValueAxis()
    top, ticks = _axis_top(values, at_least)
    axis.setRange(0, top)
    axis.setTickCount(ticks)
    axis.setLabelFormat("%d")
    axis.setTitleText(title)
    return axis


class Chart(QChartView):
    """A chart with a title, the legend below, readable type, and a words-only summary."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        self.chart_ = QChart()
        super().__init__(self.chart_, parent)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setAccessibleName(title)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.chart_.setTitle(title)
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * 1.15)
        font.setBold(True)
        self.chart_.setTitleFont(font)
        self.chart_.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        self.chart_.setMargins(QMargins(6, 6, 6, 6))
        self.chart_.setBackgroundRoundness(0)
        self.setMinimumHeight(300)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def reset(self) -> None:
        self.chart_.removeAllSeries()
        for axis in self.chart_.axes():
            self.chart_.removeAxis(axis)

    def describe(self, text: str) -> None:
        self.setAccessibleDescription(text)
        self.setToolTip(text)

    @property
    def summary(self) -> str:
        return self.accessibleDescription()


def _bar_set(label: str, values: Sequence[float], colour: str) -> QBarSet:
    bars = QBarSet(label)
    bars.append([float(v) for v in values])
    bars.setColor(QColor(colour))
    bars.setBorderColor(QColor(colour))
    bars.setLabelColor(QColor("#1b1f23"))
    return bars


class CaseloadChart(Chart):
    """One bar per offender manager, the part over the benchmark in another colour and named so
    in the legend, and a dashed line at the benchmark (policy caseload_benchmark)."""

    ROW_HEIGHT = 24

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Caseload per offender manager", parent)

    def show_caseloads(self, managers: Sequence[tuple[str, float]], benchmark: int) -> None:
        self.reset()
        # the first manager at the top
        names = [f"{name}: {value:g}" for name, value in reversed(managers)]
        values = [value for _n, value in reversed(managers)]
        within = [min(v, benchmark) for v in values]
        over = [max(v - benchmark, 0) for v in values]
        series = QHorizontalStackedBarSeries()
        series.append(_bar_set("Up to the benchmark", within, BLUE))
        series.append(_bar_set(f"Over the benchmark of {benchmark}", over, RED))
        series.setBarWidth(0.7)
        self.chart_.addSeries(series)
        names_axis = QBarCategoryAxis()
        names_axis.append(names or ["Nobody"])
        names_axis.setTruncateLabels(False)
        self.chart_.addAxis(names_axis, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(names_axis)
        count_axis = _count_axis("Offenders managed", values, benchmark * 1.1)
        self.chart_.addAxis(count_axis, Qt.AlignmentFlag.AlignBottom)
        series.attachAxis(count_axis)

        line = QLineSeries()
        line.setName(f"Benchmark: {benchmark}")
        line.append(float(benchmark), -0.5)
        line.append(float(benchmark), max(len(names), 1) - 0.5)
        pen = QPen(QColor("#000000"))
        pen.setWidth(2)
        pen.setStyle(Qt.PenStyle.DashLine)
        line.setPen(pen)
        self.chart_.addSeries(line)
        line.attachAxis(count_axis)
        rows_axis = QValueAxis()
        rows_axis.setRange(-0.5, max(len(names), 1) - 0.5)
        rows_axis.setVisible(False)
        self.chart_.addAxis(rows_axis, Qt.AlignmentFlag.AlignRight)
        line.attachAxis(rows_axis)
        self.setMinimumHeight(140 + self.ROW_HEIGHT * max(len(names), 4))
        over_names = [f"{n} {v:g}" for n, v in managers if v > benchmark]
        self.describe(
            f"Caseload per offender manager against the benchmark of {benchmark}. "
            + (f"Over it: {', '.join(over_names)}." if over_names else "Nobody is over it.")
        )


class GroupedBarChart(Chart):
    """Bars side by side per category (a team), one colour and legend entry per measure."""

    def __init__(self, title: str, value_title: str, parent: QWidget | None = None) -> None:
        super().__init__(title, parent)
        self._value_title = value_title

    def show_bars(self, categories: Sequence[str], series: Series, colours: Sequence[str]) -> None:
        self.reset()
        bars = QBarSeries()
        everything: list[float] = []
        for (label, values), colour in zip(series, colours, strict=False):
            bars.append(_bar_set(label, values, colour))
            everything.extend(values)
        bars.setLabelsVisible(True)
        bars.setLabelsPosition(QBarSeries.LabelsPosition.LabelsOutsideEnd)
        bars.setLabelsFormat("@value")
        self.chart_.addSeries(bars)
        axis = QBarCategoryAxis()
        axis.append(list(categories) or ["None"])
        self.chart_.addAxis(axis, Qt.AlignmentFlag.AlignBottom)
        bars.attachAxis(axis)
        counts = _count_axis(self._value_title, everything, max(everything or [0]) * 1.15)
        self.chart_.addAxis(counts, Qt.AlignmentFlag.AlignLeft)
        bars.attachAxis(counts)
        self.describe(
            f"{self.chart_.title()}. "
            + " ".join(
                f"{c}: "
                + ", ".join(f"{label.lower()} {values[i]:g}" for label, values in series)
                + "."
                for i, c in enumerate(categories)
            )
        )


class LinesChart(Chart):
    """A line per measure over the months, with a dot at each month."""

    def __init__(self, title: str, value_title: str, parent: QWidget | None = None) -> None:
        super().__init__(title, parent)
        self._value_title = value_title

    def show_lines(
        self, months: Sequence[str], series: Series, colours: Sequence[str], period: str = ""
    ) -> None:
        """`months`: short labels ("Jul"); `period` the axis title ("July 2023 to June 2024")."""
        self.reset()
        axis = QBarCategoryAxis()
        axis.append(list(months) or ["None"])
        axis.setTitleText(period)
        self.chart_.addAxis(axis, Qt.AlignmentFlag.AlignBottom)
        everything = [v for _label, values in series for v in values]
        counts = _count_axis(self._value_title, everything, max(everything or [0]) * 1.15)
        self.chart_.addAxis(counts, Qt.AlignmentFlag.AlignLeft)
        for (label, values), colour in zip(series, colours, strict=False):
            line = QLineSeries()
            line.setName(label)
            for i, value in enumerate(values):
                line.append(float(i), float(value))
            pen = QPen(QColor(colour))
            pen.setWidth(3)
            line.setPen(pen)
            line.setPointsVisible(True)
            self.chart_.addSeries(line)
            line.attachAxis(axis)
            line.attachAxis(counts)
        self.describe(
            f"{self.chart_.title()}{', ' + period if period else ''}. "
            + " ".join(
                f"{label}: " + ", ".join(f"{v:g}" for v in values) + "." for label, values in series
            )
        )
