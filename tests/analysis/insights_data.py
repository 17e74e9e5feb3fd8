"""A small couple's week with known analysis values, and a large one for query counting.

Window for `days=7` at NOW: 2026-03-04 00:00 UTC .. 2026-03-11 00:00 UTC.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from luna_graphql.db.models import (
    EscalationEvent,
    LunaReviewTally,
    MessageSuggestion,
    PartnerMessage,
    PartnerMessagingPreferences,
)

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
A, B = "partner_a", "partner_b"
NONE = {"criticism": False, "contempt": False, "defensiveness": False, "stonewalling": False}


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


def marks(*names: str) -> dict[str, bool]:
    return {**NONE, **dict.fromkeys(names, True)}


# (name, sender, sent_at, status, score, label, emotions, triggers, gottman, risk, deleted)
MESSAGES: list[tuple[Any, ...]] = [
    (
        "m0",
        A,
        at(1, 9),
        "done",
        -1.0,
        "negative",
        ["angry"],
        ["you never"],
        marks("contempt"),
        "critical",
        False,
    ),  # before the window
    ("m1", A, at(8, 9), "done", 0.5, "positive", ["joy", "love"], [], NONE, "low", False),
    ("m2", B, at(8, 9, 10), "done", 0.25, "positive", ["joy"], [], NONE, "low", False),
    (
        "m3",
        A,
        at(8, 9, 40),
        "done",
        -0.5,
        "negative",
        ["frustrated"],
        ["you never"],
        marks("criticism"),
        "high",
        False,
    ),
    (
        "m4",
        B,
        at(8, 10),
        "done",
        -0.75,
        "negative",
        ["frustrated", "contempt"],
        ["you always", "whatever"],
        marks("contempt", "stonewalling"),
        "critical",
        False,
    ),
    ("m5", B, at(9, 8), "done", 0.0, "neutral", [], [], NONE, "low", False),
    ("m6", A, at(9, 8, 30), "pending", None, None, [], [], {}, None, False),
    ("m7", A, at(9, 8, 45), "skipped", None, None, [], [], {}, None, False),
    ("m8", B, at(9, 9, 45), "done", 1.0, "positive", ["love"], [], NONE, "low", False),
    (
        "mx",
        B,
        at(10, 10),
        "done",
        -1.0,
        "negative",
        ["angry"],
        ["whatever"],
        marks("contempt"),
        "critical",
        True,
    ),  # deleted
    (
        "m9",
        A,
        at(10, 11),
        "done",
        0.25,
        "positive",
        ["joy"],
        [],
        marks("defensiveness"),
        "medium",
        False,
    ),
    ("m10", B, at(10, 11, 30), "done", 0.5, "positive", [], [], NONE, "low", False),
]


async def seed_week(
    session: AsyncSession, conversation_id: uuid.UUID, relationship_id: uuid.UUID
) -> dict[str, uuid.UUID]:
    """Insert the week in time order (seq follows it); returns message ids by name."""
    ids: dict[str, uuid.UUID] = {}
    for (
        name,
        sender,
        sent_at,
        status,
        score,
        label,
        emotions,
        triggers,
        gottman,
        risk,
        deleted,
    ) in MESSAGES:
        message = PartnerMessage(
            conversation_id=conversation_id,
            sender_id=sender,
            content=f"message {name}",
            sent_at=sent_at,
            analysis_status=status,
            sentiment_score=score,
            sentiment_label=label,
            emotions=emotions,
            detected_triggers=triggers,
            gottman_markers=gottman,
            escalation_risk=risk,
            deleted_at=sent_at if deleted else None,
        )
        session.add(message)
        await session.flush()
        ids[name] = message.id
    session.add_all(
        [
            EscalationEvent(
                relationship_id=relationship_id,
                source="partner_messaging",
                severity="critical",
                message_id=ids["m0"],
                created_at=at(1, 9),
            ),
            EscalationEvent(
                relationship_id=relationship_id,
                source="partner_messaging",
                severity="high",
                message_id=ids["m3"],
                created_at=at(
                    8,
                    9,
                    40,
                ),
            ),
            EscalationEvent(
                relationship_id=relationship_id,
                source="partner_messaging",
                severity="critical",
                message_id=ids["m4"],
                created_at=at(8, 10),
            ),
            EscalationEvent(
                relationship_id=relationship_id,
                source="conflict",
                severity="high",
                created_at=at(9, 12),
            ),
        ]
    )
    # Luna usage. Partner A: 6 reviews in the window (one safe, so it left only a tally and
    # no suggestion row), 4 answered; B: one accepted.
    tallies = [(A, 1, 1), (A, 8, 4), (A, 9, 1), (A, 10, 1), (B, 8, 1)]
    for sender, day, reviews in tallies:
        session.add(
            LunaReviewTally(
                conversation_id=conversation_id,
                sender_id=sender,
                day=at(day, 12).date(),
                reviews=reviews,
            )
        )
    suggestions = [
        (A, "risky", "accepted", at(8, 9, 30)),
        (A, "risky", "modified", at(8, 9, 35)),
        (A, "high_risk", "rejected", at(8, 9, 39)),
        (A, "risky", "ignored", at(9, 8, 20)),
        (A, "risky", None, at(10, 10, 50)),
        (A, "risky", "accepted", at(1, 8)),  # before the window
        (B, "risky", "accepted", at(8, 9, 55)),
    ]
    for sender, risk, action, created in suggestions:
        session.add(
            MessageSuggestion(
                conversation_id=conversation_id,
                sender_id=sender,
                original_message="draft",
                risk_assessment=risk,
                primary_suggestion="suggestion",
                suggestion_rationale="why",
                user_action=action,
                created_at=created,
            )
        )
    session.add(
        PartnerMessagingPreferences(
            relationship_id=relationship_id, partner_id=B, analysis_enabled=False
        )
    )
    await session.commit()
    return ids


async def seed_many(session: AsyncSession, conversation_id: uuid.UUID, count: int) -> None:
    """`count` analysed messages over the 29 days before NOW, in one INSERT ... SELECT.

    Bulk-loaded like a restore: the per-row seq trigger (which bumps the conversation row
    once per message, quadratic within one transaction) is bypassed with
    `session_replication_role = replica`, and seq and the counters are written directly.
    """
    await session.execute(text("SET LOCAL session_replication_role = replica"))
    await session.execute(
        text(
            """
            INSERT INTO partner_messages (conversation_id, seq, sender_id, content, sent_at,
                analysis_status, sentiment_score, sentiment_label, emotions, detected_triggers,
                gottman_markers, escalation_risk)
            SELECT :conversation_id, CAST(:count AS integer) - n + 1,
                   CASE WHEN n % 2 = 0 THEN 'partner_a' ELSE 'partner_b' END,
                   'message ' || n,
                   CAST(:now AS timestamptz) - make_interval(secs => n * 2505600.0 / :count),
                   'done',
                   ((n % 21) - 10) / 10.0,
                   CASE WHEN n % 21 < 10 THEN 'negative' WHEN n % 21 = 10 THEN 'neutral' ELSE 'positive' END,
                   CASE WHEN n % 3 = 0 THEN '["joy"]'::jsonb ELSE '["frustrated", "sad"]'::jsonb END,
                   CASE WHEN n % 7 = 0 THEN '["you never"]'::jsonb ELSE '[]'::jsonb END,
                   jsonb_build_object('criticism', n % 5 = 0, 'contempt', n % 11 = 0,
                                      'defensiveness', n % 13 = 0, 'stonewalling', n % 17 = 0),
                   CASE WHEN n % 50 = 0 THEN 'high' ELSE 'low' END
              FROM generate_series(CAST(:count AS integer), 1, -1) AS n
            """
        ),
        {"conversation_id": conversation_id, "now": NOW, "count": count},
    )
    await session.execute(
        text(
            "UPDATE partner_conversations SET last_seq = CAST(:count AS integer), message_count = CAST(:count AS integer),"
            " last_message_at = :now WHERE id = :conversation_id"
        ),
        {"conversation_id": conversation_id, "now": NOW, "count": count},
    )
    await session.commit()
