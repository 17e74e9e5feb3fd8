"""Previews of encrypted messages: copied whole, never cut.

With `LUNA_ENCRYPTION_KEYS` set, `partner_messages.content` holds `enc:v1:…` ciphertext. The
insert trigger cut every content to 100 characters for `last_message_preview`, which turns
ciphertext into garbage; a plain preview would leak what encryption hides. One function now
decides for the trigger and for soft delete's recomputation: a value with the `enc:` prefix
is copied whole (the API opens it and cuts it to the same 100 characters), plain content is
cut as before. Downgrading restores the old cut, which would garble previews of encrypted
messages written from then on.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# `left(x, 4) = 'enc:'` rather than LIKE: no pattern characters to escape, and it matches
# the Python side's `startswith("enc:")` exactly.
PREVIEW_FUNCTION = """
CREATE FUNCTION luna_message_preview(content text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT CASE WHEN left(content, 4) = 'enc:' THEN content ELSE left(content, 100) END
$$
"""

ASSIGN_SEQ_TEMPLATE = """
CREATE OR REPLACE FUNCTION luna_assign_message_seq() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE partner_conversations
       SET last_seq = last_seq + 1,
           message_count = message_count + 1,
           last_message_at = NEW.sent_at,
           last_message_preview = {preview},
           updated_at = now()
     WHERE id = NEW.conversation_id
    RETURNING last_seq INTO NEW.seq;
    IF NEW.seq IS NULL THEN
        RAISE EXCEPTION 'conversation % does not exist', NEW.conversation_id
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NEW;
END;
$$
"""


def upgrade() -> None:
    op.execute(PREVIEW_FUNCTION)
    op.execute(ASSIGN_SEQ_TEMPLATE.format(preview="luna_message_preview(NEW.content)"))


def downgrade() -> None:
    op.execute(ASSIGN_SEQ_TEMPLATE.format(preview="left(NEW.content, 100)"))
    op.execute("DROP FUNCTION IF EXISTS luna_message_preview(text)")
