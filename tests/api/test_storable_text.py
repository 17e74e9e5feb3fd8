"""Text PostgreSQL cannot store (NUL, lone UTF-16 surrogates) is the client's error, named by
field, in every text input."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from tests.api.helpers import SEND, CoupleClients
from tests.gestures.helpers import ACKNOWLEDGE, SEND_GESTURE, send_gesture
from tests.luna.helpers import KNOWN, RESPOND, REVIEW
from tests.reactions.helpers import ADD, REMOVE

UNSTORABLE = ["\ud83d", "\udc00", "\x00"]  # a high and a low surrogate alone, and NUL


async def stored_counts(session: AsyncSession) -> tuple[int, ...]:
    await session.rollback()
    row = (
        await session.execute(
            text(
                "SELECT (SELECT count(*) FROM partner_messages),"
                " (SELECT count(*) FROM connection_gestures),"
                " (SELECT count(*) FROM message_suggestions),"
                " (SELECT count(*) FROM message_reactions)"
            )
        )
    ).one()
    return tuple(row)


def text_inputs(
    pair: CoupleClients, *, suggestion_id: str, gesture_id: str, message_id: str
) -> list[tuple[str, dict[str, Any], str]]:
    """(document, variables with `{}` where the text goes, field) for every text input of the
    API, each as partner A may send it."""
    conversation = pair.conversation_id
    return [
        (SEND, {"input": {"conversationId": conversation, "content": "hi {}"}}, "content"),
        (
            SEND,
            {"input": {"conversationId": conversation, "content": "hi", "clientMessageId": "{}"}},
            "clientMessageId",
        ),
        (REVIEW, {"input": {"conversationId": conversation, "draft": "{} hi"}}, "draft"),
        (
            RESPOND,
            {
                "input": {
                    "suggestionId": suggestion_id,
                    "action": "MODIFIED",
                    "finalContent": "fine {}",
                }
            },
            "finalContent",
        ),
        (
            RESPOND,
            {
                "input": {
                    "suggestionId": suggestion_id,
                    "action": "REJECTED",
                    "clientMessageId": "k{}",
                }
            },
            "clientMessageId",
        ),
        (
            SEND_GESTURE,
            {"input": {"gestureType": "HUG", "message": "hug {}"}},
            "message",
        ),
        (
            SEND_GESTURE,
            {"input": {"gestureType": "HUG", "clientGestureId": "{}g"}},
            "clientGestureId",
        ),
        (
            ACKNOWLEDGE,
            {
                "input": {
                    "gestureId": gesture_id,
                    "sendBack": True,
                    "sendBackMessage": "back {}",
                }
            },
            "sendBackMessage",
        ),
        (ADD, {"m": message_id, "e": "👍{}"}, "emoji"),
        (REMOVE, {"m": message_id, "e": "{}👍"}, "emoji"),
    ]


def filled(variables: Any, value: str) -> Any:
    if isinstance(variables, dict):
        return {key: filled(item, value) for key, item in variables.items()}
    return variables.replace("{}", value) if isinstance(variables, str) else variables


@pytest.mark.parametrize("bad", UNSTORABLE, ids=["high-surrogate", "low-surrogate", "nul"])
async def test_every_text_input_refuses_what_postgresql_cannot_store(
    pair: CoupleClients, session: AsyncSession, bad: str
) -> None:
    review = {"input": {"conversationId": pair.conversation_id, "draft": KNOWN}}
    suggestion_id = (await pair.a.data(REVIEW, review))["reviewMessage"]["suggestion"]["id"]
    gesture_id = (await send_gesture(pair.b))["gesture"]["id"]
    message_id = (await pair.send(pair.b, "hello"))["id"]
    before = await stored_counts(session)
    cases = text_inputs(
        pair, suggestion_id=suggestion_id, gesture_id=gesture_id, message_id=message_id
    )
    for document, variables, field in cases:
        result = await pair.a.execute_escaped(document, filled(variables, bad))
        assert result.codes == ["BAD_USER_INPUT"], (field, result)
        assert result["errors"][0]["extensions"]["field"] == field, result
        assert "surrogate" in result.messages[0], result
    assert await stored_counts(session) == before
    # The same inputs with a surrogate pair (one emoji, as JSON escapes it) are fine.
    for document, variables, field in cases[:2]:
        result = await pair.a.execute_escaped(document, filled(variables, "\U0001f600"))
        assert result.get("errors") is None, (field, result)
