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

# Sanctions lists (migration 0003_sanctions; code in whopushed/sanctions/). A target is keyed by
# its source and the source's own id; one missing from a later import of its source is marked
# delisted, never deleted. Each import is logged with the file's SHA-256 and its summary.
sanctions_sources = sa.Table(
    "sanctions_sources", metadata,
    sa.Column("id", Key(64), primary_key=True),  # us-ofac-sdn, opensanctions, ...
    sa.Column("format", Key(32), nullable=False),
    sa.Column("jurisdiction", Key(8)),  # None where each programme says whose it is
    sa.Column("title", sa.Text, nullable=False),
)

sanctions_imports = sa.Table(
    "sanctions_imports", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("source", Key(64), sa.ForeignKey("sanctions_sources.id"), nullable=False),
    sa.Column("file", sa.Text, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("at", UTCDateTime, nullable=False),
    sa.Column("summary", sa.JSON, nullable=False),
    sa.Index("ix_sanctions_imports_source", "source"),
)

sanctions_targets = sa.Table(
    "sanctions_targets", metadata,
    sa.Column("source", Key(64), sa.ForeignKey("sanctions_sources.id"), primary_key=True),
    sa.Column("source_id", Key(), primary_key=True),
    sa.Column("type", Key(16), nullable=False),  # person, company, vessel, aircraft, other
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("countries", sa.JSON, nullable=False),  # ISO 3166 codes
    sa.Column("sector", sa.Text),
    sa.Column("listed", sa.Date),  # where the source gives a listing date
    sa.Column("digest", sa.String(64), nullable=False),  # of the fields above: unchanged rows are not rewritten
    sa.Column("delisted_at", UTCDateTime),
)

sanctions_target_programmes = sa.Table(
    "sanctions_target_programmes", metadata,
    sa.Column("source", Key(64), primary_key=True),
    sa.Column("source_id", Key(), primary_key=True),
    sa.Column("programme", Key(200), primary_key=True),  # as the source writes it
    sa.Column("listed", sa.Date),  # when listed under this programme, where the source says
    sa.ForeignKeyConstraint(["source", "source_id"],
                            ["sanctions_targets.source", "sanctions_targets.source_id"], ondelete="CASCADE"),
    sa.Index("ix_sanctions_target_programmes_programme", "programme"),
)
