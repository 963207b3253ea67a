"""Sanctions lists: sources, imports, targets and their programmes (whopushed/sanctions/).

Revision ID: 0003_sanctions
Revises: 0002
Create Date: 2026-05-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_sanctions"
down_revision = "0002"
branch_labels = None
depends_on = None


def _key(length: int = 128) -> sa.types.TypeEngine:
    return sa.String(length).with_variant(sa.String(length, collation="C"), "postgresql")


def _utc() -> sa.types.TypeEngine:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "sanctions_sources",
        sa.Column("id", _key(64), primary_key=True),
        sa.Column("format", _key(32), nullable=False),
        sa.Column("jurisdiction", _key(8)),
        sa.Column("title", sa.Text, nullable=False),
    )
    op.create_table(
        "sanctions_imports",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("source", _key(64), sa.ForeignKey("sanctions_sources.id"), nullable=False),
        sa.Column("file", sa.Text, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("at", _utc(), nullable=False),
        sa.Column("summary", sa.JSON, nullable=False),
    )
    op.create_index("ix_sanctions_imports_source", "sanctions_imports", ["source"])
    op.create_table(
        "sanctions_targets",
        sa.Column("source", _key(64), sa.ForeignKey("sanctions_sources.id"), primary_key=True),
        sa.Column("source_id", _key(), primary_key=True),
        sa.Column("type", _key(16), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("countries", sa.JSON, nullable=False),
        sa.Column("sector", sa.Text),
        sa.Column("listed", sa.Date),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("delisted_at", _utc()),
    )
    op.create_table(
        "sanctions_target_programmes",
        sa.Column("source", _key(64), primary_key=True),
        sa.Column("source_id", _key(), primary_key=True),
        sa.Column("programme", _key(200), primary_key=True),
        sa.Column("listed", sa.Date),
        sa.ForeignKeyConstraint(["source", "source_id"],
                                ["sanctions_targets.source", "sanctions_targets.source_id"], ondelete="CASCADE"),
    )
    op.create_index("ix_sanctions_target_programmes_programme", "sanctions_target_programmes", ["programme"])


def downgrade() -> None:
    op.drop_index("ix_sanctions_target_programmes_programme", table_name="sanctions_target_programmes")
    op.drop_table("sanctions_target_programmes")
    op.drop_table("sanctions_targets")
    op.drop_index("ix_sanctions_imports_source", table_name="sanctions_imports")
    op.drop_table("sanctions_imports")
    op.drop_table("sanctions_sources")
