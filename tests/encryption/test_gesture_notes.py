"""Gesture notes are encrypted at rest like message text, and their CHECK bounds each form."""

from __future__ import annotations

import uuid

import asyncpg
import pytest

from luna_graphql.crypto import sealed_max_chars
from luna_graphql.db.models import GESTURE_NOTE_MAX
from tests.api.helpers import CoupleClients
from tests.gestures.helpers import GENERATE, ONE, PENDING, acknowledge, send_gesture

NOTE = "🫶🏽" * (GESTURE_NOTE_MAX // 2)  # 280 characters, every one 4 bytes in UTF-8


async def test_a_note_and_its_answer_are_sealed_and_read_back(
    pair: CoupleClients, raw: asyncpg.Connection
) -> None:
    sent = (await send_gesture(pair.a, relationshipId=pair.relationship_id, message=NOTE))[
        "gesture"
    ]
    assert sent["message"] == NOTE
    assert [g["message"] for g in (await pair.b.data(PENDING))["pendingGestures"]] == [NOTE]
    acked = await acknowledge(
        pair.b, sent["id"], sendBack=True, sendBackType="KISS", sendBackMessage="back at you"
    )
    answer = acked["responseGesture"]
    assert answer["message"] == "back at you"
    assert (await pair.a.data(ONE, {"id": answer["id"]}))["gesture"]["message"] == "back at you"

    rows = await raw.fetch(
        "SELECT id, message FROM connection_gestures WHERE relationship_id = $1",
        uuid.UUID(pair.relationship_id),
    )
    assert len(rows) == 2
    for row in rows:
        assert row["message"].startswith("enc:v1:new:")
        assert "🫶" not in row["message"] and "back at you" not in row["message"]
        assert len(row["message"]) <= sealed_max_chars(GESTURE_NOTE_MAX)


async def test_the_length_check_still_refuses_oversized_values(
    pair: CoupleClients, raw: asyncpg.Connection
) -> None:
    insert = (
        "INSERT INTO connection_gestures (relationship_id, gesture_type, sent_by, message) "
        "VALUES ($1, 'hug', 'partner_a', $2)"
    )
    relationship = uuid.UUID(pair.relationship_id)
    for too_long in (
        "x" * (GESTURE_NOTE_MAX + 1),
        "enc:" + "x" * sealed_max_chars(GESTURE_NOTE_MAX),
    ):
        with pytest.raises(asyncpg.CheckViolationError):
            await raw.execute(insert, relationship, too_long)


async def test_a_generated_note_quotes_the_plain_text_of_a_sealed_message(
    pair: CoupleClients, raw: asyncpg.Connection
) -> None:
    sent = await pair.send(pair.b, "Thank you for the flowers")
    await raw.execute(
        "UPDATE partner_messages SET sentiment_label = 'positive' WHERE id = $1",
        uuid.UUID(sent["id"]),
    )
    variables = {"input": {"relationshipId": pair.relationship_id, "gestureType": "HUG"}}
    note = (await pair.a.data(GENERATE, variables))["generateGestureMessage"]
    assert "RECENT_POSITIVE_MESSAGES" in note["contextUsed"]
    assert "Thank you for the flowers" in note["message"]
    assert "enc:" not in note["message"]
