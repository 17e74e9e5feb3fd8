"""Gesture notes may be encrypted at rest: their length CHECK bounds each form on its own.

A note is at most 280 characters; sealed (`enc:v1:<key id>:<base64>`, see
`luna_graphql.crypto.sealed_max_chars`) it is at most 1572, so a value with the `enc:` prefix
is held to that bound instead. Downgrading restores the plain bound, which fails while any
sealed note is stored: decrypt them (or clear them) first.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "connection_gestures"
NAME = "ck_connection_gestures_message_length"
SEALED = (
    "message IS NULL OR char_length(message) <= "
    "CASE WHEN left(message, 4) = 'enc:' THEN 1572 ELSE 280 END"
)
PLAIN = "message IS NULL OR char_length(message) <= 280"


def upgrade() -> None:
    op.drop_constraint(op.f(NAME), TABLE, type_="check")
    op.create_check_constraint(op.f(NAME), TABLE, SEALED)


def downgrade() -> None:
    op.drop_constraint(op.f(NAME), TABLE, type_="check")
    op.create_check_constraint(op.f(NAME), TABLE, PLAIN)
