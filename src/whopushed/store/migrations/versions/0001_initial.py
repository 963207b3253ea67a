"""The initial store: one table per collection, claim-incident links, case meta,
revisions, and full-text search (FTS5 on SQLite, tsvector + GIN on PostgreSQL).

Revision ID: 0001
Revises:
Create Date: 2025-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _key(length: int = 128) -> sa.types.TypeEngine:
    # code-point ordering on PostgreSQL too, as SQLite's BINARY collation
    return sa.String(length).with_variant(sa.String(length, collation="C"), "postgresql")


def _utc() -> sa.types.TypeEngine:
    return sa.DateTime(timezone=True)


def _record_table(name: str, *columns: sa.Column) -> None:
    op.create_table(
        name,
        sa.Column("id", _key(), primary_key=True),
        sa.Column("ord", sa.Integer, nullable=False),
        *columns,
        sa.Column("data", sa.JSON, nullable=False),
    )


def upgrade() -> None:
    _record_table("actors")
    _record_table("sources")
    _record_table("captures", sa.Column("sha256", sa.String(64)))
    _record_table(
        "incidents",
        sa.Column("kind", _key(32), nullable=False),
        sa.Column("launch_territory", _key(8)),
        sa.Column("earliest", _utc()),
        sa.Column("latest", _utc()),
        sa.Column("excluded", sa.Boolean, nullable=False),
    )
    op.create_index("ix_incidents_kind_launch_territory", "incidents", ["kind", "launch_territory"])
    op.create_index("ix_incidents_earliest", "incidents", ["earliest"])
    _record_table(
        "claims",
        sa.Column("kind", _key(32), nullable=False),
        sa.Column("party", _key(), nullable=False),
    )
    op.create_index("ix_claims_kind", "claims", ["kind"])
    op.create_index("ix_claims_party", "claims", ["party"])
    _record_table(
        "statements",
        sa.Column("speaker", _key(), nullable=False),
        sa.Column("made_earliest", _utc()),
    )
    op.create_index("ix_statements_speaker", "statements", ["speaker"])
    op.create_index("ix_statements_made_earliest", "statements", ["made_earliest"])
    _record_table("sanctions")

    op.create_table(
        "claim_incidents",
        sa.Column("claim_id", _key(), sa.ForeignKey("claims.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("incident_id", _key(), primary_key=True),
    )
    op.create_index("ix_claim_incidents_incident_id", "claim_incidents", ["incident_id"])

    op.create_table(
        "case_meta",
        sa.Column("id", _key(), primary_key=True),
        sa.Column("data", sa.JSON, nullable=False),
    )
    op.create_table(
        "revisions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("record_id", _key(), nullable=False),
        sa.Column("collection", _key(32), nullable=False),
        sa.Column("data", sa.JSON, nullable=False),
        sa.Column("replaced_at", _utc(), nullable=False),
    )
    op.create_index("ix_revisions_record_id", "revisions", ["record_id"])

    op.create_table(
        "search_docs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("collection", _key(32), nullable=False),
        sa.Column("record_id", _key(), nullable=False),
        sa.Column("field", _key(32), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("folded", sa.Text, nullable=False),
    )
    op.create_index("ix_search_docs_record_id", "search_docs", ["record_id"])

    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        # An external-content FTS5 index over search_docs.folded, kept in step by triggers.
        op.execute("CREATE VIRTUAL TABLE search_fts USING fts5("
                   "folded, content='search_docs', content_rowid='id', tokenize='unicode61')")
        op.execute("CREATE TRIGGER search_docs_ai AFTER INSERT ON search_docs BEGIN "
                   "INSERT INTO search_fts(rowid, folded) VALUES (new.id, new.folded); END")
        op.execute("CREATE TRIGGER search_docs_ad AFTER DELETE ON search_docs BEGIN "
                   "INSERT INTO search_fts(search_fts, rowid, folded) "
                   "VALUES ('delete', old.id, old.folded); END")
        op.execute("CREATE TRIGGER search_docs_au AFTER UPDATE ON search_docs BEGIN "
                   "INSERT INTO search_fts(search_fts, rowid, folded) "
                   "VALUES ('delete', old.id, old.folded); "
                   "INSERT INTO search_fts(rowid, folded) VALUES (new.id, new.folded); END")
    elif dialect == "postgresql":
        op.execute("ALTER TABLE search_docs ADD COLUMN tsv tsvector "
                   "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, folded)) STORED")
        op.execute("CREATE INDEX ix_search_docs_tsv ON search_docs USING gin (tsv)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("search_docs_ai", "search_docs_ad", "search_docs_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS search_fts")
    for table in ("search_docs", "revisions", "case_meta", "claim_incidents", "sanctions",
                  "statements", "claims", "incidents", "captures", "sources", "actors"):
        op.drop_table(table)
