"""Database rules of the design, checked against a real PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

import pytest
from sqlalchemy import insert, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from luna_graphql.db.engine import build_sessionmaker
from luna_graphql.db.models import (
    ConnectionGesture,
    EscalationEvent,
    LunaReviewTally,
    MessageSuggestion,
    PartnerConversation,
    PartnerMessage,
    PartnerMessagingPreferences,
    Relationship,
    UserPresence,
)
from tests.factories import make_conversation, make_couple, make_message, make_user


async def _expect_violation(session: AsyncSession, statement: Any, constraint: str) -> None:
    with pytest.raises(IntegrityError) as caught:
        async with session.begin_nested():
            await session.execute(statement)
    assert constraint in str(caught.value.orig)


MESSAGE_CHECKS = [
    ("sender_id", "partner_c", "ck_partner_messages_sender_id"),
    ("status", "seen", "ck_partner_messages_status"),
    ("sentiment_score", 1.5, "ck_partner_messages_sentiment_score"),
    ("sentiment_score", -1.01, "ck_partner_messages_sentiment_score"),
    ("sentiment_label", "angry", "ck_partner_messages_sentiment_label"),
    ("escalation_risk", "extreme", "ck_partner_messages_escalation_risk"),
    ("intervention_type", "nudge", "ck_partner_messages_intervention_type"),
    ("analysis_status", "maybe", "ck_partner_messages_analysis_status"),
]


@pytest.mark.parametrize(("column", "value", "constraint"), MESSAGE_CHECKS)
async def test_message_checks_reject_bad_values(
    session: AsyncSession, column: str, value: Any, constraint: str
) -> None:
    couple = await make_couple(session)
    conversation = await make_conversation(session, couple)
    message = await make_message(session, conversation)
    await session.commit()
    await _expect_violation(
        session,
        update(PartnerMessage).where(PartnerMessage.id == message.id).values({column: value}),
        constraint,
    )
    stored = await session.scalar(
        select(getattr(PartnerMessage, column)).where(PartnerMessage.id == message.id)
    )
    assert stored != value


async def test_read_status_requires_timestamps(session: AsyncSession) -> None:
    couple = await make_couple(session)
    conversation = await make_conversation(session, couple)
    message = await make_message(session, conversation)
    await session.commit()
    await _expect_violation(
        session,
        update(PartnerMessage).where(PartnerMessage.id == message.id).values(status="read"),
        "ck_partner_messages_status_timestamps",
    )


OTHER_CHECKS: list[tuple[type[Any], str, Any, str]] = [
    (
        PartnerMessagingPreferences,
        "partner_id",
        "partner_z",
        "ck_partner_messaging_preferences_partner_id",
    ),
    (
        PartnerMessagingPreferences,
        "suggestion_mode",
        "sometimes",
        "ck_partner_messaging_preferences_suggestion_mode",
    ),
    (
        PartnerMessagingPreferences,
        "intervention_sensitivity",
        "extreme",
        "ck_partner_messaging_preferences_intervention_sensitivity",
    ),
    (MessageSuggestion, "risk_assessment", "dangerous", "ck_message_suggestions_risk_assessment"),
    (MessageSuggestion, "user_action", "shrugged", "ck_message_suggestions_user_action"),
    (MessageSuggestion, "sender_id", "partner_q", "ck_message_suggestions_sender_id"),
    (
        MessageSuggestion,
        "selected_alternative_index",
        -1,
        "ck_message_suggestions_selected_alternative_index",
    ),
    (ConnectionGesture, "gesture_type", "wave", "ck_connection_gestures_gesture_type"),
    (ConnectionGesture, "sent_by", "partner_x", "ck_connection_gestures_sent_by"),
    (ConnectionGesture, "acknowledged_by", "partner_x", "ck_connection_gestures_acknowledged_by"),
    (ConnectionGesture, "acknowledged_by", "partner_a", "ck_connection_gestures_ack_by_recipient"),
    (ConnectionGesture, "message", "x" * 281, "ck_connection_gestures_message_length"),
    (EscalationEvent, "severity", "apocalyptic", "ck_escalation_events_severity"),
    (Relationship, "status", "paused", "ck_relationships_status"),
]


async def _valid_row(session: AsyncSession, model: type[Any]) -> Any:
    couple = await make_couple(session, commit=False)
    conversation = await make_conversation(session, couple)
    rows: dict[type[Any], Any] = {
        PartnerMessagingPreferences: PartnerMessagingPreferences(
            relationship_id=couple.relationship.id, partner_id="partner_a"
        ),
        MessageSuggestion: MessageSuggestion(
            conversation_id=conversation.id,
            sender_id="partner_a",
            original_message="You never listen",
            risk_assessment="risky",
            primary_suggestion="I feel unheard",
            suggestion_rationale="I-statement",
        ),
        ConnectionGesture: ConnectionGesture(
            relationship_id=couple.relationship.id, gesture_type="hug", sent_by="partner_a"
        ),
        EscalationEvent: EscalationEvent(
            relationship_id=couple.relationship.id, source="partner_messaging", severity="high"
        ),
        Relationship: couple.relationship,
    }
    row = rows[model]
    session.add(row)
    await session.commit()
    return row


@pytest.mark.parametrize(("model", "column", "value", "constraint"), OTHER_CHECKS)
async def test_other_checks_reject_bad_values(
    session: AsyncSession, model: type[Any], column: str, value: Any, constraint: str
) -> None:
    row = await _valid_row(session, model)
    await _expect_violation(
        session, update(model).where(model.id == row.id).values({column: value}), constraint
    )


async def test_one_conversation_per_relationship(session: AsyncSession) -> None:
    couple = await make_couple(session)
    await make_conversation(session, couple)
    await session.commit()
    with pytest.raises(IntegrityError, match="uq_partner_conversations_relationship"):
        await make_conversation(session, couple)


async def test_a_user_has_at_most_one_active_relationship(session: AsyncSession) -> None:
    couple = await make_couple(session)
    stranger = await make_user(session)
    await session.commit()
    for a_id, b_id in [(stranger.id, couple.partner_a.id), (couple.partner_b.id, stranger.id)]:
        with pytest.raises(IntegrityError, match="active"):
            async with session.begin_nested():
                session.add(Relationship(partner_a_id=a_id, partner_b_id=b_id))
                await session.flush()
    # Once the first relationship has ended, a new one may start.
    await session.execute(
        update(Relationship).where(Relationship.id == couple.relationship.id).values(status="ended")
    )
    session.add(Relationship(partner_a_id=stranger.id, partner_b_id=couple.partner_a.id))
    await session.commit()


async def test_insert_updates_conversation_counters_and_preview(session: AsyncSession) -> None:
    couple = await make_couple(session)
    conversation = await make_conversation(session, couple)
    first = await make_message(session, conversation, content="Good morning ☀️")
    long_text = "x" * 150
    second = await make_message(session, conversation, content=long_text, sender_id="partner_b")
    await session.commit()
    await session.refresh(conversation)
    assert (first.seq, second.seq) == (1, 2)
    assert conversation.message_count == 2
    assert conversation.last_seq == 2
    assert conversation.last_message_preview == long_text[:100]
    assert conversation.last_message_at == second.sent_at


async def test_preferences_updated_at_moves_on_update(session: AsyncSession) -> None:
    couple = await make_couple(session)
    prefs = PartnerMessagingPreferences(
        relationship_id=couple.relationship.id, partner_id="partner_b"
    )
    session.add(prefs)
    await session.commit()
    await session.refresh(prefs)
    assert prefs.suggestion_mode == "on_request" and prefs.show_read_receipts is True
    assert prefs.show_sentiment_indicators is False and prefs.intervention_sensitivity == "medium"
    before = prefs.updated_at
    await session.execute(
        update(PartnerMessagingPreferences)
        .where(PartnerMessagingPreferences.id == prefs.id)
        .values(suggestion_mode="always")
    )
    await session.commit()
    await session.refresh(prefs)
    assert prefs.updated_at > before
    with pytest.raises(IntegrityError, match="uq_messaging_prefs_partner"):
        session.add(
            PartnerMessagingPreferences(
                relationship_id=couple.relationship.id, partner_id="partner_b"
            )
        )
        await session.flush()


async def test_concurrent_inserts_get_gap_free_seq(
    session: AsyncSession, engine: AsyncEngine
) -> None:
    couple = await make_couple(session)
    conversation = await make_conversation(session, couple)
    await session.commit()
    sessionmaker = build_sessionmaker(engine)

    async def insert(n: int) -> int:
        async with sessionmaker() as s, s.begin():
            message = PartnerMessage(
                conversation_id=conversation.id, sender_id="partner_a", content=f"m{n}"
            )
            s.add(message)
            await s.flush()
            await s.refresh(message, ["seq"])
            return message.seq

    seqs = await asyncio.gather(*(insert(n) for n in range(50)))
    assert sorted(seqs) == list(range(1, 51))
    stored = (
        await session.scalars(
            select(PartnerMessage.seq).where(PartnerMessage.conversation_id == conversation.id)
        )
    ).all()
    assert sorted(stored) == list(range(1, 51))
    count = await session.scalar(
        select(PartnerConversation.message_count).where(PartnerConversation.id == conversation.id)
    )
    assert count == 50


async def test_duplicate_client_message_id_is_rejected_without_a_seq_gap(
    session: AsyncSession,
) -> None:
    couple = await make_couple(session)
    conversation = await make_conversation(session, couple)
    await make_message(session, conversation, client_message_id="c-1")
    await session.commit()
    with pytest.raises(IntegrityError, match="uq_partner_messages_client_message_id"):
        async with session.begin_nested():
            await make_message(session, conversation, client_message_id="c-1")
    # The other partner may use the same client id; the failed insert left no gap.
    other = await make_message(
        session, conversation, client_message_id="c-1", sender_id="partner_b"
    )
    assert other.seq == 2
    assert await session.scalar(text("SELECT count(*) FROM partner_messages")) == 2


async def test_seq_must_be_positive(session: AsyncSession) -> None:
    couple = await make_couple(session)
    conversation = await make_conversation(session, couple)
    message = await make_message(session, conversation)
    await session.commit()
    await _expect_violation(
        session,
        update(PartnerMessage).where(PartnerMessage.id == message.id).values(seq=0),
        "ck_partner_messages_seq_positive",
    )


async def test_a_relationship_needs_two_different_partners(session: AsyncSession) -> None:
    user = await make_user(session)
    await session.commit()
    await _expect_violation(
        session,
        insert(Relationship).values(partner_a_id=user.id, partner_b_id=user.id),
        "ck_relationships_distinct_partners",
    )


async def test_presence_status_is_checked(session: AsyncSession) -> None:
    user = await make_user(session)
    session.add(UserPresence(user_id=user.id))
    await session.commit()
    await _expect_violation(
        session,
        update(UserPresence).where(UserPresence.user_id == user.id).values(status="invisible"),
        "ck_user_presence_status",
    )


@pytest.mark.parametrize(
    ("values", "constraint"),
    [
        ({"sender_id": "partner_q"}, "ck_luna_review_tallies_sender_id"),
        ({"reviews": 0}, "ck_luna_review_tallies_reviews_positive"),
    ],
)
async def test_review_tallies_are_checked(
    session: AsyncSession, values: dict[str, Any], constraint: str
) -> None:
    couple = await make_couple(session)
    conversation = await make_conversation(session, couple)
    await session.commit()
    row = {"conversation_id": conversation.id, "sender_id": "partner_a", "day": date(2026, 1, 1)}
    row["reviews"] = 1
    await _expect_violation(session, insert(LunaReviewTally).values({**row, **values}), constraint)


TESTED_CHECKS = (
    {c for _, _, c in MESSAGE_CHECKS}
    | {c for _, _, _, c in OTHER_CHECKS}
    | {
        "ck_partner_messages_status_timestamps",
        "ck_partner_messages_seq_positive",
        "ck_relationships_distinct_partners",
        "ck_user_presence_status",
        "ck_luna_review_tallies_sender_id",
        "ck_luna_review_tallies_reviews_positive",
        "ck_message_reactions_emoji_not_empty",  # tests/reactions/test_reaction_rules.py
    }
)


async def test_every_check_constraint_has_a_test(session: AsyncSession) -> None:
    """A CHECK added to the schema without a test of its own fails here."""
    names = set(
        (
            await session.scalars(
                text("SELECT conname FROM pg_constraint WHERE contype = 'c' AND conrelid <> 0")
            )
        ).all()
    )
    assert names - TESTED_CHECKS == set()
