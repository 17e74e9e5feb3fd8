"""Soft delete: the author's own messages only; history and the conversation summary follow."""

from __future__ import annotations

import uuid

from tests.api.helpers import CONVERSATION, CoupleClients, listening

DELETE = "mutation($id: ID!) { deleteMessage(id: $id) { deletedMessageId conversationId seq } }"
ONE = "query($id: ID!) { message(id: $id) { id } }"


async def test_delete_own_message_keeps_summary_honest(
    pair: CoupleClients, database_url: str
) -> None:
    m1 = await pair.send(pair.a, "first")
    m2 = await pair.send(pair.b, "second")
    m3 = await pair.send(pair.a, "oops, wrong chat")
    async with listening(database_url, uuid.UUID(pair.relationship_id)) as log:
        await log.drain()
        deleted = (await pair.a.data(DELETE, {"id": m3["id"]}))["deleteMessage"]
        assert deleted == {
            "deletedMessageId": m3["id"],
            "conversationId": pair.conversation_id,
            "seq": 3,
        }
        events = await log.drain()
        assert [(e.kind, e.data["id"], e.data["seq"]) for e in events] == [
            ("message_deleted", m3["id"], 3)
        ]

    conversation = (await pair.b.data(CONVERSATION))["conversation"]
    assert conversation["lastMessagePreview"] == "second"
    assert conversation["lastMessageAt"] == m2["sentAt"]
    assert conversation["messageCount"] == 2
    assert conversation["lastSeq"] == 3  # seq is never reused
    assert [e["node"]["seq"] for e in (await pair.history(pair.b))["edges"]] == [1, 2]
    assert await pair.b.error_code(ONE, {"id": m3["id"]}) == "NOT_FOUND"
    assert await pair.a.error_code(DELETE, {"id": m3["id"]}) == "NOT_FOUND"

    # Deleting an older message leaves the preview of the newest.
    await pair.a.data(DELETE, {"id": m1["id"]})
    assert (await pair.a.data(CONVERSATION))["conversation"]["lastMessagePreview"] == "second"
    # A new message continues the sequence.
    assert (await pair.send(pair.a, "again"))["seq"] == 4


async def test_only_the_author_can_delete(pair: CoupleClients) -> None:
    theirs = await pair.send(pair.a, "mine, not yours")
    assert await pair.b.error_code(DELETE, {"id": theirs["id"]}) == "FORBIDDEN"
    assert (await pair.b.data(ONE, {"id": theirs["id"]}))["message"]["id"] == theirs["id"]


async def test_deleting_everything_empties_the_summary(pair: CoupleClients) -> None:
    only = await pair.send(pair.a, "hello?")
    await pair.a.data(DELETE, {"id": only["id"]})
    conversation = (await pair.a.data(CONVERSATION))["conversation"]
    assert conversation["lastMessagePreview"] is None
    assert conversation["lastMessageAt"] is None
    assert conversation["messageCount"] == 0


async def test_retry_of_a_deleted_message_conflicts(pair: CoupleClients) -> None:
    sent = await pair.send(pair.a, "gone soon", clientMessageId="k-9")
    await pair.a.data(DELETE, {"id": sent["id"]})
    result = await pair.a.execute(
        "mutation($i: SendMessageInput!) { sendMessage(input: $i) { __typename } }",
        {
            "i": {
                "conversationId": pair.conversation_id,
                "content": "gone soon",
                "clientMessageId": "k-9",
            }
        },
    )
    assert result.codes == ["CONFLICT"]
