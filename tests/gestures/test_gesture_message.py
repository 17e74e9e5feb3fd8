"""`generateGestureMessage`: a note of at most 280 characters from the partner's name and the
couple's recent positive messages, never from what Luna keeps private to one partner."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.applications import Starlette

from luna_graphql.ai.local import LocalAssistant
from luna_graphql.ai.models import GestureNote, GestureType
from luna_graphql.db.models import PartnerConversation, PartnerMessagingPreferences
from tests.api.conftest import make_settings, serve
from tests.api.helpers import CoupleClients, GraphQLClient, token_for
from tests.factories import make_message
from tests.gestures.helpers import GENERATE


class RecordingAssistant(LocalAssistant):
    """The offline assistant, remembering what it was given."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    async def write_gesture_note(
        self,
        *,
        gesture_type: GestureType,
        partner_name: str | None,
        positive_context: Sequence[str],
    ) -> GestureNote:
        self.calls.append(
            {
                "gesture_type": gesture_type,
                "partner_name": partner_name,
                "positive_context": list(positive_context),
            }
        )
        return await super().write_gesture_note(
            gesture_type=gesture_type, partner_name=partner_name, positive_context=positive_context
        )


async def say(session: AsyncSession, pair: CoupleClients, sender: str, **fields: Any) -> None:
    conversation = await session.get(PartnerConversation, uuid.UUID(pair.conversation_id))
    assert conversation is not None
    await make_message(session, conversation, sender_id=sender, **fields)
    await session.commit()


async def generate(client: GraphQLClient, gesture_type: str = "HUG") -> dict[str, Any]:
    data = await client.data(GENERATE, {"input": {"gestureType": gesture_type}})
    result: dict[str, Any] = data["generateGestureMessage"]
    return result


def use(app: Starlette, assistant: LocalAssistant) -> None:
    app.state.runtime.assistant = assistant


async def test_note_uses_the_partners_name_and_a_positive_moment(
    pair: CoupleClients, session: AsyncSession, app: Starlette
) -> None:
    recorder = RecordingAssistant()
    use(app, recorder)
    await say(
        session, pair, "partner_b", content="that picnic was perfect", sentiment_label="positive"
    )
    await say(session, pair, "partner_a", content="ugh traffic", sentiment_label="negative")
    note = await generate(pair.a, "KISS")
    assert 0 < len(note["message"]) <= 280
    assert "Blair" in note["message"] and "picnic" in note["message"]
    assert note["contextUsed"] == ["PARTNER_NAME", "RECENT_POSITIVE_MESSAGES"]
    assert recorder.calls == [
        {
            "gesture_type": "kiss",
            "partner_name": "Blair",
            "positive_context": ["that picnic was perfect"],
        }
    ]


async def test_without_positive_messages_only_the_name_is_used(pair: CoupleClients) -> None:
    note = await generate(pair.b, "THINKING_OF_YOU")
    assert "Alex" in note["message"] and len(note["message"]) <= 280
    assert note["contextUsed"] == ["PARTNER_NAME"]


async def test_never_the_partners_private_luna_data_nor_their_messages_without_consent(
    pair: CoupleClients, session: AsyncSession, app: Starlette
) -> None:
    recorder = RecordingAssistant()
    use(app, recorder)
    await say(session, pair, "partner_a", content="loved our walk", sentiment_label="positive")
    # Blair's message went out after Luna rewrote the draft: the draft is Blair's alone.
    await say(
        session,
        pair,
        "partner_b",
        content="thank you for listening",
        original_content="secret draft words",
        luna_intervened=True,
        sentiment_label="positive",
    )
    await generate(pair.a)
    assert recorder.calls[-1]["positive_context"] == ["thank you for listening", "loved our walk"]

    # Blair withdraws consent to analysis: Blair's messages stop feeding Alex's notes.
    session.add(
        PartnerMessagingPreferences(
            relationship_id=uuid.UUID(pair.relationship_id),
            partner_id="partner_b",
            analysis_enabled=False,
        )
    )
    await session.commit()
    note = await generate(pair.a)
    assert recorder.calls[-1]["positive_context"] == ["loved our walk"]
    assert "secret" not in note["message"] and "listening" not in note["message"]


async def test_long_inputs_still_give_at_most_280_characters(
    pair: CoupleClients, session: AsyncSession
) -> None:
    await say(session, pair, "partner_b", content="wonderful " * 400, sentiment_label="positive")
    note = await generate(pair.a, "THINKING_OF_YOU")
    assert len(note["message"]) <= 280
    assert note["contextUsed"] == ["PARTNER_NAME", "RECENT_POSITIVE_MESSAGES"]


async def test_deleted_messages_are_not_context(
    pair: CoupleClients, session: AsyncSession, app: Starlette
) -> None:
    from datetime import UTC, datetime

    recorder = RecordingAssistant()
    use(app, recorder)
    await say(
        session,
        pair,
        "partner_a",
        content="regretted this",
        sentiment_label="positive",
        deleted_at=datetime.now(UTC),
    )
    await generate(pair.a)
    assert recorder.calls[-1]["positive_context"] == []


async def test_generating_is_rate_limited(database_url: str, pair: CoupleClients) -> None:
    tight = make_settings(database_url, rate_limit_review="2/minute")
    async with serve(tight) as http:
        a = GraphQLClient(http, token_for(tight, pair.couple.partner_a.id))
        await generate(a)
        await generate(a)
        assert await a.error_code(GENERATE, {"input": {"gestureType": "HUG"}}) == "RATE_LIMITED"
