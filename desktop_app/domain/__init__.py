"""Pure rules of the second-opinion clinic: no Qt, no SQLAlchemy."""
