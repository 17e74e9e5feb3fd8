"""Receipts move forward only, only the recipient marks, and events follow real changes."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from luna_graphql.db.models import PartnerMessage
from tests.api.helpers import CONVERSATION, CoupleClients, GraphQLClient, listening

DELIVERED = "mutation($ids: [ID!]!) { markDelivered(messageIds: $ids) { changedCount messageIds } }"
READ = "mutation($c: ID!, $n: Int!) { markRead(conversationId: $c, upToSeq: $n) { changedCount upToSeq conversationId } }"
PREFS = "mutation($on: Boolean!) { updateMessagingPreferences(input: {showReadReceipts: $on}) { showReadReceipts } }"


async def rows(session: AsyncSession) -> dict[int, PartnerMessage]:
    await session.rollback()
    result = await session.scalars(select(PartnerMessage).order_by(PartnerMessage.seq))
    return {m.seq: m for m in result}


async def mark_delivered(client: GraphQLClient, ids: list[str]) -> dict[str, Any]:
    result: dict[str, Any] = (await client.data(DELIVERED, {"ids": ids}))["markDelivered"]
    return result


async def mark_read(client: GraphQLClient, conversation_id: str, up_to: int) -> dict[str, Any]:
    result: dict[str, Any] = (await client.data(READ, {"c": conversation_id, "n": up_to}))[
        "markRead"
    ]
    return result


async def test_receipts_only_move_forward(
    pair: CoupleClients, session: AsyncSession, database_url: str
) -> None:
    m1, m2, m3 = [await pair.send(pair.a, f"m{i}") for i in (1, 2, 3)]
    async with listening(database_url, uuid.UUID(pair.relationship_id)) as log:
        await log.drain()
        delivered = await mark_delivered(pair.b, [m1["id"], m2["id"], m1["id"]])
        assert delivered["changedCount"] == 2
        assert set(delivered["messageIds"]) == {m1["id"], m2["id"]}
        events = await log.drain()
        assert [
            (e.kind, e.data["status"], sorted(e.data["ids"]), e.data["by"]) for e in events
        ] == [("receipt", "delivered", sorted([m1["id"], m2["id"]]), "partner_b")]
        assert events[0].data["conversation_id"] == pair.conversation_id

        # Again: nothing changes and nothing is announced.
        assert (await mark_delivered(pair.b, [m1["id"], m2["id"]]))["changedCount"] == 0
        assert await log.drain() == []

        state = await rows(session)
        first_delivered_at = state[1].delivered_at
        assert state[1].status == state[2].status == "delivered" and state[3].status == "sent"

        read = await mark_read(pair.b, pair.conversation_id, 2)
        assert read == {"changedCount": 2, "upToSeq": 2, "conversationId": pair.conversation_id}
        events = await log.drain()
        assert [(e.kind, e.data["status"], e.data["up_to_seq"], e.data["by"]) for e in events] == [
            ("receipt", "read", 2, "partner_b")
        ]

        # Delivered after read never moves a message back.
        assert (await mark_delivered(pair.b, [m1["id"], m2["id"], m3["id"]]))["changedCount"] == 1
        state = await rows(session)
        assert [state[s].status for s in (1, 2, 3)] == ["read", "read", "delivered"]
        assert state[1].delivered_at == first_delivered_at  # each timestamp set once
        first_read_at = state[1].read_at
        await log.drain()

        # Read implies delivered; marking read again changes nothing.
        assert (await mark_read(pair.b, pair.conversation_id, 3))["changedCount"] == 1
        assert (await mark_read(pair.b, pair.conversation_id, 3))["changedCount"] == 0
        assert (await mark_read(pair.b, pair.conversation_id, 1))["changedCount"] == 0
        assert len(await log.drain()) == 1
        state = await rows(session)
        assert all(m.status == "read" and m.delivered_at and m.read_at for m in state.values())
        assert state[1].read_at == first_read_at

    seen = [e["node"] for e in (await pair.history(pair.a))["edges"]]
    assert [n["status"] for n in seen] == ["READ"] * 3


async def test_read_implies_delivered_in_one_step(
    pair: CoupleClients, session: AsyncSession
) -> None:
    await pair.send(pair.a, "straight to read")
    assert (await mark_read(pair.b, pair.conversation_id, 1))["changedCount"] == 1
    message = (await rows(session))[1]
    assert message.status == "read"
    assert message.delivered_at is not None and message.read_at is not None


async def test_sender_cannot_mark_own_messages(pair: CoupleClients, session: AsyncSession) -> None:
    m1 = await pair.send(pair.a, "mine")
    await pair.send(pair.a, "also mine")
    result = await pair.a.execute(DELIVERED, {"ids": [m1["id"]]})
    assert result.codes == ["FORBIDDEN"]
    assert (await mark_read(pair.a, pair.conversation_id, 2))["changedCount"] == 0
    assert [m.status for m in (await rows(session)).values()] == ["sent", "sent"]


async def test_unread_count_follows_reads(pair: CoupleClients) -> None:
    for i in range(4):
        await pair.send(pair.a, f"unread {i}")
    await pair.send(pair.b, "from b")
    assert (await pair.b.data(CONVERSATION))["conversation"]["unreadCount"] == 4
    assert (await pair.a.data(CONVERSATION))["conversation"]["unreadCount"] == 1
    await mark_read(pair.b, pair.conversation_id, 3)  # seq 1-3 are Alex's
    assert (await pair.b.data(CONVERSATION))["conversation"]["unreadCount"] == 1
    assert (await pair.a.data(CONVERSATION))["conversation"]["unreadCount"] == 1


async def test_read_receipts_off_hides_reads_from_the_partner(
    pair: CoupleClients, session: AsyncSession, database_url: str
) -> None:
    sent = await pair.send(pair.a, "did you see this?")
    await pair.b.data(PREFS, {"on": False})
    async with listening(database_url, uuid.UUID(pair.relationship_id)) as log:
        await log.drain()
        assert (await mark_read(pair.b, pair.conversation_id, 1))["changedCount"] == 1
        assert await log.drain() == []  # no read receipt goes out
        # Delivered receipts are not affected by the setting.
        second = await pair.send(pair.a, "and this?")
        await log.drain()
        await mark_delivered(pair.b, [second["id"]])
        assert [e.data["status"] for e in await log.drain()] == ["delivered"]

    assert (await rows(session))[1].status == "read"  # the reader's own unread count is right
    query = "query($id: ID!) { message(id: $id) { status readAt deliveredAt } }"
    as_author = (await pair.a.data(query, {"id": sent["id"]}))["message"]
    assert as_author["status"] == "DELIVERED" and as_author["readAt"] is None
    assert as_author["deliveredAt"] is not None
    as_reader = (await pair.b.data(query, {"id": sent["id"]}))["message"]
    assert as_reader["status"] == "READ" and as_reader["readAt"] is not None
    history = [e["node"]["status"] for e in (await pair.history(pair.a))["edges"]]
    assert history == ["DELIVERED", "DELIVERED"]
    assert (await pair.b.data(CONVERSATION))["conversation"]["unreadCount"] == 1


async def test_bad_receipt_input(pair: CoupleClients, session: AsyncSession) -> None:
    mine = await pair.send(pair.a, "one")
    other = await pair.send(pair.a, "two")
    too_many = [str(uuid.uuid4()) for _ in range(101)]
    assert await pair.b.error_code(DELIVERED, {"ids": too_many}) == "BAD_USER_INPUT"
    assert await pair.b.error_code(DELIVERED, {"ids": []}) == "BAD_USER_INPUT"
    assert await pair.b.error_code(DELIVERED, {"ids": ["nope"]}) == "BAD_USER_INPUT"
    # One unknown id fails the whole call and nothing changes.
    mixed = [mine["id"], str(uuid.uuid4())]
    assert await pair.b.error_code(DELIVERED, {"ids": mixed}) == "NOT_FOUND"
    assert [m.status for m in (await rows(session)).values()] == ["sent", "sent"]
    assert await pair.b.error_code(READ, {"c": pair.conversation_id, "n": 0}) == "BAD_USER_INPUT"
    await pair.a.data("mutation($id: ID!) { deleteMessage(id: $id) { seq } }", {"id": other["id"]})
    assert await pair.b.error_code(DELIVERED, {"ids": [other["id"]]}) == "NOT_FOUND"
