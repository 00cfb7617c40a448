"""Small QtCharts helpers for the 首页: a bar chart and a pie chart that are filled later
(``set_data``) from plain lists, so that the page builds at once and the data comes from the
background query."""
from __future__ import annotations

from PySide6.QtCharts import (QBarCategoryAxis, QBarSeries, QBarSet, QChart, QChartView,
                              QHorizontalBarSeries, QPieSeries, QValueAxis)
from PySide6.QtCore import QMargins, Qt
from PySide6.QtGui import QColor, QFont, QPainter

PALETTE = ["#3d6aa5", "#f29e4c", "#4caf50", "#c62828", "#8e6bbf", "#26a69a", "#ef6c9c", "#8d6e63",
           "#607d8b", "#cddc39"]


def _chart(title: str) -> QChart:
    chart = QChart()
    chart.setTitle(title)
    font = QFont(chart.titleFont())
    font.setBold(True)
    font.setPointSize(10)
    chart.setTitleFont(font)
    chart.setMargins(QMargins(4, 4, 4, 4))
    chart.setBackgroundRoundness(4)
    chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
    return chart


class BarChart(QChartView):
    """One series of bars over text categories; ``unit`` goes into the value axis title."""

    def __init__(self, title: str, unit: str = "", color: str = PALETTE[0], *,
                 integers: bool = True, parent=None):  # noqa: ANN001
        super().__init__(parent)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.unit, self.color, self.integers = unit, color, integers
        self.setChart(_chart(title))
        self.chart().legend().hide()
        self.labels: list[str] = []
        self.values: list[float] = []
        self.setMinimumHeight(240)

    def set_data(self, labels: list[str], values: list[float], x_title: str = "") -> None:
        self.labels, self.values = list(labels), [float(v) for v in values]
        chart = self.chart()
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
        bars = QBarSet(self.unit or "数量")
        bars.setColor(QColor(self.color))
        bars.append(self.values)
        series = QBarSeries()
        series.append(bars)
        bars.setLabelColor(QColor("#37474f"))
        series.setLabelsVisible(self.integers and len(self.values) <= 12)
        series.setLabelsPosition(QBarSeries.LabelsPosition.LabelsOutsideEnd)
        series.setLabelsFormat("@value")
        chart.addSeries(series)
        x = QBarCategoryAxis()
        x.append(self.labels or [""])
        small = QFont(x.labelsFont())
        small.setPointSize(8)
        x.setLabelsFont(small)
        if x_title:
            x.setTitleText(x_title)
            x.setTitleFont(small)
        chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
        series.attachAxis(x)
        y = QValueAxis()
        top = max(self.values, default=0)
        y.setRange(0, top * 1.15 if top else 1)
        y.applyNiceNumbers()
        y.setLabelFormat("%.0f")
        y.setLabelsFont(small)
        if self.unit:
            y.setTitleText(self.unit)
            y.setTitleFont(small)
        if self.integers and top < 5:
            y.setRange(0, int(top) + 1)
            y.setTickCount(int(top) + 2)
        chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(y)


class HBarChart(QChartView):
    """Horizontal bars: the category names (村名) read in full on the left axis, one bar per row
    (vertical bars squeezed a dozen village names into "…")."""

    def __init__(self, title: str, unit: str = "", color: str = PALETTE[0], parent=None):  # noqa: ANN001
        super().__init__(parent)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.unit, self.color = unit, color
        self.setChart(_chart(title))
        self.chart().legend().hide()
        self.labels: list[str] = []
        self.values: list[float] = []
        self.setMinimumHeight(240)

    def set_data(self, labels: list[str], values: list[float]) -> None:
        # top to bottom in the given order (Qt draws the first category at the bottom)
        self.labels, self.values = list(labels), [float(v) for v in values]
        chart = self.chart()
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
        bars = QBarSet(self.unit or "数量")
        bars.setColor(QColor(self.color))
        bars.append(list(reversed(self.values)))
        bars.setLabelColor(QColor("#37474f"))
        series = QHorizontalBarSeries()
        series.append(bars)
        series.setLabelsVisible(len(self.values) <= 30)
        series.setLabelsPosition(QHorizontalBarSeries.LabelsPosition.LabelsOutsideEnd)
        series.setLabelsFormat("@value")
        chart.addSeries(series)
        small = QFont(chart.titleFont())
        small.setBold(False)
        small.setPointSize(8)
        y = QBarCategoryAxis()
        y.append(list(reversed(self.labels)) or [""])
        y.setLabelsFont(small)
        chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(y)
        x = QValueAxis()
        top = max(self.values, default=0)
        x.setRange(0, top * 1.2 if top else 1)
        x.applyNiceNumbers()
        x.setLabelFormat("%.0f")
        x.setLabelsFont(small)
        if self.unit:
            x.setTitleText(self.unit)
            x.setTitleFont(small)
        chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
        series.attachAxis(x)
        self.setMinimumHeight(max(240, 60 + 22 * len(self.values)))


class PieChart(QChartView):
    """Shares of a whole; the legend names each slice "名称 n"."""

    def __init__(self, title: str, parent=None):  # noqa: ANN001
        super().__init__(parent)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setChart(_chart(title))
        legend = self.chart().legend()
        legend.setAlignment(Qt.AlignmentFlag.AlignRight)
        font = QFont(legend.font())
        font.setPointSize(8)
        legend.setFont(font)
        self.labels: list[str] = []
        self.values: list[float] = []
        self.setMinimumHeight(240)

    def set_data(self, labels: list[str], values: list[float]) -> None:
        self.labels, self.values = list(labels), [float(v) for v in values]
        chart = self.chart()
        chart.removeAllSeries()
        series = QPieSeries()
        total = sum(self.values) or 1
        for i, (label, value) in enumerate(zip(self.labels, self.values)):
            s = series.append(f"{label} {value:.0f}", value)
            s.setColor(QColor(PALETTE[i % len(PALETTE)]))
        series.setPieSize(0.85)
        chart.addSeries(series)
