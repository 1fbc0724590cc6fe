"""The SQLAlchemy store: models, engine factory and migrations. Only services import this."""
