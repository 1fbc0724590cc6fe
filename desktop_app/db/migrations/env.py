"""Alembic environment: runs on the engine the program hands over (no alembic.ini needed)."""

from __future__ import annotations

from alembic import context

from desktop_app.db.models import Base

config = context.config
engine = config.attributes.get("engine")
if engine is None:  # pragma: no cover - only when someone runs the alembic CLI by hand
    from desktop_app.db.engine import make_engine

    engine = make_engine(config.get_main_option("sqlalchemy.url") or "sodesk.db")

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,  # SQLite alters tables by copying them
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
