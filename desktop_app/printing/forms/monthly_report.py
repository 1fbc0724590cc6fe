"""月報: one A4 portrait page of the office's figures for a month or a 年度, for the committee.

Key figures, the monthly trend as a vector bar chart with its numbers underneath, and four
tables (departments and doctors, referrers, exclusion reasons, lead times). It always fits on
one page: each table gets the rows its space holds and ends in 「ほか N 件」 when the data has
more; long names shrink (``draw_fit``). Black on white only: the two bar series differ as an
outlined and a solid bar, named in the legend, so a mono print or a fax reads the same.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass, field

from reportlab.graphics import renderPDF
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from desktop_app.domain.settings import ClinicSettings
from desktop_app.domain.statistics import LeadTime, Period, PeriodKind
from desktop_app.domain.wareki import era_of, format_seireki, format_wareki
from desktop_app.printing.context import (
    CONTENT_BOTTOM,
    FormContext,
    draw_footer,
    label_cell,
    start_page,
    value_cell,
)
from desktop_app.printing.fonts import GOTHIC, register_fonts
from desktop_app.printing.layout import (
    CONTENT_W,
    HEAVY,
    LEFT,
    MIN_SIZE,
    RIGHT,
    RULE,
    THIN,
    TOP,
    Rect,
    box,
    draw_fit,
    draw_string,
    fit_text,
    hline,
)
from desktop_app.printing.linebreak import keep

TITLE = "セカンドオピニオン外来\u3000月報"
ROW_H = 4.8 * mm  # one table row at 9 pt
ROW2_H = 8.2 * mm  # a row whose name takes two lines
CELL_PAD, CELL_VPAD = 1.2 * mm, 0.3 * mm
HEAD_H = 6.5 * mm  # a table's title line
GAP = 3.5 * mm
CHART_H = 46 * mm
CHART_GAP = 3 * mm  # between the bars' axis and the numbers under them
COLUMN_GAP = 6 * mm
LEFT_SHARE = 0.48  # of the two columns' width: the referrers' names get the wider one
MORE = "ほか{n}件"
OTHERS = "その他"
TOTAL = "合計"


@dataclass(frozen=True)
class ReportFigures:
    """The period's totals, as the 統計 page counts them."""

    enquiries: int = 0
    applications: int = 0
    sessions: int = 0
    cancellations: int = 0
    exclusions: int = 0
    payments: int = 0
    revenue_yen: int = 0


@dataclass(frozen=True)
class ChartMonth:
    """One bar group of the trend chart."""

    year: int
    month: int
    enquiries: int = 0
    applications: int = 0
    sessions: int = 0
    revenue_yen: int = 0
    marked: bool = False  # the report's own month, framed on the chart
    future: bool = False  # not yet begun on the day printed: no bar, no figure


@dataclass(frozen=True)
class DoctorLine:
    department: str
    doctor: str
    sessions: int
    minutes: int


@dataclass(frozen=True)
class ReferrerLine:
    institution: str
    enquiries: int
    applications: int
    sessions: int


@dataclass(frozen=True)
class ExclusionLine:
    label: str
    cases: int
    enquiries_only: int


@dataclass(frozen=True)
class MonthlyReport:
    """Everything the 月報 prints; the service fills it from the statistics and settings."""

    settings: ClinicSettings
    period: Period
    printed_on: dt.date
    figures: ReportFigures = field(default_factory=ReportFigures)
    chart: tuple[ChartMonth, ...] = ()
    chart_title: str = "月別の推移"
    by_doctor: tuple[DoctorLine, ...] = ()
    referrers: tuple[ReferrerLine, ...] = ()
    exclusions: tuple[ExclusionLine, ...] = ()
    lead_times: tuple[LeadTime, ...] = ()


def is_whole_month(period: Period) -> bool:
    """A period that is exactly one calendar month (what ``sodesk report --month`` prints)."""
    months = period.months()
    return (
        len(months) == 1 and period.start.day == 1 and (period.end + dt.timedelta(days=1)).day == 1
    )


def period_title(period: Period) -> str:
    """The period in 和暦 with 西暦 beside it: 令和9年（2027年）1月, 令和8年度（2026年4月〜2027年3月）."""
    start, end = period.start, period.end
    if is_whole_month(period):
        return f"{_era_year(start)}年（{start.year}年）{start.month}月"
    if period.kind == PeriodKind.FISCAL_YEAR:
        # The 年度 is named by its April, in the era of its end (2019年度 is 令和元年度).
        return f"{_era_year(end, start.year)}年度（{start.year}年4月〜{end.year}年3月）"
    if period.kind == PeriodKind.CALENDAR_YEAR:
        return f"{_era_year(end, start.year)}年（{start.year}年1月〜12月）"
    return (
        f"{format_wareki(start)}〜{format_wareki(end)}"
        f"（{format_seireki(start)}〜{format_seireki(end)}）"
    )


def _era_year(day: dt.date, year: int | None = None) -> str:
    """'令和9' for ``year`` (default: ``day``'s) counted in the era ``day`` falls in."""
    era = era_of(day)
    year = day.year if year is None else year
    if era is None:
        return str(year)
    number = year - era.start.year + 1
    return f"{era.name}{'元' if number == 1 else number}"


def monthly_report_pdf(data: MonthlyReport) -> bytes:
    """The 月報 as PDF bytes: always exactly one A4 portrait page."""
    register_fonts()
    buffer = io.BytesIO()
    c = Canvas(buffer, pageCompression=1, initialFontName=GOTHIC)
    title = period_title(data.period)
    c.setTitle(f"月報 {title}")
    c.setAuthor(f"{data.settings.hospital_name} {data.settings.office_name}".strip())
    c.setCreator("SO Desk")
    ctx = FormContext(settings=data.settings, today=data.printed_on)
    start_page(c)
    y = _header(c, ctx, title)
    y = _figures(c, data.figures, y) - GAP
    y = _trend(c, data, y) - GAP
    _tables(c, data, y)
    draw_footer(c, ctx, "院内資料")
    c.showPage()
    c.save()
    return buffer.getvalue()


def _header(c: Canvas, ctx: FormContext, title: str) -> float:
    """Title, the period, the hospital and the day printed; returns the y below."""
    y = TOP
    draw_fit(c, TITLE, Rect.below(LEFT, y, CONTENT_W, 10 * mm), size=18, pad=0, align="center")
    y -= 10 * mm
    draw_fit(c, title, Rect.below(LEFT, y, CONTENT_W, 8 * mm), size=14, pad=0, align="center")
    y -= 9.5 * mm
    draw_fit(
        c, keep(ctx.office), Rect.below(LEFT, y, CONTENT_W - 62 * mm, 6 * mm), size=10.5, pad=0
    )
    draw_fit(
        c,
        f"印刷日\u3000{ctx.date(ctx.today)}",
        Rect.below(RIGHT - 62 * mm, y, 62 * mm, 6 * mm),
        size=10.5,
        pad=0,
        align="right",
    )
    y -= 6.5 * mm
    hline(c, LEFT, RIGHT, y, RULE)
    return y - GAP


def _figures(c: Canvas, f: ReportFigures, y: float) -> float:
    """The key figures in one framed row: a name over each number."""
    cells = [
        ("問い合わせ", f"{f.enquiries:,}件"),
        ("申込", f"{f.applications:,}件"),
        ("実施", f"{f.sessions:,}件"),
        ("キャンセル", f"{f.cancellations:,}件"),
        ("対象外", f"{f.exclusions:,}件"),
        ("入金件数", f"{f.payments:,}件"),
        ("収入", f"{f.revenue_yen:,}円"),
    ]
    wide = 42 * mm  # 収入: seven digits and their commas at full size
    narrow = (CONTENT_W - wide) / (len(cells) - 1)
    label_h, value_h = 6 * mm, 10 * mm
    x = LEFT
    for i, (label, value) in enumerate(cells):
        w = wide if i == len(cells) - 1 else narrow
        label_cell(c, x, y - label_h, w, label_h, label, 10)
        value_cell(c, x, y - label_h - value_h, w, value_h, value, size=14, align="center")
        x += w
    box(c, LEFT, y - label_h - value_h, CONTENT_W, label_h + value_h, HEAVY)
    return y - label_h - value_h


# The chart ---------------------------------------------------------------------------------

SERIES = (  # (name, filled): an outlined and a solid bar, told apart without colour
    ("問い合わせ", False),
    ("実施", True),
)
NUMBER_ROWS = ("問い合わせ", "申込", "実施", "収入（千円）")
LABEL_W = 24 * mm  # the value axis above, the names of the number rows below


def _trend(c: Canvas, data: MonthlyReport, y: float) -> float:
    """■ the chart's title and legend, the bars, and under each month its numbers."""
    draw_string(c, LEFT, y - 10.5, f"■ {data.chart_title}", 10.5)
    _legend(c, y)
    y -= HEAD_H + 2 * mm  # room for the top label of the value axis
    months = data.chart
    if not months:
        return y
    plot_x, plot_w = LEFT + LABEL_W, CONTENT_W - LABEL_W
    _chart(c, months, plot_x, y - CHART_H, plot_w)
    y -= CHART_H + CHART_GAP
    return _chart_numbers(c, months, plot_x, plot_w, y)


def _legend(c: Canvas, y: float) -> None:
    x = RIGHT
    for name, filled in reversed(SERIES):
        x -= draw_string(c, x, y - 10, name, 9.5, align="right") + 1.5 * mm
        c.setLineWidth(RULE)
        c.rect(x - 4 * mm, y - 10.5, 4 * mm, 3 * mm, stroke=1, fill=1 if filled else 0)
        x -= 4 * mm + 5 * mm


def _chart(c: Canvas, months: Sequence[ChartMonth], x: float, y: float, w: float) -> None:
    top = max([m.enquiries for m in months] + [m.sessions for m in months] + [0])
    step = _nice_step(top)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 0, 0, w, CHART_H
    chart.data = [
        tuple(0 if m.future else m.enquiries for m in months),
        tuple(0 if m.future else m.sessions for m in months),
    ]
    chart.categoryAxis.categoryNames = ["" for _ in months]
    chart.categoryAxis.strokeWidth = RULE
    chart.categoryAxis.tickDown = 0
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = step * max(1, -(-top // step))
    chart.valueAxis.valueStep = step
    chart.valueAxis.strokeWidth = RULE
    chart.valueAxis.labels.fontName = GOTHIC
    chart.valueAxis.labels.fontSize = MIN_SIZE
    chart.valueAxis.labelTextFormat = "{:,}件".format
    chart.valueAxis.labels.dx = -1.5 * mm
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = colors.black
    chart.valueAxis.gridStrokeWidth = 0.5
    chart.valueAxis.gridStrokeDashArray = (1, 2.5)
    chart.groupSpacing = 3.5 * mm if len(months) <= 12 else 1.5 * mm
    chart.barSpacing = 0.6 * mm
    chart.barWidth = 4 * mm
    for i, (_name, filled) in enumerate(SERIES):
        chart.bars[i].fillColor = colors.black if filled else colors.white
        chart.bars[i].strokeColor = colors.black
        chart.bars[i].strokeWidth = RULE
    drawing = Drawing(w, CHART_H)
    drawing.add(chart)
    renderPDF.draw(drawing, c, x, y)


def _nice_step(top: int) -> int:
    """A round step giving at most five grid lines up to ``top`` (1, 2, 5, 10, 20 …)."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if top <= 5 * step * factor:
                return step * factor
        step *= 10


def _chart_numbers(c: Canvas, months: Sequence[ChartMonth], x: float, w: float, y: float) -> float:
    """A table under the bars: the month (its year at the start and each January), then
    the figures, each column under its bar group; the report's own month framed heavy."""
    n = len(months)
    col = w / n
    head_h = 8 * mm
    rows = [
        [m.enquiries for m in months],
        [m.applications for m in months],
        [m.sessions for m in months],
        [(m.revenue_yen + 500) // 1000 for m in months],  # 千円, rounded half up
    ]
    size = MIN_SIZE
    top = y
    for i, m in enumerate(months):
        cx = x + i * col
        box(c, cx, y - head_h, col, head_h, THIN)
        if i == 0 or m.month == 1:
            draw_fit(
                c, f"{m.year}年", Rect(cx, y - head_h / 2, col, head_h / 2), size=size, pad=0.3 * mm,
                align="center", vpad=0,
            )  # fmt: skip
        draw_fit(
            c, f"{m.month}月", Rect(cx, y - head_h, col, head_h / 2), size=size, pad=0.3 * mm,
            align="center", vpad=0,
        )  # fmt: skip
    label_cell(c, LEFT, y - head_h, LABEL_W, head_h, "月", size)
    y -= head_h
    for name, values in zip(NUMBER_ROWS, rows, strict=True):
        label_cell(c, LEFT, y - ROW_H, LABEL_W, ROW_H, name, size)
        for i, (m, v) in enumerate(zip(months, values, strict=True)):
            text = "" if m.future else f"{v:,}"
            value_cell(
                c, x + i * col, y - ROW_H, col, ROW_H, text, size=size, align="right",
                pad=0.8 * mm, vpad=0,
            )  # fmt: skip
        y -= ROW_H
    box(c, LEFT, y, CONTENT_W, top - y, RULE)
    for i, m in enumerate(months):
        if m.marked:  # the report's month: a heavy frame from the bars down through its numbers
            box(c, x + i * col, y, col, top - y + CHART_H + CHART_GAP, HEAVY)
    return y


# The tables --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Table:
    title: str
    headers: tuple[str, ...]
    widths: tuple[float, ...]  # fractions of the column's width
    rows: tuple[tuple[str | int, ...], ...]
    total: tuple[str | int, ...] | None = None  # printed under a heavier rule
    right_from: int = 1  # the first column of figures (right-aligned)
    empty: str = "該当なし"


def _tables(c: Canvas, data: MonthlyReport, y: float) -> None:
    """Two columns filling the rest of the page: departments over lead times on the left,
    referrers over exclusion reasons on the right. The lead times (four rows) and the
    exclusion reasons (a few, at most a third of the room) are placed first; the upper table
    gets what is left."""
    left_w = (CONTENT_W - COLUMN_GAP) * LEFT_SHARE
    right_w = CONTENT_W - COLUMN_GAP - left_w
    room = y - CONTENT_BOTTOM
    for x, w, upper, lower, lower_share in (
        (LEFT, left_w, _doctor_table(data), _lead_table(data), 0.5),
        (RIGHT - right_w, right_w, _referrer_table(data), _exclusion_table(data), 0.35),
    ):
        lower_room = min(_laid_out(lower, w, room * lower_share).height, room * lower_share)
        top = _laid_out(upper, w, room - lower_room - GAP)
        _draw_table(c, top, x, y, w)
        bottom = _laid_out(lower, w, room - top.height - GAP)
        _draw_table(c, bottom, x, y - top.height - GAP, w)


@dataclass(frozen=True)
class _Laid:
    """A table cut to its room: the rows shown (the last may be 「ほか N 件」) and heights."""

    table: _Table
    rows: tuple[tuple[str | int, ...], ...]
    heights: tuple[float, ...]  # of each body row, the total's last

    @property
    def height(self) -> float:
        return HEAD_H + ROW_H + sum(self.heights)


def _laid_out(t: _Table, w: float, room: float) -> _Laid:
    """The rows of ``t`` that fit ``room`` (title and headers included): a row whose names
    need two lines at 9 pt is two lines high; what does not fit is summed into one row."""
    widths = [f * w for f in t.widths]
    rows = list(t.rows) or [(t.empty, *("" for _ in t.headers[1:]))]
    total = [t.total] if t.total is not None else []
    budget = room - HEAD_H - ROW_H - sum(_row_height(r, widths, t.right_from) for r in total)
    heights = [_row_height(r, widths, t.right_from) for r in rows]
    if sum(heights) > budget:
        keep_n = len(rows)
        while keep_n > 0 and sum(heights[:keep_n]) + ROW_H > budget:
            keep_n -= 1
        rest = rows[keep_n:]
        rows = [*rows[:keep_n], _summed(MORE.format(n=len(rest)), rest)]
        heights = [*heights[:keep_n], ROW_H]
    body = (*rows, *total)
    return _Laid(t, tuple(body), (*heights, *(_row_height(r, widths, t.right_from) for r in total)))


def _row_height(row: Sequence[str | int], widths: Sequence[float], right: int) -> float:
    for i, (value, cw) in enumerate(zip(row, widths, strict=True)):
        if i >= right or isinstance(value, int):
            continue
        fit = fit_text(value, cw - 2 * CELL_PAD, ROW2_H - 2 * CELL_VPAD, size=MIN_SIZE, leading=1.1)
        if len(fit.lines) > 1:
            return ROW2_H
    return ROW_H


def _draw_table(c: Canvas, laid: _Laid, x: float, y: float, w: float) -> float:
    """The table's title, its headers and the rows laid out; returns the y below."""
    t = laid.table
    draw_string(c, x, y - 10.5, f"■ {t.title}", 10.5)
    y -= HEAD_H
    widths = [f * w for f in t.widths]
    top = y
    cx = x
    for header, cw in zip(t.headers, widths, strict=True):
        label_cell(c, cx, y - ROW_H, cw, ROW_H, header, MIN_SIZE)
        cx += cw
    y -= ROW_H
    for i, (row, h) in enumerate(zip(laid.rows, laid.heights, strict=True)):
        if t.total is not None and i == len(laid.rows) - 1:
            hline(c, x, x + w, y, HEAVY)  # a heavier rule over the 合計
        _row(c, row, x, y, widths, h, t.right_from)
        y -= h
    box(c, x, y, w, top - y, RULE)
    return y


def _row(
    c: Canvas,
    row: Sequence[str | int],
    x: float,
    y: float,
    widths: Sequence[float],
    h: float,
    right: int,
) -> None:
    for i, (value, cw) in enumerate(zip(row, widths, strict=True)):
        text = f"{value:,}" if isinstance(value, int) else value
        value_cell(
            c, x, y - h, cw, h, text, size=MIN_SIZE, align="right" if i >= right else "left",
            pad=CELL_PAD, vpad=CELL_VPAD, leading=1.1,
        )  # fmt: skip
        x += cw


def _summed(label: str, rows: Sequence[tuple[str | int, ...]]) -> tuple[str | int, ...]:
    """One row for ``rows``: ``label`` in the first text column, the numbers added up."""
    first = rows[0]
    texts = sum(1 for v in first if not isinstance(v, int))
    out: list[str | int] = [label, *("" for _ in range(texts - 1))]
    for i in range(texts, len(first)):
        out.append(sum(int(r[i]) for r in rows if isinstance(r[i], int)))
    return tuple(out)


def _doctor_table(data: MonthlyReport) -> _Table:
    rows = tuple(
        (keep(d.department), keep(d.doctor), d.sessions, d.minutes) for d in data.by_doctor
    )
    total = (
        TOTAL,
        "",
        sum(d.sessions for d in data.by_doctor),
        sum(d.minutes for d in data.by_doctor),
    )
    return _Table(
        "診療科・担当医別の実施", ("診療科", "担当医", "実施", "時間（分）"),
        (0.28, 0.32, 0.14, 0.26), rows, total, right_from=2,
    )  # fmt: skip


def _referrer_table(data: MonthlyReport) -> _Table:
    rows = tuple(
        (keep(r.institution), r.enquiries, r.applications, r.sessions) for r in data.referrers
    )
    total = (
        TOTAL,
        sum(r.enquiries for r in data.referrers),
        sum(r.applications for r in data.referrers),
        sum(r.sessions for r in data.referrers),
    )
    return _Table(
        "紹介元医療機関（上位10）", ("紹介元医療機関", "問合せ", "申込", "実施"),
        (0.58, 0.14, 0.14, 0.14), rows, total,
    )  # fmt: skip


def _exclusion_table(data: MonthlyReport) -> _Table:
    rows = tuple(
        (e.label, e.cases, e.enquiries_only, e.cases + e.enquiries_only) for e in data.exclusions
    )
    total = (
        TOTAL,
        sum(e.cases for e in data.exclusions),
        sum(e.enquiries_only for e in data.exclusions),
        sum(e.cases + e.enquiries_only for e in data.exclusions),
    )
    return _Table(
        "対象外の理由", ("理由", "案件", "電話のみ", "計"), (0.55, 0.14, 0.17, 0.14), rows, total,
    )  # fmt: skip


def _lead_table(data: MonthlyReport) -> _Table:
    rows = tuple(
        (t.label, t.count, "—" if t.median_days is None else f"{t.median_days:g}日")
        for t in data.lead_times
    )
    return _Table(
        "所要日数（中央値）", ("区間", "件数", "中央値"), (0.6, 0.17, 0.23), rows,
    )  # fmt: skip
