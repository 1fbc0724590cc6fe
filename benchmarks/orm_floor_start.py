"""A second floor for the start-up figure, for reference: floor_start.py plus SO Desk's ORM
models and the case list's first query (50 rows), with no other part of the program.

benchmarks/run.py times it beside the other two; the gap between it and floor_start.py is
what the ORM itself costs a start (declaring the tables, configuring the mappers, compiling
and running a first query). Prints "shown" once the window has been painted, then quits.
"""

from __future__ import annotations

import sys

import sqlalchemy.orm
from floor_start import show_window  # beside this file: a script's folder is on sys.path
from PySide6.QtWidgets import QApplication
from sqlalchemy import create_engine, select

from desktop_app.db.models import Patient, SOCase


def main(db: str) -> int:
    app = QApplication([])
    engine = create_engine(f"sqlite:///{db}")
    with sqlalchemy.orm.Session(engine) as session:
        session.execute(
            select(SOCase.id, SOCase.case_number, Patient.name, Patient.furigana, SOCase.stage)
            .join(Patient, Patient.id == SOCase.patient_id)
            .order_by(SOCase.id.desc())
            .limit(50)
        ).all()
    return show_window(app)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1]))
