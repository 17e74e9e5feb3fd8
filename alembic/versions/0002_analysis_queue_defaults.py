"""Analysis jobs exist exactly when their message commits.

New messages default to `analysis_status = 'pending'`, due now, so the INSERT that stores a
message also queues its background analysis (same row, same transaction). Rows written before
this revision keep a NULL status; `luna-graphql analyze --backfill` queues those.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.alter_column("partner_messages", "analysis_status", server_default=sa.text("'pending'"))
    op.alter_column("partner_messages", "analysis_available_at", server_default=sa.text("now()"))


def downgrade() -> None:
    op.alter_column("partner_messages", "analysis_available_at", server_default=None)
    op.alter_column("partner_messages", "analysis_status", server_default=None)
