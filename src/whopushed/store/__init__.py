"""Storage: SQLAlchemy tables and queries, SQLite by default and PostgreSQL for teams,
schema managed by the Alembic migrations shipped in migrations/."""

from .search import SearchHit
from .store import ImportReport, Revision, Store, StoreError

__all__ = ["ImportReport", "Revision", "SearchHit", "Store", "StoreError"]
