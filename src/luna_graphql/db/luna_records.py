"""Luna's private suggestions and the escalations analysis records."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from luna_graphql.db.base import (
    PARTNER_ROLES,
    Base,
    created_at_column,
    json_array,
    json_object,
    one_of,
    uuid_pk,
)
from luna_graphql.db.encrypted import EncryptedJSON, EncryptedText
from luna_graphql.db.vocab import (
    RISK_ASSESSMENTS,
    RISK_LEVELS,
    USER_ACTIONS,
)


class MessageSuggestion(Base):
    __tablename__ = "message_suggestions"
    __table_args__ = (
        CheckConstraint(one_of("sender_id", PARTNER_ROLES), name="sender_id"),
        CheckConstraint(one_of("risk_assessment", RISK_ASSESSMENTS), name="risk_assessment"),
        CheckConstraint(one_of("user_action", USER_ACTIONS), name="user_action"),
        CheckConstraint(
            "selected_alternative_index IS NULL OR selected_alternative_index >= 0",
            name="selected_alternative_index",
        ),
        Index("ix_message_suggestions_conversation_id", "conversation_id"),
        Index("ix_message_suggestions_sender_id", "sender_id"),
        Index(
            "ix_message_suggestions_user_action",
            "user_action",
            postgresql_where=text("user_action IS NOT NULL"),
        ),
        Index("ix_message_suggestions_created_at", text("created_at DESC")),
        Index("ix_message_suggestions_risk_assessment", "risk_assessment"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    conversation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("partner_conversations.id", ondelete="CASCADE"), nullable=False
    )
    sender_id: Mapped[str] = mapped_column(Text, nullable=False)
    # The draft and Luna's words about it are encrypted at rest like message text.
    original_message: Mapped[str] = mapped_column(EncryptedText, nullable=False)
    risk_assessment: Mapped[str] = mapped_column(Text, nullable=False)
    detected_issues: Mapped[list[Any]] = json_array()
    primary_suggestion: Mapped[str] = mapped_column(EncryptedText, nullable=False)
    suggestion_rationale: Mapped[str] = mapped_column(EncryptedText, nullable=False)
    # Rewrites of the draft: encrypted whole, as one sealed JSON string, when keys are set.
    alternatives: Mapped[list[Any]] = mapped_column(
        EncryptedJSON, server_default=text("'[]'::jsonb"), nullable=False
    )
    underlying_need: Mapped[str | None] = mapped_column(EncryptedText)
    user_action: Mapped[str | None] = mapped_column(Text)
    final_message_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("partner_messages.id", ondelete="SET NULL")
    )
    selected_alternative_index: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = created_at_column()
    responded_at: Mapped[datetime | None]
    context_message_count: Mapped[int | None] = mapped_column(Integer)
    metadata_: Mapped[dict[str, Any]] = json_object("metadata")


class EscalationEvent(Base):
    __tablename__ = "escalation_events"
    __table_args__ = (
        CheckConstraint(one_of("severity", RISK_LEVELS), name="severity"),
        Index(
            "ix_escalation_events_relationship_created", "relationship_id", text("created_at DESC")
        ),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    relationship_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("relationships.id", ondelete="CASCADE"), nullable=False
    )
    source: Mapped[str] = mapped_column(Text, nullable=False)
    severity: Mapped[str] = mapped_column(Text, nullable=False)
    context: Mapped[str | None] = mapped_column(Text)
    message_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("partner_messages.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = created_at_column()


class LunaReviewTally(Base):
    """How many reviews a partner asked for, per day: counts only, never the drafts.

    SAFE reviews store no suggestion row (nothing to answer, and a fine draft need not be
    kept), so the dashboard's "reviews requested" needs a count of its own.
    """

    __tablename__ = "luna_review_tallies"
    __table_args__ = (
        CheckConstraint(one_of("sender_id", PARTNER_ROLES), name="sender_id"),
        CheckConstraint("reviews > 0", name="reviews_positive"),
    )

    conversation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("partner_conversations.id", ondelete="CASCADE"), primary_key=True
    )
    sender_id: Mapped[str] = mapped_column(Text, primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    reviews: Mapped[int] = mapped_column(Integer, nullable=False)
