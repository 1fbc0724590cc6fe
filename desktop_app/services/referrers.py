"""The referrer master (institutions and their doctors), shared by intake and case editing."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop_app.db.models import ReferringDoctor, ReferringInstitution
from desktop_app.domain.contact import validate_phone, validate_postal
from desktop_app.domain.japanese import normalize_name, search_key
from desktop_app.services.dto import NewReferrer


def find_or_add_referrer(session: Session, ref: NewReferrer | None) -> int | None:
    """Find or add the referrer in the reusable master; returns the referring doctor's id.

    None when no institution is given. Runs inside the caller's transaction.
    """
    if ref is None or not ref.institution.strip():
        return None
    name = normalize_name(ref.institution)
    institution = session.scalars(
        select(ReferringInstitution).where(ReferringInstitution.search_key == search_key(name))
    ).first()
    if institution is None:
        institution = ReferringInstitution(
            name=name,
            search_key=search_key(name),
            postal_code=validate_postal(ref.postal_code, "referrer_postal_code"),
            address=ref.address.strip(),
            tel=validate_phone(ref.tel, "referrer_tel"),
            fax=validate_phone(ref.fax, "referrer_fax"),
        )
        session.add(institution)
        session.flush()
    department, doctor_name = normalize_name(ref.department), normalize_name(ref.doctor)
    doctor = session.scalars(
        select(ReferringDoctor).where(
            ReferringDoctor.institution_id == institution.id,
            ReferringDoctor.department == department,
            ReferringDoctor.name == doctor_name,
        )
    ).first()
    if doctor is None:
        doctor = ReferringDoctor(
            institution_id=institution.id, department=department, name=doctor_name
        )
        session.add(doctor)
        session.flush()
    return doctor.id
