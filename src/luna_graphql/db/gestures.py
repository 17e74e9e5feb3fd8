"""Connection gestures: hugs, kisses, thinking-of-you notes."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from luna_graphql.crypto import sealed_max_chars
from luna_graphql.db.base import (
    PARTNER_ROLES,
    Base,
    created_at_column,
    json_object,
    one_of,
    uuid_pk,
)
from luna_graphql.db.encrypted import EncryptedText
from luna_graphql.db.vocab import (
    GESTURE_NOTE_MAX,
    GESTURE_TYPES,
)


class ConnectionGesture(Base):
    __tablename__ = "connection_gestures"
    __table_args__ = (
        CheckConstraint(one_of("gesture_type", GESTURE_TYPES), name="gesture_type"),
        CheckConstraint(one_of("sent_by", PARTNER_ROLES), name="sent_by"),
        CheckConstraint(one_of("acknowledged_by", PARTNER_ROLES), name="acknowledged_by"),
        # A sealed note is longer than its text (see 0007): each form keeps its own bound.
        CheckConstraint(
            f"message IS NULL OR char_length(message) <= CASE WHEN left(message, 4) = 'enc:' "
            f"THEN {sealed_max_chars(GESTURE_NOTE_MAX)} ELSE {GESTURE_NOTE_MAX} END",
            name="message_length",
        ),
        CheckConstraint(
            "acknowledged_by IS NULL OR acknowledged_by <> sent_by", name="ack_by_recipient"
        ),
        UniqueConstraint(
            "relationship_id",
            "sent_by",
            "client_gesture_id",
            name="uq_connection_gestures_client_gesture_id",
        ),
        Index("ix_connection_gestures_relationship_id", "relationship_id"),
        Index("ix_connection_gestures_sent_by", "sent_by"),
        Index("ix_connection_gestures_gesture_type", "gesture_type"),
        Index("ix_connection_gestures_sent_at", text("sent_at DESC")),
        Index(
            "ix_connection_gestures_unacknowledged",
            "relationship_id",
            "sent_by",
            "sent_at",
            postgresql_where=text("acknowledged_at IS NULL"),
        ),
        Index(
            "ix_connection_gestures_analytics",
            "relationship_id",
            "gesture_type",
            text("sent_at DESC"),
        ),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    relationship_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("relationships.id", ondelete="CASCADE"), nullable=False
    )
    gesture_type: Mapped[str] = mapped_column(Text, nullable=False)
    sent_by: Mapped[str] = mapped_column(Text, nullable=False)
    # The note a partner wrote (or accepted from Luna): encrypted at rest like message text.
    message: Mapped[str | None] = mapped_column(EncryptedText)
    client_gesture_id: Mapped[str | None] = mapped_column(String(128))
    ai_generated: Mapped[bool] = mapped_column(server_default=text("false"), nullable=False)
    ai_context_used: Mapped[dict[str, Any]] = json_object()
    sent_at: Mapped[datetime] = created_at_column()
    delivered_at: Mapped[datetime | None]
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by: Mapped[str | None] = mapped_column(Text)
    response_gesture_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("connection_gestures.id")
    )
    metadata_: Mapped[dict[str, Any]] = json_object("metadata")
    created_at: Mapped[datetime] = created_at_column()
