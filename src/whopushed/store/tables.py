"""The tables, as SQLAlchemy Core metadata. The Alembic migrations create them; this file
describes them for queries (and for `alembic revision --autogenerate`).

Every collection table has `id` (primary key), `ord` (position in the imported case, so
that export gives records back in their order) and `data` (the record's JSON, from which
it is rebuilt), plus the columns that queries filter on. Search lives in `search_docs`
(one row per searchable field) with an FTS5 table (SQLite) or a tsvector column and GIN
index (PostgreSQL) that only the migration knows about.
"""

from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator

metadata = sa.MetaData()


def Key(length: int = 128) -> sa.types.TypeEngine:
    """An identifier column that sorts by code point on every backend ('C' collation on
    PostgreSQL, as SQLite's BINARY does), so ordering by id is the same everywhere."""
    return sa.String(length).with_variant(sa.String(length, collation="C"), "postgresql")


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC instant. PostgreSQL keeps it as timestamptz; SQLite as naive
    UTC text, which compares correctly because every value is normalised to UTC."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


def _record_table(name: str, *columns: sa.Column, indexes: tuple[tuple[str, ...], ...] = ()) -> sa.Table:
    table = sa.Table(
        name, metadata,
        sa.Column("id", Key(), primary_key=True),
        sa.Column("ord", sa.Integer, nullable=False),
        *columns,
        sa.Column("data", sa.JSON, nullable=False),
    )
    for cols in indexes:
        sa.Index(f"ix_{name}_{'_'.join(cols)}", *(table.c[c] for c in cols))
    return table


actors = _record_table("actors")
sources = _record_table("sources")
captures = _record_table("captures", sa.Column("sha256", sa.String(64)))
incidents = _record_table(
    "incidents",
    sa.Column("kind", Key(32), nullable=False),
    sa.Column("launch_territory", Key(8)),
    sa.Column("earliest", UTCDateTime),
    sa.Column("latest", UTCDateTime),
    sa.Column("excluded", sa.Boolean, nullable=False),
    indexes=(("kind", "launch_territory"), ("earliest",)),
)
claims = _record_table(
    "claims",
    sa.Column("kind", Key(32), nullable=False),
    sa.Column("party", Key(), nullable=False),
    indexes=(("kind",), ("party",)),
)
statements = _record_table(
    "statements",
    sa.Column("speaker", Key(), nullable=False),
    sa.Column("made_earliest", UTCDateTime),
    indexes=(("speaker",), ("made_earliest",)),
)
sanctions = _record_table("sanctions")

# collection name -> table, in the order of model.COLLECTIONS
RECORD_TABLES: dict[str, sa.Table] = {
    "actors": actors, "sources": sources, "captures": captures, "incidents": incidents,
    "claims": claims, "statements": statements, "sanctions": sanctions,
}

claim_incidents = sa.Table(
    "claim_incidents", metadata,
    sa.Column("claim_id", Key(), sa.ForeignKey("claims.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("incident_id", Key(), primary_key=True),
    sa.Index("ix_claim_incidents_incident_id", "incident_id"),
)

case_meta = sa.Table(
    "case_meta", metadata,
    sa.Column("id", Key(), primary_key=True),
    sa.Column("data", sa.JSON, nullable=False),
)

revisions = sa.Table(
    "revisions", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("record_id", Key(), nullable=False),
    sa.Column("collection", Key(32), nullable=False),
    sa.Column("data", sa.JSON, nullable=False),
    sa.Column("replaced_at", UTCDateTime, nullable=False),
    sa.Index("ix_revisions_record_id", "record_id"),
)

search_docs = sa.Table(
    "search_docs", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("collection", Key(32), nullable=False),
    sa.Column("record_id", Key(), nullable=False),
    sa.Column("field", Key(32), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("folded", sa.Text, nullable=False),
    sa.Index("ix_search_docs_record_id", "record_id"),
)

# The evidence ledger (migration 0002; code in whopushed/ledger/). Append-only: rows are
# inserted, never updated or deleted. Text columns rather than JSON or timestamps, so that
# verify can read and name a damaged row instead of failing to decode it.
ledger_entries = sa.Table(
    "ledger_entries", metadata,
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),  # 1, 2, ... = leaf index + 1
    sa.Column("at", sa.String(40), nullable=False),  # UTC, ISO 8601
    sa.Column("actor", sa.Text, nullable=False),
    sa.Column("action", Key(32), nullable=False),
    sa.Column("collection", Key(32)),
    sa.Column("record_id", Key()),
    sa.Column("why", sa.Text),
    sa.Column("prev", sa.Text),  # canonical JSON of the previous value, or NULL
    sa.Column("new", sa.Text),  # canonical JSON of the new value, or NULL
    sa.Column("entry", sa.LargeBinary, nullable=False),  # the canonical bytes the leaf hashes
    sa.Column("leaf_hash", sa.String(64), nullable=False),
    sa.Index("ix_ledger_entries_record_id", "record_id"),
)

tree_heads = sa.Table(
    "tree_heads", metadata,
    sa.Column("size", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("root", sa.String(64), nullable=False),
    sa.Column("signed_at", sa.String(40), nullable=False),
    sa.Column("key_id", sa.String(64), nullable=False),
    sa.Column("public_key", sa.Text, nullable=False),  # base64 of the raw Ed25519 key
    sa.Column("signature", sa.Text, nullable=False),  # base64
    sa.Column("frontier", sa.Text, nullable=False),  # the compact range at `size`, to extend the tree cheaply
    sa.Column("timestamp_status", sa.String(16), nullable=False),  # none, queued, stamped
    sa.Column("timestamp_token", sa.LargeBinary),  # an RFC 3161 token, once stamped
)
