"""Initial schema: the partner-messaging design plus users, relationships and seq.

Functions and triggers are written out by hand (autogenerate cannot see them); each
`op.execute` carries one statement because asyncpg refuses multi-statement strings.

Revision ID: 0001
Revises:
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Seq, counters and preview in one BEFORE trigger: the conversation row lock serialises
# writers of one conversation only, so seq is gap-free and ordered like the commits, and
# a failed insert (e.g. a duplicate client_message_id) rolls the bump back with it.
ASSIGN_SEQ_FUNCTION = """
CREATE FUNCTION luna_assign_message_seq() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE partner_conversations
       SET last_seq = last_seq + 1,
           message_count = message_count + 1,
           last_message_at = NEW.sent_at,
           last_message_preview = left(NEW.content, 100),
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

TOUCH_UPDATED_AT_FUNCTION = """
CREATE FUNCTION luna_touch_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at = now();
    RETURN NEW;
END;
$$
"""

# The partial unique indexes stop a user being partner_a (or partner_b) twice; this trigger
# covers the cross-column case. Advisory locks on both users close the race between two
# concurrent inserts that each check before the other commits.
SINGLE_ACTIVE_RELATIONSHIP_FUNCTION = """
CREATE FUNCTION luna_enforce_single_active_relationship() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status <> 'active' THEN
        RETURN NEW;
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext(least(NEW.partner_a_id, NEW.partner_b_id)::text));
    PERFORM pg_advisory_xact_lock(hashtext(greatest(NEW.partner_a_id, NEW.partner_b_id)::text));
    IF EXISTS (
        SELECT 1 FROM relationships r
         WHERE r.status = 'active' AND r.id <> NEW.id
           AND (r.partner_a_id IN (NEW.partner_a_id, NEW.partner_b_id)
                OR r.partner_b_id IN (NEW.partner_a_id, NEW.partner_b_id))
    ) THEN
        RAISE EXCEPTION 'a partner is already in an active relationship'
            USING ERRCODE = 'unique_violation',
                  CONSTRAINT = 'uq_relationships_one_active_per_user';
    END IF;
    RETURN NEW;
END;
$$
"""

TRIGGER_SQL = (
    ASSIGN_SEQ_FUNCTION,
    "CREATE TRIGGER trg_partner_messages_assign_seq BEFORE INSERT ON partner_messages "
    "FOR EACH ROW EXECUTE FUNCTION luna_assign_message_seq()",
    TOUCH_UPDATED_AT_FUNCTION,
    "CREATE TRIGGER trg_messaging_prefs_updated_at BEFORE UPDATE ON partner_messaging_preferences "
    "FOR EACH ROW EXECUTE FUNCTION luna_touch_updated_at()",
    SINGLE_ACTIVE_RELATIONSHIP_FUNCTION,
    "CREATE TRIGGER trg_relationships_single_active BEFORE INSERT OR UPDATE ON relationships "
    "FOR EACH ROW EXECUTE FUNCTION luna_enforce_single_active_relationship()",
)

DROP_TRIGGER_SQL = (
    "DROP TRIGGER IF EXISTS trg_relationships_single_active ON relationships",
    "DROP FUNCTION IF EXISTS luna_enforce_single_active_relationship()",
    "DROP TRIGGER IF EXISTS trg_messaging_prefs_updated_at ON partner_messaging_preferences",
    "DROP FUNCTION IF EXISTS luna_touch_updated_at()",
    "DROP TRIGGER IF EXISTS trg_partner_messages_assign_seq ON partner_messages",
    "DROP FUNCTION IF EXISTS luna_assign_message_seq()",
)


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("display_name", sa.Text(), nullable=False),
        sa.Column("email", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            sa.TIMESTAMP(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
    )
    op.create_table(
        "relationships",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("partner_a_id", sa.UUID(), nullable=False),
        sa.Column("partner_b_id", sa.UUID(), nullable=False),
        sa.Column("status", sa.Text(), server_default="active", nullable=False),
        sa.Column(
            "created_at",
            sa.TIMESTAMP(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("status IN ('active', 'ended')", name=op.f("ck_relationships_status")),
        sa.CheckConstraint(
            "partner_a_id <> partner_b_id", name=op.f("ck_relationships_distinct_partners")
        ),
        sa.ForeignKeyConstraint(
            ["partner_a_id"],
            ["users.id"],
            name=op.f("fk_relationships_partner_a_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["partner_b_id"],
            ["users.id"],
            name=op.f("fk_relationships_partner_b_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_relationships")),
    )
    op.create_index(
        "uq_relationships_active_partner_a",
        "relationships",
        ["partner_a_id"],
        unique=True,
        postgresql_where=sa.text("status = 'active'"),
    )
    op.create_index(
        "uq_relationships_active_partner_b",
        "relationships",
        ["partner_b_id"],
        unique=True,
        postgresql_where=sa.text("status = 'active'"),
    )
    op.create_table(
        "connection_gestures",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("relationship_id", sa.UUID(), nullable=False),
        sa.Column("gesture_type", sa.Text(), nullable=False),
        sa.Column("sent_by", sa.Text(), nullable=False),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("client_gesture_id", sa.String(length=128), nullable=True),
        sa.Column("ai_generated", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column(
            "ai_context_used",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column(
            "sent_at", sa.TIMESTAMP(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("delivered_at", sa.TIMESTAMP(timezone=True), nullable=True),
        sa.Column("acknowledged_at", sa.TIMESTAMP(timezone=True), nullable=True),
        sa.Column("acknowledged_by", sa.Text(), nullable=True),
        sa.Column("response_gesture_id", sa.UUID(), nullable=True),
        sa.Column(
            "metadata",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column(
            "created_at",
            sa.TIMESTAMP(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "acknowledged_by IN ('partner_a', 'partner_b')",
            name=op.f("ck_connection_gestures_acknowledged_by"),
        ),
        sa.CheckConstraint(
            "gesture_type IN ('hug', 'kiss', 'thinking_of_you')",
            name=op.f("ck_connection_gestures_gesture_type"),
        ),
        sa.CheckConstraint(
            "sent_by IN ('partner_a', 'partner_b')", name=op.f("ck_connection_gestures_sent_by")
        ),
        sa.CheckConstraint(
            "acknowledged_by IS NULL OR acknowledged_by <> sent_by",
            name=op.f("ck_connection_gestures_ack_by_recipient"),
        ),
        sa.CheckConstraint(
            "message IS NULL OR char_length(message) <= 280",
            name=op.f("ck_connection_gestures_message_length"),
        ),
        sa.ForeignKeyConstraint(
            ["relationship_id"],
            ["relationships.id"],
            name=op.f("fk_connection_gestures_relationship_id_relationships"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["response_gesture_id"],
            ["connection_gestures.id"],
            name=op.f("fk_connection_gestures_response_gesture_id_connection_gestures"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_connection_gestures")),
        sa.UniqueConstraint(
            "relationship_id",
            "sent_by",
            "client_gesture_id",
            name="uq_connection_gestures_client_gesture_id",
        ),
    )
    op.create_index(
        "ix_connection_gestures_analytics",
        "connection_gestures",
        ["relationship_id", "gesture_type", sa.literal_column("sent_at DESC")],
        unique=False,
    )
    op.create_index(
        "ix_connection_gestures_gesture_type", "connection_gestures", ["gesture_type"], unique=False
    )
    op.create_index(
        "ix_connection_gestures_relationship_id",
        "connection_gestures",
        ["relationship_id"],
        unique=False,
    )
    op.create_index(
        "ix_connection_gestures_sent_at",
        "connection_gestures",
        [sa.literal_column("sent_at DESC")],
        unique=False,
    )
    op.create_index(
        "ix_connection_gestures_sent_by", "connection_gestures", ["sent_by"], unique=False
    )
    op.create_index(
        "ix_connection_gestures_unacknowledged",
        "connection_gestures",
        ["relationship_id", "sent_by", "sent_at"],
        unique=False,
        postgresql_where=sa.text("acknowledged_at IS NULL"),
    )
    op.create_table(
        "partner_conversations",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("relationship_id", sa.UUID(), nullable=False),
        sa.Column(
            "created_at",
            sa.TIMESTAMP(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.TIMESTAMP(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("last_message_at", sa.TIMESTAMP(timezone=True), nullable=True),
        sa.Column("last_message_preview", sa.Text(), nullable=True),
        sa.Column("message_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_seq", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("is_active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column(
            "metadata",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["relationship_id"],
            ["relationships.id"],
            name=op.f("fk_partner_conversations_relationship_id_relationships"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner_conversations")),
        sa.UniqueConstraint("relationship_id", name="uq_partner_conversations_relationship"),
    )
    op.create_index(
        "ix_partner_conversations_active",
        "partner_conversations",
        ["is_active"],
        unique=False,
        postgresql_where=sa.text("is_active = true"),
    )
    op.create_index(
        "ix_partner_conversations_last_message_at",
        "partner_conversations",
        [sa.literal_column("last_message_at DESC")],
        unique=False,
    )
    op.create_table(
        "partner_messaging_preferences",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("relationship_id", sa.UUID(), nullable=False),
        sa.Column("partner_id", sa.Text(), nullable=False),
        sa.Column(
            "luna_assistance_enabled", sa.Boolean(), server_default=sa.text("true"), nullable=False
        ),
        sa.Column("suggestion_mode", sa.Text(), server_default="on_request", nullable=False),
        sa.Column(
            "intervention_enabled", sa.Boolean(), server_default=sa.text("true"), nullable=False
        ),
        sa.Column("intervention_sensitivity", sa.Text(), server_default="medium", nullable=False),
        sa.Column(
            "push_notifications_enabled",
            sa.Boolean(),
            server_default=sa.text("true"),
            nullable=False,
        ),
        sa.Column(
            "notification_sound", sa.Boolean(), server_default=sa.text("true"), nullable=False
        ),
        sa.Column(
            "show_sentiment_indicators",
            sa.Boolean(),
            server_default=sa.text("false"),
            nullable=False,
        ),
        sa.Column(
            "show_read_receipts", sa.Boolean(), server_default=sa.text("true"), nullable=False
        ),
        sa.Column(
            "show_typing_indicators", sa.Boolean(), server_default=sa.text("true"), nullable=False
        ),
        sa.Column("analysis_enabled", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column(
            "created_at",
            sa.TIMESTAMP(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.TIMESTAMP(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "intervention_sensitivity IN ('low', 'medium', 'high')",
            name=op.f("ck_partner_messaging_preferences_intervention_sensitivity"),
        ),
        sa.CheckConstraint(
            "partner_id IN ('partner_a', 'partner_b')",
            name=op.f("ck_partner_messaging_preferences_partner_id"),
        ),
        sa.CheckConstraint(
            "suggestion_mode IN ('always', 'on_request', 'high_risk_only', 'off')",
            name=op.f("ck_partner_messaging_preferences_suggestion_mode"),
        ),
        sa.ForeignKeyConstraint(
            ["relationship_id"],
            ["relationships.id"],
            name=op.f("fk_partner_messaging_preferences_relationship_id_relationships"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner_messaging_preferences")),
        sa.UniqueConstraint("relationship_id", "partner_id", name="uq_messaging_prefs_partner"),
    )
    op.create_index(
        "ix_partner_messaging_preferences_relationship_id",
        "partner_messaging_preferences",
        ["relationship_id"],
        unique=False,
    )
    op.create_table(
        "partner_messages",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("conversation_id", sa.UUID(), nullable=False),
        sa.Column("seq", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("sender_id", sa.Text(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("client_message_id", sa.String(length=128), nullable=True),
        sa.Column("status", sa.Text(), server_default="sent", nullable=False),
        sa.Column(
            "sent_at", sa.TIMESTAMP(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("delivered_at", sa.TIMESTAMP(timezone=True), nullable=True),
        sa.Column("read_at", sa.TIMESTAMP(timezone=True), nullable=True),
        sa.Column("sentiment_score", sa.Float(), nullable=True),
        sa.Column("sentiment_label", sa.Text(), nullable=True),
        sa.Column(
            "emotions",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
        sa.Column(
            "detected_triggers",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
        sa.Column("escalation_risk", sa.Text(), nullable=True),
        sa.Column(
            "gottman_markers",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column("luna_intervened", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("intervention_type", sa.Text(), nullable=True),
        sa.Column("intervention_accepted", sa.Boolean(), nullable=True),
        sa.Column("original_content", sa.Text(), nullable=True),
        sa.Column("reply_to_id", sa.UUID(), nullable=True),
        sa.Column(
            "metadata",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column(
            "created_at",
            sa.TIMESTAMP(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("deleted_at", sa.TIMESTAMP(timezone=True), nullable=True),
        sa.Column("analysis_status", sa.Text(), nullable=True),
        sa.Column("analysis_attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("analysis_available_at", sa.TIMESTAMP(timezone=True), nullable=True),
        sa.Column("analysis_error", sa.Text(), nullable=True),
        sa.Column("analyzed_at", sa.TIMESTAMP(timezone=True), nullable=True),
        sa.CheckConstraint(
            "(status = 'sent') OR (status = 'delivered' AND delivered_at IS NOT NULL) OR (status = 'read' AND delivered_at IS NOT NULL AND read_at IS NOT NULL)",
            name=op.f("ck_partner_messages_status_timestamps"),
        ),
        sa.CheckConstraint(
            "analysis_status IN ('pending', 'done', 'skipped', 'dead')",
            name=op.f("ck_partner_messages_analysis_status"),
        ),
        sa.CheckConstraint(
            "escalation_risk IN ('low', 'medium', 'high', 'critical')",
            name=op.f("ck_partner_messages_escalation_risk"),
        ),
        sa.CheckConstraint(
            "intervention_type IN ('suggestion', 'warning', 'reframe')",
            name=op.f("ck_partner_messages_intervention_type"),
        ),
        sa.CheckConstraint(
            "sender_id IN ('partner_a', 'partner_b')", name=op.f("ck_partner_messages_sender_id")
        ),
        sa.CheckConstraint(
            "sentiment_label IN ('positive', 'neutral', 'negative', 'mixed')",
            name=op.f("ck_partner_messages_sentiment_label"),
        ),
        sa.CheckConstraint(
            "status IN ('sent', 'delivered', 'read')", name=op.f("ck_partner_messages_status")
        ),
        sa.CheckConstraint(
            "sentiment_score >= -1.0 AND sentiment_score <= 1.0",
            name=op.f("ck_partner_messages_sentiment_score"),
        ),
        sa.CheckConstraint("seq > 0", name=op.f("ck_partner_messages_seq_positive")),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["partner_conversations.id"],
            name=op.f("fk_partner_messages_conversation_id_partner_conversations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reply_to_id"],
            ["partner_messages.id"],
            name=op.f("fk_partner_messages_reply_to_id_partner_messages"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner_messages")),
        sa.UniqueConstraint(
            "conversation_id",
            "sender_id",
            "client_message_id",
            name="uq_partner_messages_client_message_id",
        ),
        sa.UniqueConstraint("conversation_id", "seq", name="uq_partner_messages_conversation_seq"),
    )
    op.create_index(
        "ix_partner_messages_analysis_queue",
        "partner_messages",
        ["analysis_available_at"],
        unique=False,
        postgresql_where=sa.text("analysis_status = 'pending'"),
    )
    op.create_index(
        "ix_partner_messages_conversation_sent_at",
        "partner_messages",
        ["conversation_id", sa.literal_column("sent_at DESC")],
        unique=False,
    )
    op.create_index(
        "ix_partner_messages_escalation_risk",
        "partner_messages",
        ["escalation_risk"],
        unique=False,
        postgresql_where=sa.text("escalation_risk IS NOT NULL"),
    )
    op.create_index(
        "ix_partner_messages_luna_intervened",
        "partner_messages",
        ["luna_intervened"],
        unique=False,
        postgresql_where=sa.text("luna_intervened = true"),
    )
    op.create_index(
        "ix_partner_messages_not_deleted",
        "partner_messages",
        ["conversation_id", "seq"],
        unique=False,
        postgresql_where=sa.text("deleted_at IS NULL"),
    )
    op.create_index(
        "ix_partner_messages_sender_id", "partner_messages", ["sender_id"], unique=False
    )
    op.create_index(
        "ix_partner_messages_sent_at",
        "partner_messages",
        [sa.literal_column("sent_at DESC")],
        unique=False,
    )
    op.create_index(
        "ix_partner_messages_sentiment_label",
        "partner_messages",
        ["sentiment_label"],
        unique=False,
        postgresql_where=sa.text("sentiment_label IS NOT NULL"),
    )
    op.create_index("ix_partner_messages_status", "partner_messages", ["status"], unique=False)
    op.create_index(
        "ix_partner_messages_unread",
        "partner_messages",
        ["conversation_id", "sender_id"],
        unique=False,
        postgresql_where=sa.text("status <> 'read' AND deleted_at IS NULL"),
    )
    op.create_table(
        "escalation_events",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("relationship_id", sa.UUID(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("severity", sa.Text(), nullable=False),
        sa.Column("context", sa.Text(), nullable=True),
        sa.Column("message_id", sa.UUID(), nullable=True),
        sa.Column(
            "created_at",
            sa.TIMESTAMP(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "severity IN ('low', 'medium', 'high', 'critical')",
            name=op.f("ck_escalation_events_severity"),
        ),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["partner_messages.id"],
            name=op.f("fk_escalation_events_message_id_partner_messages"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["relationship_id"],
            ["relationships.id"],
            name=op.f("fk_escalation_events_relationship_id_relationships"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_escalation_events")),
    )
    op.create_index(
        "ix_escalation_events_relationship_created",
        "escalation_events",
        ["relationship_id", sa.literal_column("created_at DESC")],
        unique=False,
    )
    op.create_table(
        "message_suggestions",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("conversation_id", sa.UUID(), nullable=False),
        sa.Column("sender_id", sa.Text(), nullable=False),
        sa.Column("original_message", sa.Text(), nullable=False),
        sa.Column("risk_assessment", sa.Text(), nullable=False),
        sa.Column(
            "detected_issues",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
        sa.Column("primary_suggestion", sa.Text(), nullable=False),
        sa.Column("suggestion_rationale", sa.Text(), nullable=False),
        sa.Column(
            "alternatives",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
        sa.Column("underlying_need", sa.Text(), nullable=True),
        sa.Column("user_action", sa.Text(), nullable=True),
        sa.Column("final_message_id", sa.UUID(), nullable=True),
        sa.Column("selected_alternative_index", sa.Integer(), nullable=True),
        sa.Column(
            "created_at",
            sa.TIMESTAMP(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("responded_at", sa.TIMESTAMP(timezone=True), nullable=True),
        sa.Column("context_message_count", sa.Integer(), nullable=True),
        sa.Column(
            "metadata",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "risk_assessment IN ('safe', 'risky', 'high_risk')",
            name=op.f("ck_message_suggestions_risk_assessment"),
        ),
        sa.CheckConstraint(
            "sender_id IN ('partner_a', 'partner_b')", name=op.f("ck_message_suggestions_sender_id")
        ),
        sa.CheckConstraint(
            "user_action IN ('accepted', 'rejected', 'modified', 'ignored')",
            name=op.f("ck_message_suggestions_user_action"),
        ),
        sa.CheckConstraint(
            "selected_alternative_index IS NULL OR selected_alternative_index >= 0",
            name=op.f("ck_message_suggestions_selected_alternative_index"),
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["partner_conversations.id"],
            name=op.f("fk_message_suggestions_conversation_id_partner_conversations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["final_message_id"],
            ["partner_messages.id"],
            name=op.f("fk_message_suggestions_final_message_id_partner_messages"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message_suggestions")),
    )
    op.create_index(
        "ix_message_suggestions_conversation_id",
        "message_suggestions",
        ["conversation_id"],
        unique=False,
    )
    op.create_index(
        "ix_message_suggestions_created_at",
        "message_suggestions",
        [sa.literal_column("created_at DESC")],
        unique=False,
    )
    op.create_index(
        "ix_message_suggestions_risk_assessment",
        "message_suggestions",
        ["risk_assessment"],
        unique=False,
    )
    op.create_index(
        "ix_message_suggestions_sender_id", "message_suggestions", ["sender_id"], unique=False
    )
    op.create_index(
        "ix_message_suggestions_user_action",
        "message_suggestions",
        ["user_action"],
        unique=False,
        postgresql_where=sa.text("user_action IS NOT NULL"),
    )

    for statement in TRIGGER_SQL:
        op.execute(statement)


def downgrade() -> None:
    for statement in DROP_TRIGGER_SQL:
        op.execute(statement)
    op.drop_index(
        "ix_message_suggestions_user_action",
        table_name="message_suggestions",
        postgresql_where=sa.text("user_action IS NOT NULL"),
    )
    op.drop_index("ix_message_suggestions_sender_id", table_name="message_suggestions")
    op.drop_index("ix_message_suggestions_risk_assessment", table_name="message_suggestions")
    op.drop_index("ix_message_suggestions_created_at", table_name="message_suggestions")
    op.drop_index("ix_message_suggestions_conversation_id", table_name="message_suggestions")
    op.drop_table("message_suggestions")
    op.drop_index("ix_escalation_events_relationship_created", table_name="escalation_events")
    op.drop_table("escalation_events")
    op.drop_index(
        "ix_partner_messages_unread",
        table_name="partner_messages",
        postgresql_where=sa.text("status <> 'read' AND deleted_at IS NULL"),
    )
    op.drop_index("ix_partner_messages_status", table_name="partner_messages")
    op.drop_index(
        "ix_partner_messages_sentiment_label",
        table_name="partner_messages",
        postgresql_where=sa.text("sentiment_label IS NOT NULL"),
    )
    op.drop_index("ix_partner_messages_sent_at", table_name="partner_messages")
    op.drop_index("ix_partner_messages_sender_id", table_name="partner_messages")
    op.drop_index(
        "ix_partner_messages_not_deleted",
        table_name="partner_messages",
        postgresql_where=sa.text("deleted_at IS NULL"),
    )
    op.drop_index(
        "ix_partner_messages_luna_intervened",
        table_name="partner_messages",
        postgresql_where=sa.text("luna_intervened = true"),
    )
    op.drop_index(
        "ix_partner_messages_escalation_risk",
        table_name="partner_messages",
        postgresql_where=sa.text("escalation_risk IS NOT NULL"),
    )
    op.drop_index("ix_partner_messages_conversation_sent_at", table_name="partner_messages")
    op.drop_index(
        "ix_partner_messages_analysis_queue",
        table_name="partner_messages",
        postgresql_where=sa.text("analysis_status = 'pending'"),
    )
    op.drop_table("partner_messages")
    op.drop_index(
        "ix_partner_messaging_preferences_relationship_id",
        table_name="partner_messaging_preferences",
    )
    op.drop_table("partner_messaging_preferences")
    op.drop_index("ix_partner_conversations_last_message_at", table_name="partner_conversations")
    op.drop_index(
        "ix_partner_conversations_active",
        table_name="partner_conversations",
        postgresql_where=sa.text("is_active = true"),
    )
    op.drop_table("partner_conversations")
    op.drop_index(
        "ix_connection_gestures_unacknowledged",
        table_name="connection_gestures",
        postgresql_where=sa.text("acknowledged_at IS NULL"),
    )
    op.drop_index("ix_connection_gestures_sent_by", table_name="connection_gestures")
    op.drop_index("ix_connection_gestures_sent_at", table_name="connection_gestures")
    op.drop_index("ix_connection_gestures_relationship_id", table_name="connection_gestures")
    op.drop_index("ix_connection_gestures_gesture_type", table_name="connection_gestures")
    op.drop_index("ix_connection_gestures_analytics", table_name="connection_gestures")
    op.drop_table("connection_gestures")
    op.drop_index(
        "uq_relationships_active_partner_b",
        table_name="relationships",
        postgresql_where=sa.text("status = 'active'"),
    )
    op.drop_index(
        "uq_relationships_active_partner_a",
        table_name="relationships",
        postgresql_where=sa.text("status = 'active'"),
    )
    op.drop_table("relationships")
    op.drop_table("users")
