"""Tables of the partner-messaging design. Rules (counters, seq) live in the migration."""

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

MESSAGE_STATUSES = ("sent", "delivered", "read")
SENTIMENT_LABELS = ("positive", "neutral", "negative", "mixed")
RISK_LEVELS = ("low", "medium", "high", "critical")
INTERVENTION_TYPES = ("suggestion", "warning", "reframe")
SUGGESTION_MODES = ("always", "on_request", "high_risk_only", "off")
SENSITIVITIES = ("low", "medium", "high")
RISK_ASSESSMENTS = ("safe", "risky", "high_risk")
USER_ACTIONS = ("accepted", "rejected", "modified", "ignored")
GESTURE_TYPES = ("hug", "kiss", "thinking_of_you")
RELATIONSHIP_STATUSES = ("active", "ended")
ANALYSIS_STATUSES = ("pending", "done", "skipped", "dead")
GESTURE_NOTE_MAX = 280


class User(Base):
    __tablename__ = "users"

    id: Mapped[uuid.UUID] = uuid_pk()
    display_name: Mapped[str] = mapped_column(Text, nullable=False)
    email: Mapped[str | None] = mapped_column(Text, unique=True)
    created_at: Mapped[datetime] = created_at_column()


class Relationship(Base):
    __tablename__ = "relationships"
    __table_args__ = (
        CheckConstraint("partner_a_id <> partner_b_id", name="distinct_partners"),
        CheckConstraint(one_of("status", RELATIONSHIP_STATUSES), name="status"),
        # A user is in at most one active relationship; the cross-column half of this
        # rule (A in one, B in another) is a trigger in the migration.
        Index(
            "uq_relationships_active_partner_a",
            "partner_a_id",
            unique=True,
            postgresql_where=text("status = 'active'"),
        ),
        Index(
            "uq_relationships_active_partner_b",
            "partner_b_id",
            unique=True,
            postgresql_where=text("status = 'active'"),
        ),
    )

    id: Mapped[uuid.UUID] = uuid_pk()
    partner_a_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), nullable=False
    )
    partner_b_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), nullable=False
    )
    status: Mapped[str] = mapped_column(Text, server_default="active", nullable=False)
    created_at: Mapped[datetime] = created_at_column()


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
    last_message_preview: Mapped[str | None] = mapped_column(Text)
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
    content: Mapped[str] = mapped_column(Text, nullable=False)
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
    original_content: Mapped[str | None] = mapped_column(Text)

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
    original_message: Mapped[str] = mapped_column(Text, nullable=False)
    risk_assessment: Mapped[str] = mapped_column(Text, nullable=False)
    detected_issues: Mapped[list[Any]] = json_array()
    primary_suggestion: Mapped[str] = mapped_column(Text, nullable=False)
    suggestion_rationale: Mapped[str] = mapped_column(Text, nullable=False)
    alternatives: Mapped[list[Any]] = json_array()
    underlying_need: Mapped[str | None] = mapped_column(Text)
    user_action: Mapped[str | None] = mapped_column(Text)
    final_message_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("partner_messages.id", ondelete="SET NULL")
    )
    selected_alternative_index: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = created_at_column()
    responded_at: Mapped[datetime | None]
    context_message_count: Mapped[int | None] = mapped_column(Integer)
    metadata_: Mapped[dict[str, Any]] = json_object("metadata")


class ConnectionGesture(Base):
    __tablename__ = "connection_gestures"
    __table_args__ = (
        CheckConstraint(one_of("gesture_type", GESTURE_TYPES), name="gesture_type"),
        CheckConstraint(one_of("sent_by", PARTNER_ROLES), name="sent_by"),
        CheckConstraint(one_of("acknowledged_by", PARTNER_ROLES), name="acknowledged_by"),
        CheckConstraint(
            f"message IS NULL OR char_length(message) <= {GESTURE_NOTE_MAX}", name="message_length"
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
    message: Mapped[str | None] = mapped_column(Text)
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


PRESENCE_STATUSES = ("online", "away", "offline")


class PresenceConnection(Base):
    """One live socket of a user on one server process (`node_id`), kept fresh by heartbeats.

    A user is online while any row of theirs has a recent heartbeat; rows of a process that
    died without saying goodbye go stale and are reaped by the other processes.
    """

    __tablename__ = "presence_connections"
    __table_args__ = (
        Index("ix_presence_connections_user_id", "user_id"),
        Index("ix_presence_connections_node_id", "node_id"),
        Index("ix_presence_connections_heartbeat_at", "heartbeat_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), nullable=False
    )
    node_id: Mapped[str] = mapped_column(Text, nullable=False)
    connected_at: Mapped[datetime] = created_at_column()
    heartbeat_at: Mapped[datetime] = created_at_column()


class UserPresence(Base):
    """A user's aggregate presence as last announced, and their manual `away` choice.

    The row doubles as the per-user lock that serialises connects, disconnects and reaping,
    so exactly one process announces each change.
    """

    __tablename__ = "user_presence"
    __table_args__ = (CheckConstraint(one_of("status", PRESENCE_STATUSES), name="status"),)

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    status: Mapped[str] = mapped_column(Text, server_default="offline", nullable=False)
    away: Mapped[bool] = mapped_column(server_default=text("false"), nullable=False)
    last_seen_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = created_at_column()
