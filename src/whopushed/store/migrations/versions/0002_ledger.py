"""The evidence ledger: the append-only custody log (`ledger_entries`, whose entries are
the leaves of an RFC 6962 Merkle tree) and the signed tree heads (`tree_heads`).

Revision ID: 0002
Revises: 0001
Create Date: 2026-05-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _key(length: int = 128) -> sa.types.TypeEngine:
    return sa.String(length).with_variant(sa.String(length, collation="C"), "postgresql")


def upgrade() -> None:
    op.create_table(
        "ledger_entries",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("at", sa.String(40), nullable=False),
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("action", _key(32), nullable=False),
        sa.Column("collection", _key(32)),
        sa.Column("record_id", _key()),
        sa.Column("why", sa.Text),
        sa.Column("prev", sa.Text),
        sa.Column("new", sa.Text),
        sa.Column("entry", sa.LargeBinary, nullable=False),
        sa.Column("leaf_hash", sa.String(64), nullable=False),
    )
    op.create_index("ix_ledger_entries_record_id", "ledger_entries", ["record_id"])
    op.create_table(
        "tree_heads",
        sa.Column("size", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("root", sa.String(64), nullable=False),
        sa.Column("signed_at", sa.String(40), nullable=False),
        sa.Column("key_id", sa.String(64), nullable=False),
        sa.Column("public_key", sa.Text, nullable=False),
        sa.Column("signature", sa.Text, nullable=False),
        sa.Column("frontier", sa.Text, nullable=False),
        sa.Column("timestamp_status", sa.String(16), nullable=False),
        sa.Column("timestamp_token", sa.LargeBinary),
    )


def downgrade() -> None:
    op.drop_table("tree_heads")
    op.drop_index("ix_ledger_entries_record_id", table_name="ledger_entries")
    op.drop_table("ledger_entries")
