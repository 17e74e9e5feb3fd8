"""The couple's conversation, its messages and each partner's preferences.

Rules (seq, counters, preview) live in the migration's triggers."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
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
from luna_graphql.db.encrypted import EncryptedPreview, EncryptedText
from luna_graphql.db.vocab import (
    ANALYSIS_STATUSES,
    INTERVENTION_TYPES,
    MESSAGE_STATUSES,
    RISK_LEVELS,
    SENSITIVITIES,
    SENTIMENT_LABELS,
    SUGGESTION_MODES,
)


class PartnerConversation(Base):
    __tablename__ = "partner_conversations"
    __table_args__ = (
        UniqueConstraint("relationship_id", name="uq_partner_conversations_relationship"),
        Index("ix_partner_conversations_last_message_at", text("last_message_at DESC")),
        Index(
            "ix_partner_conversations_active",
            "is_active",
            postgresql_where=text("is_active = true"),
        ),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    relationship_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("relationships.id", ondelete="CASCADE"), nullable=False
    )
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = created_at_column()
    last_message_at: Mapped[datetime | None]
    # The latest message's first characters, or the whole message while it is encrypted.
    last_message_preview: Mapped[str | None] = mapped_column(EncryptedPreview)
    message_count: Mapped[int] = mapped_column(Integer, server_default="0", nullable=False)
    # Highest seq handed out; bumped under the row lock by the insert trigger.
    last_seq: Mapped[int] = mapped_column(BigInteger, server_default="0", nullable=False)
    is_active: Mapped[bool] = mapped_column(server_default=text("true"), nullable=False)
    # `metadata` is reserved on declarative classes, hence the trailing underscore.
    metadata_: Mapped[dict[str, Any]] = json_object("metadata")


class PartnerMessage(Base):
    __tablename__ = "partner_messages"
    __table_args__ = (
        CheckConstraint(one_of("sender_id", PARTNER_ROLES), name="sender_id"),
        CheckConstraint(one_of("status", MESSAGE_STATUSES), name="status"),
        CheckConstraint(
            "sentiment_score >= -1.0 AND sentiment_score <= 1.0", name="sentiment_score"
        ),
        CheckConstraint(one_of("sentiment_label", SENTIMENT_LABELS), name="sentiment_label"),
        CheckConstraint(one_of("escalation_risk", RISK_LEVELS), name="escalation_risk"),
        CheckConstraint(one_of("intervention_type", INTERVENTION_TYPES), name="intervention_type"),
        CheckConstraint(one_of("analysis_status", ANALYSIS_STATUSES), name="analysis_status"),
        # Receipts only move forward: a read message was delivered, a delivered one has a time.
        CheckConstraint(
            "(status = 'sent') OR (status = 'delivered' AND delivered_at IS NOT NULL)"
            " OR (status = 'read' AND delivered_at IS NOT NULL AND read_at IS NOT NULL)",
            name="status_timestamps",
        ),
        CheckConstraint("seq > 0", name="seq_positive"),
        UniqueConstraint("conversation_id", "seq", name="uq_partner_messages_conversation_seq"),
        UniqueConstraint(
            "conversation_id",
            "sender_id",
            "client_message_id",
            name="uq_partner_messages_client_message_id",
        ),
        Index("ix_partner_messages_conversation_sent_at", "conversation_id", text("sent_at DESC")),
        Index("ix_partner_messages_sender_id", "sender_id"),
        Index("ix_partner_messages_status", "status"),
        Index("ix_partner_messages_sent_at", text("sent_at DESC")),
        Index(
            "ix_partner_messages_not_deleted",
            "conversation_id",
            "seq",
            postgresql_where=text("deleted_at IS NULL"),
        ),
        Index(
            "ix_partner_messages_unread",
            "conversation_id",
            "sender_id",
            postgresql_where=text("status <> 'read' AND deleted_at IS NULL"),
        ),
        Index(
            "ix_partner_messages_sentiment_label",
            "sentiment_label",
            postgresql_where=text("sentiment_label IS NOT NULL"),
        ),
        Index(
            "ix_partner_messages_escalation_risk",
            "escalation_risk",
            postgresql_where=text("escalation_risk IS NOT NULL"),
        ),
        Index(
            "ix_partner_messages_luna_intervened",
            "luna_intervened",
            postgresql_where=text("luna_intervened = true"),
        ),
        Index(
            "ix_partner_messages_analysis_queue",
            "analysis_available_at",
            postgresql_where=text("analysis_status = 'pending'"),
        ),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    conversation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("partner_conversations.id", ondelete="CASCADE"), nullable=False
    )
    # Assigned by the BEFORE INSERT trigger; the server default only satisfies NOT NULL.
    seq: Mapped[int] = mapped_column(BigInteger, nullable=False, server_default="0")
    sender_id: Mapped[str] = mapped_column(Text, nullable=False)
    # Encrypted at rest when LUNA_ENCRYPTION_KEYS is set: SQL sees ciphertext.
    content: Mapped[str] = mapped_column(EncryptedText, nullable=False)
    client_message_id: Mapped[str | None] = mapped_column(String(128))

    status: Mapped[str] = mapped_column(Text, server_default="sent", nullable=False)
    sent_at: Mapped[datetime] = created_at_column()
    delivered_at: Mapped[datetime | None]
    read_at: Mapped[datetime | None]

    sentiment_score: Mapped[float | None] = mapped_column(Float)
    sentiment_label: Mapped[str | None] = mapped_column(Text)
    emotions: Mapped[list[Any]] = json_array()
    detected_triggers: Mapped[list[Any]] = json_array()
    escalation_risk: Mapped[str | None] = mapped_column(Text)
    gottman_markers: Mapped[dict[str, Any]] = json_object()

    luna_intervened: Mapped[bool] = mapped_column(server_default=text("false"), nullable=False)
    intervention_type: Mapped[str | None] = mapped_column(Text)
    intervention_accepted: Mapped[bool | None]
    original_content: Mapped[str | None] = mapped_column(EncryptedText)

    reply_to_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("partner_messages.id"))
    metadata_: Mapped[dict[str, Any]] = json_object("metadata")
    created_at: Mapped[datetime] = created_at_column()
    deleted_at: Mapped[datetime | None]

    # Background analysis job state lives on the row so it exists exactly when the message does.
    analysis_status: Mapped[str | None] = mapped_column(Text)
    analysis_attempts: Mapped[int] = mapped_column(Integer, server_default="0", nullable=False)
    analysis_available_at: Mapped[datetime | None]
    analysis_error: Mapped[str | None] = mapped_column(Text)
    analyzed_at: Mapped[datetime | None]


class PartnerMessagingPreferences(Base):
    __tablename__ = "partner_messaging_preferences"
    __table_args__ = (
        CheckConstraint(one_of("partner_id", PARTNER_ROLES), name="partner_id"),
        CheckConstraint(one_of("suggestion_mode", SUGGESTION_MODES), name="suggestion_mode"),
        CheckConstraint(
            one_of("intervention_sensitivity", SENSITIVITIES), name="intervention_sensitivity"
        ),
        UniqueConstraint("relationship_id", "partner_id", name="uq_messaging_prefs_partner"),
        Index("ix_partner_messaging_preferences_relationship_id", "relationship_id"),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    relationship_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("relationships.id", ondelete="CASCADE"), nullable=False
    )
    partner_id: Mapped[str] = mapped_column(Text, nullable=False)
    luna_assistance_enabled: Mapped[bool] = mapped_column(
        server_default=text("true"), nullable=False
    )
    suggestion_mode: Mapped[str] = mapped_column(Text, server_default="on_request", nullable=False)
    intervention_enabled: Mapped[bool] = mapped_column(server_default=text("true"), nullable=False)
    intervention_sensitivity: Mapped[str] = mapped_column(
        Text, server_default="medium", nullable=False
    )
    push_notifications_enabled: Mapped[bool] = mapped_column(
        server_default=text("true"), nullable=False
    )
    notification_sound: Mapped[bool] = mapped_column(server_default=text("true"), nullable=False)
    show_sentiment_indicators: Mapped[bool] = mapped_column(
        server_default=text("false"), nullable=False
    )
    show_read_receipts: Mapped[bool] = mapped_column(server_default=text("true"), nullable=False)
    show_typing_indicators: Mapped[bool] = mapped_column(
        server_default=text("true"), nullable=False
    )
    # Consent to background analysis (the design assumes it is given at onboarding).
    analysis_enabled: Mapped[bool] = mapped_column(server_default=text("true"), nullable=False)
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = created_at_column()
