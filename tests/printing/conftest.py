"""Fixtures for the printed forms: settings, an ordinary case, the longest case, and readers."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from desktop_app.domain.settings import ClinicSettings
from desktop_app.printing import CaseInfo
from tests.printing.samples import SAMPLE_TODAY, long_case, sample_case


@pytest.fixture
def settings() -> ClinicSettings:
    return ClinicSettings(invoice_registration_number="T1234567890123")


@pytest.fixture
def full_case(settings: ClinicSettings) -> CaseInfo:
    return sample_case(settings)


@pytest.fixture
def longest_case(settings: ClinicSettings) -> CaseInfo:
    return long_case(settings)


@pytest.fixture
def today():  # type: ignore[no-untyped-def]
    return SAMPLE_TODAY


def read_pdf(data: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(data))


def pdf_text(data: bytes) -> str:
    """All text of a PDF with spaces removed (extraction spaces words unpredictably)."""
    reader = read_pdf(data)
    text = "".join(page.extract_text() or "" for page in reader.pages)
    return "".join(text.split()).replace("\u00a0", "")


def pdf_lines(data: bytes) -> list[str]:
    """Every printed line of every page, spaces removed."""
    out: list[str] = []
    for page in read_pdf(data).pages:
        for line in (page.extract_text() or "").splitlines():
            line = "".join(line.split()).replace("\u00a0", "")
            if line:
                out.append(line)
    return out
