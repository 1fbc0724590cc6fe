"""Made-up cases for previews (settings screen), tests and benchmarks. No real person."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from desktop_app.domain.documents import DocumentKind
from desktop_app.domain.fees import consultation_fee
from desktop_app.domain.forms import REFERRAL_NAME
from desktop_app.domain.people import Attendance, ConsultationCategory, Relationship, Sex
from desktop_app.domain.settings import DEFAULT_SETTINGS, ClinicSettings
from desktop_app.printing.model import (
    AppointmentInfo,
    BorrowedItem,
    CallerInfo,
    CaseInfo,
    DayListEntry,
    FaxCoverInfo,
    PatientInfo,
    PaymentInfo,
    ReferrerInfo,
)

SAMPLE_TODAY = date(2026, 11, 10)

MAILOUT = (
    DocumentKind.GUIDE,
    DocumentKind.APPLICATION_FORM,
    DocumentKind.REFERRAL_FORM,
)
INCOMING = (
    DocumentKind.REFERRAL_LETTER,
    DocumentKind.BLOOD_TEST,
    DocumentKind.IMAGING_CD,
    DocumentKind.PATHOLOGY,
)


def sample_case(settings: ClinicSettings = DEFAULT_SETTINGS) -> CaseInfo:
    """An ordinary complete case: the patient comes with family, booked and paid."""
    return CaseInfo(
        case_number="SO-2026-0042",
        patient=PatientInfo(
            name="山田　花子",
            furigana="ヤマダ　ハナコ",
            birth_date=date(1958, 4, 12),
            sex=Sex.FEMALE,
            postal_code="0530811",
            address="苫小牧市光洋町3丁目2-15",
            phone="0144721234",
            mobile="09012345678",
        ),
        caller=CallerInfo(name="山田　太郎", relationship=Relationship.CHILD, phone="09087654321"),
        referrer=ReferrerInfo(
            institution="北海道みなと総合病院",
            department="消化器内科",
            doctor="佐藤　一郎",
            postal_code="0600001",
            address="札幌市中央区北1条西2丁目1",
            tel="0112223333",
            fax="0112223334",
        ),
        attendance=Attendance.PATIENT_AND_FAMILY,
        consultation="胃がんと診断され、手術を勧められている。内視鏡治療や化学療法など他の治療法がないか相談したい。",
        category=ConsultationCategory.SURGICAL_OR_MEDICAL,
        desired_department="外科",
        appointment=AppointmentInfo(
            start=datetime(2026, 11, 24, 14, 0), minutes=30, department="外科", doctor="高橋　誠"
        ),
        materials_due=date(2026, 11, 20),
        mailout=MAILOUT,
        required_incoming=INCOMING,
        needs_consent=False,
        payment=PaymentInfo(
            receipt_number="R2026-00108",
            paid_on=date(2026, 11, 24),
            fee=consultation_fee(45, settings),
        ),
        diagnosis="胃がん（早期）",
        application_received_on=date(2026, 11, 5),
        desired_dates="平日の午後（火曜・木曜が都合よい）",
        primary_doctor_informed=True,
        assigned_department="外科",
        assigned_doctor="高橋　誠",
        actual_minutes=45,
        report_written_on=date(2026, 11, 26),
        borrowed=(
            BorrowedItem("画像CD-R", 2, date(2026, 11, 24)),
            BorrowedItem("病理検査の報告書", 1, None),
        ),
    )


def long_case(settings: ClinicSettings = DEFAULT_SETTINGS) -> CaseInfo:
    """The longest plausible values: a form must stay readable and inside its boxes."""
    return CaseInfo(
        case_number="SO-2026-12345",
        patient=PatientInfo(
            name="長谷川ウィリアムズ　エリザベス真理子花",  # 20 characters
            furigana="ハセガワウィリアムズ　エリザベスマリコハナ",
            birth_date=date(1926, 12, 25),
            sex=Sex.FEMALE,
            postal_code="0591234",
            address=(
                "北海道勇払郡安平町早来大町一丁目二百三十四番地五十六　"
                "グランドメゾン早来駅前東館一二三四号室"
            ),  # 60 characters
            phone="0145221234",
            mobile="09012345678",
        ),
        caller=CallerInfo(
            name="長谷川ウィリアムズ　ジョナサン太郎", relationship=Relationship.OTHER_RELATIVE
        ),
        referrer=ReferrerInfo(
            institution="医療法人社団北海道東胆振地域包括医療研究会附属総合病院",  # 30 characters
            department="消化器・肝臓・膵臓内科（腫瘍内科）",
            doctor="五十嵐ヴァンデンベルグ　健太郎",
            postal_code="0591234",
            address="北海道勇払郡安平町早来大町一丁目二百三十四番地五十六　医療モール三階",
            tel="0145221234",
            fax="0145221235",
        ),
        attendance=Attendance.FAMILY_ONLY,
        consultation=(
            "膵臓がんステージⅢと診断され、術前化学療法の後に膵頭十二指腸切除術を勧められています。"
            * 9
        )[:400],
        category=ConsultationCategory.OTHER,
        desired_department="消化器外科・肝胆膵外科（腫瘍外科）",
        appointment=AppointmentInfo(
            start=datetime(2027, 1, 4, 9, 30),
            minutes=60,
            department="消化器外科・肝胆膵外科（腫瘍外科）",
            doctor="五十嵐ヴァンデンベルグ　健太郎",
        ),
        materials_due=date(2026, 12, 28),
        mailout=(*MAILOUT, DocumentKind.CONSENT_FORM),
        required_incoming=(
            *INCOMING,
            DocumentKind.CONSENT,
            DocumentKind.ULTRASOUND,
            DocumentKind.IMAGING_FILM,
            DocumentKind.OTHER_MATERIAL,
        ),
        needs_consent=True,
        send_to_name="長谷川ウィリアムズ　ジョナサン太郎",
        send_to_postal="0600042",
        send_to_address="札幌市中央区大通西二十三丁目四番地五　ザ・パークハウス円山大通公園北向きタワー棟二十八階二八〇三号",
        payment=PaymentInfo(
            receipt_number="R2027-000001",
            paid_on=date(2027, 1, 4),
            fee=consultation_fee(60, settings),
            payer_name="長谷川ウィリアムズ　ジョナサン太郎",
        ),
        diagnosis="膵頭部癌（浸潤性膵管癌）ステージⅢ、閉塞性黄疸（胆管ステント留置後）",
        # One line at 9 pt: beside the longest consultation, a longer wish is cut (logged).
        desired_dates="できるだけ早く。月・水・金の午前は不可、火・木の午後なら家族が送迎可",
        primary_doctor_informed=True,
        assigned_department="消化器外科・肝胆膵外科（腫瘍外科）",
        assigned_doctor="五十嵐ヴァンデンベルグ　健太郎",
        actual_minutes=60,
        report_written_on=date(2027, 1, 6),
        report_delivered_on=date(2027, 1, 8),
        borrowed=(
            BorrowedItem("レントゲン・MRI・CTの実物フィルム（造影CT 2025年12月撮影分）", 12, None),
            BorrowedItem("画像CD-R（PET-CT、MRCP、超音波内視鏡）", 3, date(2027, 1, 4)),
            BorrowedItem("病理標本（超音波内視鏡下穿刺吸引生検）", 2, None),
        ),
    )


def sample_day_entries(day: date = date(2026, 11, 24), count: int = 6) -> tuple[DayListEntry, ...]:
    """A day's bookings: ordinary and long names, checked in or not."""
    rows = []
    names: list[tuple[str, str, str, str, str, str, tuple[Attendance, CallerInfo], str]] = [
        (
            "山田　花子",
            "ヤマダ　ハナコ",
            "外科",
            "高橋　誠",
            "当日受付",
            "",
            (Attendance.PATIENT_AND_FAMILY, CallerInfo("山田　太郎", Relationship.CHILD)),
            "不要",
        ),
        (
            "長谷川ウィリアムズ　エリザベス真理子花",
            "ハセガワウィリアムズ　エリザベスマリコハナ",
            "消化器外科・肝胆膵外科（腫瘍外科）",
            "五十嵐ヴァンデンベルグ　健太郎",
            "資料受領",
            "家族のみ来院（相談同意書あり）。CD-R 2枚、病理標本は返却要。延長の可能性あり",
            (
                Attendance.FAMILY_ONLY,
                CallerInfo("長谷川ウィリアムズ　ジョナサン太郎", Relationship.OTHER_RELATIVE),
            ),
            "要・受領済",
        ),
        (
            "佐々木　一",
            "ササキ　ハジメ",
            "呼吸器内科",
            "田中　由美",
            "予約確定",
            "資料未着",
            (Attendance.FAMILY_ONLY, CallerInfo("佐々木　恵子", Relationship.PARENT)),
            "続柄確認書類\n要・未着",
        ),
    ]
    for i in range(count):
        n = names[i % len(names)]
        start = datetime(day.year, day.month, day.day, 9, 0) + timedelta(minutes=60 * i)
        rows.append(
            DayListEntry(
                start=start,
                case_number=f"SO-2026-{40 + i:04d}",
                name=n[0],
                furigana=n[1],
                department=n[2],
                doctor=n[3],
                minutes=60 if i % 3 == 1 else 30,
                status=n[4],
                note=n[5],
                attendance=n[6][0],
                caller=n[6][1],
                consent=n[7],
            )
        )
    return tuple(rows)


def sample_fax(case: CaseInfo) -> FaxCoverInfo:
    """A FAX cover to the referring clinic about ``case``."""
    ref = case.referrer
    return FaxCoverInfo(
        to_name=ref.institution,
        to_department=ref.department,
        to_person=ref.doctor,
        to_fax=ref.fax,
        to_tel=ref.tel,
        pages=3,
        subject="セカンドオピニオン外来 予約日時のご連絡",
        message=(
            f"いつも大変お世話になっております。貴院よりご紹介いただきました{case.patient.name}様の"
            "セカンドオピニオン外来の予約が確定いたしましたので、予約確認書をお送りいたします。"
            f"{REFERRAL_NAME}と検査資料のご準備をよろしくお願い申し上げます。"
        ),
        sender_person="鈴木",
    )
