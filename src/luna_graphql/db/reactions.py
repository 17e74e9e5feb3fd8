"""Emoji reactions on messages: one row per (message, user, emoji)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from luna_graphql.db.base import Base, created_at_column, uuid_pk

EMOJI_MAX_CHARS = 32


class MessageReaction(Base):
    __tablename__ = "message_reactions"
    __table_args__ = (
        CheckConstraint("char_length(btrim(emoji)) > 0", name="emoji_not_empty"),
        # Adding a reaction twice is a no-op: the insert meets this key and does nothing.
        UniqueConstraint(
            "message_id", "user_id", "emoji", name="uq_message_reactions_message_id_user_id_emoji"
        ),
        Index("ix_message_reactions_message_id", "message_id"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    message_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("partner_messages.id", ondelete="CASCADE"), nullable=False
    )
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), nullable=False
    )
    emoji: Mapped[str] = mapped_column(String(EMOJI_MAX_CHARS), nullable=False)
    created_at: Mapped[datetime] = created_at_column()
