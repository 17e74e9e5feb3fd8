"""Presence: one row per live socket (with its process and heartbeat) and per-user state.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "presence_connections",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("user_id", sa.UUID(), nullable=False),
        sa.Column("node_id", sa.Text(), nullable=False),
        sa.Column(
            "connected_at",
            sa.TIMESTAMP(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "heartbeat_at",
            sa.TIMESTAMP(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_presence_connections_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_presence_connections")),
    )
    op.create_index("ix_presence_connections_user_id", "presence_connections", ["user_id"])
    op.create_index("ix_presence_connections_node_id", "presence_connections", ["node_id"])
    op.create_index(
        "ix_presence_connections_heartbeat_at", "presence_connections", ["heartbeat_at"]
    )
    op.create_table(
        "user_presence",
        sa.Column("user_id", sa.UUID(), nullable=False),
        sa.Column("status", sa.Text(), server_default="offline", nullable=False),
        sa.Column("away", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("last_seen_at", sa.TIMESTAMP(timezone=True), nullable=True),
        sa.Column(
            "updated_at",
            sa.TIMESTAMP(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "status IN ('online', 'away', 'offline')", name=op.f("ck_user_presence_status")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_user_presence_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_user_presence")),
    )


def downgrade() -> None:
    op.drop_table("user_presence")
    op.drop_index("ix_presence_connections_heartbeat_at", table_name="presence_connections")
    op.drop_index("ix_presence_connections_node_id", table_name="presence_connections")
    op.drop_index("ix_presence_connections_user_id", table_name="presence_connections")
    op.drop_table("presence_connections")
