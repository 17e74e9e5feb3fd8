"""Two partners exchange messages over HTTP and each sees the right history."""

from __future__ import annotations

import asyncio
import uuid
from types import SimpleNamespace

import asyncpg
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from starlette.applications import Starlette

from luna_graphql.db.engine import to_asyncpg_dsn
from luna_graphql.db.models import PartnerConversation, PartnerMessage
from luna_graphql.realtime.events import channel_for
from luna_graphql.services.message_send import message_added_event
from tests.api.helpers import (
    CONVERSATION,
    MESSAGE_FIELDS,
    SEND,
    CoupleClients,
    counting_statements,
)

VIEWER = """
{ viewer { id user { id displayName } relationship { id status createdAt }
           partnerRole partner { id displayName } } }
"""


async def test_viewer_knows_user_relationship_and_role(pair: CoupleClients) -> None:
    a = (await pair.a.data(VIEWER))["viewer"]
    b = (await pair.b.data(VIEWER))["viewer"]
    assert a["id"] == pair.a_id
    assert a["user"]["displayName"] == "Alex"
    assert a["partnerRole"] == "PARTNER_A" and b["partnerRole"] == "PARTNER_B"
    assert a["partner"]["displayName"] == "Blair" and b["partner"]["displayName"] == "Alex"
    assert a["relationship"] == b["relationship"]
    assert a["relationship"]["id"] == pair.relationship_id
    assert a["relationship"]["status"] == "ACTIVE"


async def test_two_partners_exchange_messages_and_see_the_same_history(
    pair: CoupleClients, session: AsyncSession
) -> None:
    first = await pair.send(pair.a, "  Good morning ☀️  ")
    second = await pair.send(pair.b, "Morning! Coffee?")
    third = await pair.send(pair.a, "Yes please", replyToId=second["id"])

    assert first["content"] == "Good morning ☀️"  # trimmed
    assert [first["seq"], second["seq"], third["seq"]] == [1, 2, 3]
    assert first["senderId"] == "PARTNER_A" and second["senderId"] == "PARTNER_B"
    assert first["status"] == "SENT" and first["isMine"] is True
    assert third["replyToId"] == second["id"]

    for client, mine in ((pair.a, {1, 3}), (pair.b, {2})):
        history = await pair.history(client)
        nodes = [edge["node"] for edge in history["edges"]]
        assert [n["content"] for n in nodes] == ["Good morning ☀️", "Morning! Coffee?", "Yes please"]
        assert [n["seq"] for n in nodes] == [1, 2, 3]
        assert {n["seq"] for n in nodes if n["isMine"]} == mine
        assert history["pageInfo"] == {
            "hasNextPage": False,
            "hasPreviousPage": False,
            "startCursor": history["edges"][0]["cursor"],
            "endCursor": history["edges"][-1]["cursor"],
        }

    conversation_a = (await pair.a.data(CONVERSATION))["conversation"]
    conversation_b = (await pair.b.data(CONVERSATION))["conversation"]
    assert conversation_a["id"] == conversation_b["id"] == pair.conversation_id
    assert conversation_a["messageCount"] == 3 and conversation_a["lastSeq"] == 3
    assert conversation_a["lastMessagePreview"] == "Yes please"
    assert conversation_a["unreadCount"] == 1  # Blair's message
    assert conversation_b["unreadCount"] == 2  # Alex's two

    stored = (await session.scalars(select(PartnerMessage).order_by(PartnerMessage.seq))).all()
    assert [m.sender_id for m in stored] == ["partner_a", "partner_b", "partner_a"]


async def test_conversation_is_created_once_and_found_by_relationship_id(
    pair: CoupleClients, session: AsyncSession
) -> None:
    by_id = await pair.b.data(CONVERSATION, {"rel": pair.relationship_id})
    assert by_id["conversation"]["id"] == pair.conversation_id
    count = len((await session.scalars(select(PartnerConversation))).all())
    assert count == 1


async def test_message_by_id(pair: CoupleClients) -> None:
    sent = await pair.send(pair.a, "hello")
    query = f"query($id: ID!) {{ message(id: $id) {{ {MESSAGE_FIELDS} }} }}"
    for client in (pair.a, pair.b):
        message = (await client.data(query, {"id": sent["id"]}))["message"]
        assert message["content"] == "hello" and message["seq"] == 1
    assert (await pair.b.data(query, {"id": sent["id"]}))["message"]["isMine"] is False


async def test_retried_client_message_id_yields_one_message(
    pair: CoupleClients, session: AsyncSession
) -> None:
    first = await pair.send(pair.a, "on my way", clientMessageId="device-1:42")
    again = await pair.send(pair.a, "on my way", clientMessageId="device-1:42")
    changed = await pair.send(pair.a, "edited retry", clientMessageId="device-1:42")
    assert first["id"] == again["id"] == changed["id"]
    assert changed["content"] == "on my way"
    # The same key from the partner is the partner's own message.
    theirs = await pair.send(pair.b, "ok", clientMessageId="device-1:42")
    assert theirs["id"] != first["id"]
    rows = (await session.scalars(select(PartnerMessage))).all()
    assert len(rows) == 2
    conversation = (await pair.a.data(CONVERSATION))["conversation"]
    assert conversation["messageCount"] == 2 and conversation["lastSeq"] == 2


async def test_send_result_is_a_union_clients_switch_on(pair: CoupleClients) -> None:
    result = await pair.a.data(
        SEND,
        {
            "input": {
                "conversationId": pair.conversation_id,
                "content": "with review asked",
                "requestLunaReview": True,
            }
        },
    )
    assert result["sendMessage"]["__typename"] == "MessageSent"


async def test_send_path_is_lean(pair: CoupleClients, app: Starlette) -> None:
    engine: AsyncEngine = app.state.engine
    rows = app.state.runtime.realtime.row_pool  # the plain send path runs on it
    with counting_statements(engine, rows) as plain:
        await pair.send(pair.a, "no key")
    with counting_statements(engine, rows) as keyed:
        await pair.send(pair.a, "with key", clientMessageId="k-1")
    with counting_statements(engine, rows) as retried:
        await pair.send(pair.a, "with key", clientMessageId="k-1")
    # One statement (membership, retry lookup, reply check, Luna preferences, then the INSERT
    # and its NOTIFY) and no BEGIN/COMMIT around it; a client key changes nothing (the unique
    # constraint settles a racing duplicate).
    assert len(plain) == 1, plain
    assert len(keyed) == 1, keyed
    assert len(retried) == 2, retried  # the statement finds it; one read of the first message


async def test_plain_send_event_is_byte_identical_to_the_python_encoding(
    pair: CoupleClients, database_url: str
) -> None:
    """The plain path writes its NOTIFY payload in SQL, sends Luna reviewed encode it in
    Python: the partner must not be able to tell the two apart, not even by the bytes."""
    relationship_id = uuid.UUID(pair.relationship_id)
    payloads: list[str] = []
    listener = await asyncpg.connect(to_asyncpg_dsn(database_url))
    try:
        await listener.add_listener(
            channel_for(relationship_id), lambda *args: payloads.append(args[3])
        )
        sent = await pair.send(pair.a, "plain")
        for _ in range(100):
            if payloads:
                break
            await asyncio.sleep(0.05)
    finally:
        await listener.close()
    message = PartnerMessage(
        conversation_id=uuid.UUID(pair.conversation_id),
        id=uuid.UUID(sent["id"]),
        seq=sent["seq"],
        sender_id="partner_a",
    )
    membership = SimpleNamespace(relationship_id=relationship_id)
    assert payloads == [message_added_event(membership, message).encode()]  # type: ignore[arg-type]


async def test_concurrent_retries_of_one_client_message_id_yield_one_message(
    pair: CoupleClients, session: AsyncSession
) -> None:
    """Retries racing past the lookup: the unique constraint decides, every one of them gets
    the first message, and the conversation's seq has no gap."""
    sends = [pair.send(pair.a, "racing", clientMessageId="race-1") for _ in range(6)]
    results = await asyncio.gather(*sends)
    assert len({result["id"] for result in results}) == 1
    assert {result["seq"] for result in results} == {1}
    assert len((await session.scalars(select(PartnerMessage))).all()) == 1
    after = await pair.send(pair.a, "next")
    assert after["seq"] == 2
