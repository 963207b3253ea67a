"""Alembic, driven from code: the migrations ship inside the package, no alembic.ini.

To write a new migration during development:

    from alembic import command
    from whopushed.store.migrate import alembic_config
    command.revision(alembic_config("sqlite:///dev.db"), "what changes", autogenerate=True)

then review the generated file in migrations/versions/ (keep SQLite and PostgreSQL both
working: dialect checks where they differ).
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().with_name("migrations")

# Made by the migrations, not described by the metadata: keep autogenerate from dropping them.
_UNMAPPED_TABLES = ("search_fts",)
_UNMAPPED_COLUMNS = {("search_docs", "tsv")}


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    if type_ == "table" and name.startswith(_UNMAPPED_TABLES):
        return False
    if type_ == "column" and (obj.table.name, name) in _UNMAPPED_COLUMNS:
        return False
    if type_ == "index" and name == "ix_search_docs_tsv":
        return False
    return True


def alembic_config(url: str | None = None, connection: sa.Connection | None = None) -> Config:
    """An Alembic Config for the store's migrations, on a URL or an open connection."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("path_separator", "os")
    if url is not None:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg
