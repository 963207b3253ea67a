"""Alembic environment for the whopushed store. Store.migrate() passes its open connection
in `config.attributes["connection"]`; run from the alembic command line, the URL comes from
`sqlalchemy.url` (see whopushed.store.migrate.alembic_config)."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context

from whopushed.store.migrate import include_object
from whopushed.store.tables import metadata

config = context.config


def _run(connection: sa.Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        include_object=include_object,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=metadata,
                      literal_binds=True, include_object=include_object)
    with context.begin_transaction():
        context.run_migrations()
elif (given := config.attributes.get("connection")) is not None:
    _run(given)
else:
    engine = sa.create_engine(config.get_main_option("sqlalchemy.url"), poolclass=sa.pool.NullPool)
    with engine.begin() as conn:
        _run(conn)
    engine.dispose()
