"""The chart a manager puts in a report: enquiries and sessions per month (bars), income (line)."""

from __future__ import annotations

import math

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QLineSeries,
    QValueAxis,
)
from PySide6.QtCore import QMargins, QPointF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import QWidget

from desktop_app.domain.statistics import Month
from desktop_app.services.statistics_data import StatsData
from desktop_app.ui import text_size

ENQUIRY_COLOUR = "#9bb8d9"
SESSION_COLOUR = "#2f6fb0"
REVENUE_COLOUR = "#c0612b"


def month_axis_labels(months: tuple[Month, ...]) -> list[str]:
    """'4月' within one year's span; '25/4' style when the period runs longer than 12 months."""
    if len(months) <= 12:
        return [f"{m.month}月" for m in months]
    return [f"{m.year % 100:02d}/{m.month}" for m in months]


class MonthlyChart(QChartView):
    """Bars: 問い合わせ and 実施 per month (left axis, 件); line: 収入 (right axis, 千円)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        text_size.keep(self, minimum_height=200)  # 300 at 特大: its labels are larger too
        self.bar_values: dict[str, list[int]] = {}
        self.revenue_values: list[int] = []
        self.setChart(self._empty_chart())

    def _empty_chart(self) -> QChart:
        chart = QChart()
        chart.setBackgroundRoundness(4)
        chart.setMargins(QMargins(6, 6, 6, 6))
        chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        return chart

    def show_data(self, data: StatsData) -> None:
        chart = self._empty_chart()
        chart.setTitle(f"月別の問い合わせ・実施件数と収入　{data.period.label}")
        title_font = QFont(chart.titleFont())
        title_font.setBold(True)
        chart.setTitleFont(title_font)
        months = data.period.months()
        self.bar_values = {
            "問い合わせ": [m.enquiries for m in data.months],
            "実施": [m.sessions for m in data.months],
        }
        self.revenue_values = [m.revenue_yen for m in data.months]
        bars = QBarSeries()
        for name, colour in (("問い合わせ", ENQUIRY_COLOUR), ("実施", SESSION_COLOUR)):
            bar_set = QBarSet(name)
            bar_set.setColor(QColor(colour))
            bar_set.setBorderColor(QColor(colour))
            bar_set.append([float(v) for v in self.bar_values[name]])
            bars.append(bar_set)
        chart.addSeries(bars)
        line = QLineSeries()
        line.setName("収入（千円）")
        line.setPen(QPen(QColor(REVENUE_COLOUR), 2.5))
        line.setPointsVisible(True)
        for i, yen in enumerate(self.revenue_values):
            line.append(QPointF(i, yen / 1000))
        chart.addSeries(line)

        categories = QBarCategoryAxis()
        categories.append(month_axis_labels(months))
        chart.addAxis(categories, Qt.AlignmentFlag.AlignBottom)
        bars.attachAxis(categories)
        line.attachAxis(categories)
        counts = QValueAxis()
        counts.setLabelFormat("%d")
        counts.setTitleText("件")
        counts.setRange(0, _nice_top(max(max(v, default=0) for v in self.bar_values.values())))
        counts.setTickCount(6)
        chart.addAxis(counts, Qt.AlignmentFlag.AlignLeft)
        bars.attachAxis(counts)
        money = QValueAxis()
        money.setLabelFormat("%d")
        money.setTitleText("千円")
        money.setRange(0, _nice_top(max(self.revenue_values, default=0) / 1000))
        money.setTickCount(6)
        money.setLinePenColor(QColor(REVENUE_COLOUR))
        money.setLabelsColor(QColor(REVENUE_COLOUR))
        chart.addAxis(money, Qt.AlignmentFlag.AlignRight)
        line.attachAxis(money)
        old = self.chart()
        self.setChart(chart)
        old.deleteLater()


def _nice_top(value: float) -> float:
    """An axis top a little above ``value``, in 5 whole, round steps (at least 1 each)."""
    raw = value * 1.1 / 5
    if raw <= 1:
        return 5
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in _ROUND_STEPS if raw <= m * magnitude)
    return math.ceil(step) * 5  # whole steps: the labels are whole numbers


_ROUND_STEPS = (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10)
