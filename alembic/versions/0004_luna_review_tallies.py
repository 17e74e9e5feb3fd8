"""Per-day counts of the Luna reviews each partner asked for (SAFE ones store no row).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "luna_review_tallies",
        sa.Column("conversation_id", sa.UUID(), nullable=False),
        sa.Column("sender_id", sa.Text(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("reviews", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "sender_id IN ('partner_a', 'partner_b')", name=op.f("ck_luna_review_tallies_sender_id")
        ),
        sa.CheckConstraint("reviews > 0", name=op.f("ck_luna_review_tallies_reviews_positive")),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["partner_conversations.id"],
            name=op.f("fk_luna_review_tallies_conversation_id_partner_conversations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "conversation_id", "sender_id", "day", name=op.f("pk_luna_review_tallies")
        ),
    )


def downgrade() -> None:
    op.drop_table("luna_review_tallies")
