"""The 月報 is one A4 portrait page whatever the data: read back with pypdf, and rendered."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess

import pytest
from reportlab.lib.pagesizes import A4

from desktop_app.domain.settings import ClinicSettings
from desktop_app.domain.statistics import LeadTime, calendar_year, custom_period, fiscal_year
from desktop_app.printing.forms.monthly_report import (
    ChartMonth,
    DoctorLine,
    ExclusionLine,
    MonthlyReport,
    ReferrerLine,
    ReportFigures,
    monthly_report_pdf,
    period_title,
)

from .conftest import pdf_text, read_pdf

JANUARY = custom_period(dt.date(2027, 1, 1), dt.date(2027, 1, 31))


def _report(**changes: object) -> MonthlyReport:
    base = MonthlyReport(
        settings=ClinicSettings(),
        period=JANUARY,
        printed_on=dt.date(2027, 2, 3),
        figures=ReportFigures(
            enquiries=31,
            applications=24,
            sessions=17,
            cancellations=2,
            exclusions=3,
            payments=16,
            revenue_yen=1_234_500,
        ),
        chart=tuple(
            ChartMonth(
                2026 + (m > 12), (m - 1) % 12 + 1, 20 + m, 10 + m, 5 + m, 5500 * m, marked=m == 13
            )
            for m in range(2, 14)
        ),
        chart_title="月別の推移（直近12か月）",
        by_doctor=(
            DoctorLine("呼吸器内科", "青木 一郎", 9, 405),
            DoctorLine("外科", "林 二郎", 8, 300),
        ),
        referrers=(ReferrerLine("みなと内科クリニック", 12, 9, 7),),
        exclusions=(ExclusionLine("転医・転院のご希望", 2, 1),),
        lead_times=(LeadTime("問い合わせ → 申込書受領", 24, 4.5), LeadTime("予約 → 受診", 0, None)),
    )
    return MonthlyReport(**{**base.__dict__, **changes})  # type: ignore[arg-type]


def _one_a4_page(data: bytes) -> str:
    reader = read_pdf(data)
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert float(box.width) == pytest.approx(A4[0], abs=0.01)
    assert float(box.height) == pytest.approx(A4[1], abs=0.01)
    return pdf_text(data)


def test_one_page_with_the_period_in_wareki_the_figures_and_revenue_with_commas() -> None:
    text = _one_a4_page(monthly_report_pdf(_report()))
    assert "セカンドオピニオン外来月報" in text
    assert "令和9年（2027年）1月" in text
    assert "苫小牧市立病院地域医療連携室" in text
    assert "印刷日令和9年2月3日" in text
    assert "1,234,500円" in text
    for label, value in (("問い合わせ", "31件"), ("申込", "24件"), ("実施", "17件")):
        assert label in text and value in text
    assert "キャンセル" in text and "対象外" in text and "入金件数" in text
    # The chart's numbers under the bars, the tables and the lead times.
    assert "月別の推移（直近12か月）" in text and "2026年" in text and "2027年" in text
    assert "青木一郎" in text and "405" in text and "みなと内科クリニック" in text
    assert "転医・転院のご希望" in text and "4.5日" in text and "—" in text


def test_period_titles_in_wareki_and_seireki() -> None:
    assert period_title(JANUARY) == "令和9年（2027年）1月"
    assert period_title(fiscal_year(2026)) == "令和8年度（2026年4月〜2027年3月）"
    assert period_title(fiscal_year(2019)) == "令和元年度（2019年4月〜2020年3月）"
    assert period_title(calendar_year(2026)) == "令和8年（2026年1月〜12月）"
    assert period_title(custom_period(dt.date(2026, 4, 15), dt.date(2026, 6, 30))) == (
        "令和8年4月15日〜令和8年6月30日（2026年4月15日〜2026年6月30日）"
    )


def _crowded() -> MonthlyReport:
    """Far more of everything than a page holds, with names far longer than their cells."""
    return _report(
        period=fiscal_year(2026),
        chart=tuple(
            ChartMonth(2026 + (m > 12), (m - 1) % 12 + 1, 900, 700, 650) for m in range(4, 16)
        ),
        by_doctor=tuple(
            DoctorLine(f"消化器内科・内視鏡センター{i}", f"長谷川 ひとみ之助{i}", i, 30 * i)
            for i in range(40)
        ),
        referrers=tuple(
            ReferrerLine(
                f"医療法人社団 ぬまのはた会 沼ノ端ファミリークリニック第{i}分院", 50 - i, 3, 1
            )
            for i in range(45)
        ),
        exclusions=tuple(
            ExclusionLine(f"理由その{i}（説明の長い対象外の理由）", i, 1) for i in range(20)
        ),
    )


def test_forty_referrers_forty_doctors_and_long_names_still_one_page() -> None:
    text = _one_a4_page(monthly_report_pdf(_crowded()))
    assert "令和8年度（2026年4月〜2027年3月）" in text
    assert "ほか" in text  # the rows that did not fit are summed, and say so
    # Totals stay whole: the 合計 of the referrers' enquiries counts every row.
    assert f"{sum(50 - i for i in range(45)):,}" in text


def test_no_data_prints_zeros() -> None:
    empty = MonthlyReport(settings=ClinicSettings(), period=JANUARY, printed_on=dt.date(2027, 2, 3))
    text = _one_a4_page(monthly_report_pdf(empty))
    assert "0件" in text and "0円" in text and "該当なし" in text


def test_future_months_print_no_figures() -> None:
    report = _report(
        chart=(ChartMonth(2027, 1, 5, 4, 3), ChartMonth(2027, 2, 99, 98, 97, future=True))
    )
    text = _one_a4_page(monthly_report_pdf(report))
    assert "2月" in text and "99" not in text


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs poppler's pdftoppm")
def test_the_crowded_page_renders_in_mono_at_200_dpi(tmp_path) -> None:
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(monthly_report_pdf(_crowded()))
    subprocess.run(
        ["pdftoppm", "-r", "200", "-gray", "-png", str(pdf), str(tmp_path / "page")], check=True
    )
    pages = sorted(tmp_path.glob("page*.png"))
    assert len(pages) == 1
