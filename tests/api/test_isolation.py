"""Another couple's member gets NOT_FOUND for every id of this couple, and changes nothing."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from tests.api.helpers import CoupleClients

TABLES = ("partner_conversations", "partner_messages", "partner_messaging_preferences")


async def snapshot(session: AsyncSession) -> dict[str, list[Any]]:
    await session.rollback()  # read what is committed now
    return {
        table: [
            tuple(row) for row in await session.execute(text(f"SELECT * FROM {table} ORDER BY id"))
        ]
        for table in TABLES
    }


def probes(
    conversation_id: str, message_id: str, relationship_id: str, own_conversation: str
) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (
            "conversation",
            "query($r: ID) { conversation(relationshipId: $r) { id } }",
            {"r": relationship_id},
        ),
        (
            "messages",
            "query($c: ID!) { messages(conversationId: $c) { edges { cursor } } }",
            {"c": conversation_id},
        ),
        (
            "messages paged",
            'query($c: ID!) { messages(conversationId: $c, first: 1, after: "c2VxOjE") { edges { cursor } } }',
            {"c": conversation_id},
        ),
        ("message", "query($id: ID!) { message(id: $id) { content } }", {"id": message_id}),
        (
            "sendMessage",
            'mutation($c: ID!) { sendMessage(input: {conversationId: $c, content: "sneaky"}) { __typename } }',
            {"c": conversation_id},
        ),
        (
            "sendMessage replyTo",
            'mutation($c: ID!, $r: ID!) { sendMessage(input: {conversationId: $c, content: "re", replyToId: $r}) { __typename } }',
            {"c": own_conversation, "r": message_id},
        ),
        (
            "markDelivered",
            "mutation($id: ID!) { markDelivered(messageIds: [$id]) { changedCount } }",
            {"id": message_id},
        ),
        (
            "markRead",
            "mutation($c: ID!) { markRead(conversationId: $c, upToSeq: 100) { changedCount } }",
            {"c": conversation_id},
        ),
        (
            "deleteMessage",
            "mutation($id: ID!) { deleteMessage(id: $id) { seq } }",
            {"id": message_id},
        ),
    ]


async def test_other_couple_gets_not_found_for_everything_and_changes_nothing(
    pair: CoupleClients, outsiders: CoupleClients, session: AsyncSession
) -> None:
    message = await pair.send(pair.a, "just for us")
    await pair.send(pair.b, "💛")
    await pair.b.data("{ messagingPreferences { suggestionMode } }")
    before = await snapshot(session)

    theirs = probes(
        pair.conversation_id, message["id"], pair.relationship_id, outsiders.conversation_id
    )
    nobody = str(uuid.uuid4())
    unknown = probes(nobody, nobody, nobody, outsiders.conversation_id)
    for client in (outsiders.a, outsiders.b):
        for (name, query, variables), (_, _, random_variables) in zip(theirs, unknown, strict=True):
            result = await client.execute(query, variables)
            assert result.status_code == 200
            assert result.codes == ["NOT_FOUND"], (name, result)
            assert result["data"] is None, name
            # Indistinguishable from an id that does not exist at all.
            lookalike = await client.execute(query, random_variables)
            assert lookalike["errors"] == result["errors"], name

    assert await snapshot(session) == before

    # Their own world is intact and shows nothing of the other couple.
    viewer = (await outsiders.a.data("{ viewer { relationship { id } partner { displayName } } }"))[
        "viewer"
    ]
    assert viewer["relationship"]["id"] == outsiders.relationship_id
    assert viewer["partner"]["displayName"] == "Drew"
    assert (await outsiders.history(outsiders.a))["edges"] == []


async def test_ended_relationship_loses_access(pair: CoupleClients, session: AsyncSession) -> None:
    message = await pair.send(pair.a, "before the end")
    await session.execute(
        text("UPDATE relationships SET status = 'ended' WHERE id = :id"),
        {"id": pair.relationship_id},
    )
    await session.commit()
    for name, query, variables in probes(
        pair.conversation_id, message["id"], pair.relationship_id, pair.conversation_id
    ):
        result = await pair.a.execute(query, variables)
        assert result.codes == ["NOT_FOUND"], (name, result)
