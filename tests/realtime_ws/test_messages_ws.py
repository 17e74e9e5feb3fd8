"""messageAdded over real WebSockets across two server processes on real PostgreSQL."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from luna_graphql.realtime.events import NotifyEmitter
from luna_graphql.services.access import Viewer
from luna_graphql.services.message_send import send_message as send_message_in_session
from tests.procs import ServerProcess
from tests.realtime_ws.client import MESSAGE_ADDED, GqlWs, send_message
from tests.realtime_ws.conftest import Couple

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def subscribe_b(
    server: ServerProcess, couple: Couple, after_seq: int | None = None
) -> tuple[GqlWs, object]:
    ws = await GqlWs.open(server.base_url, {"Authorization": f"Bearer {couple.b.token}"})
    op = await ws.subscribe(MESSAGE_ADDED, {"c": couple.conversation_id, "s": after_seq})
    return ws, op


async def test_message_through_one_process_reaches_a_subscriber_on_the_other(
    servers: list[ServerProcess], couple: Couple, http: httpx.AsyncClient
) -> None:
    one, two = servers
    ws = await GqlWs.open(two.base_url, {"token": couple.b.token})
    try:
        op = await ws.subscribe(MESSAGE_ADDED, {"c": couple.conversation_id, "s": 0})
        sent = await send_message(
            http, one.base_url, couple.a.token, couple.conversation_id, "across processes"
        )
        data = await op.next()
        got = data["messageAdded"]
        assert (got["id"], got["content"], got["senderId"], got["isMine"]) == (
            sent["id"],
            "across processes",
            "PARTNER_A",
            False,
        )
    finally:
        await ws.close()


async def test_nothing_arrives_for_a_rolled_back_write(
    servers: list[ServerProcess],
    couple: Couple,
    http: httpx.AsyncClient,
    shared_sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    one, two = servers
    ws = await GqlWs.open(two.base_url, {"token": couple.b.token})
    try:
        op = await ws.subscribe(MESSAGE_ADDED, {"c": couple.conversation_id})
        await asyncio.sleep(0.3)
        # The app's own send path (INSERT + NOTIFY in one transaction), rolled back at the end.
        async with shared_sessionmaker() as session:
            await send_message_in_session(
                session,
                viewer=Viewer(couple.a.user_id),
                emitter=NotifyEmitter(),
                conversation_id=uuid.UUID(couple.conversation_id),
                content="never",
                client_message_id=None,
                reply_to_id=None,
                max_content_chars=5000,
            )
            await session.rollback()
        await op.nothing(0.5)
        await send_message(http, one.base_url, couple.a.token, couple.conversation_id, "committed")
        assert (await op.next())["messageAdded"]["content"] == "committed"
        await op.nothing(0.3)
    finally:
        await ws.close()


async def test_after_seq_replay_is_exact_while_another_client_keeps_sending(
    servers: list[ServerProcess], couple: Couple, http: httpx.AsyncClient
) -> None:
    one, two = servers
    total = 200

    async def keep_sending() -> None:
        for i in range(total):
            await send_message(http, one.base_url, couple.a.token, couple.conversation_id, f"m{i}")

    sender = asyncio.create_task(keep_sending())
    await asyncio.sleep(0.3)  # part of the history exists, the rest arrives while we start
    ws, op = await subscribe_b(two, couple, after_seq=0)
    try:
        seqs = []
        while len(seqs) < total:
            seqs.append((await op.next(timeout=20))["messageAdded"]["seq"])
        await sender
        await op.nothing(0.3)
        assert seqs == list(range(1, total + 1))
    finally:
        sender.cancel()
        await ws.close()


async def test_resume_after_reconnect_on_the_other_process(
    servers: list[ServerProcess], couple: Couple, http: httpx.AsyncClient
) -> None:
    one, two = servers
    ws, op = await subscribe_b(two, couple, after_seq=0)
    await send_message(http, one.base_url, couple.a.token, couple.conversation_id, "first")
    last = (await op.next())["messageAdded"]["seq"]
    await ws.close()
    for text in ("while away 1", "while away 2"):
        await send_message(http, two.base_url, couple.a.token, couple.conversation_id, text)
    ws, op = await subscribe_b(one, couple, after_seq=last)
    try:
        got = [(await op.next())["messageAdded"]["content"] for _ in range(2)]
        assert got == ["while away 1", "while away 2"]
        await op.nothing(0.3)
    finally:
        await ws.close()


async def test_a_5000_character_message_of_4_byte_emoji_is_delivered(
    servers: list[ServerProcess], couple: Couple, http: httpx.AsyncClient
) -> None:
    one, two = servers
    text = "😀" * 5000
    assert len(text.encode()) == 20_000  # far beyond NOTIFY's 8000-byte payload limit
    ws, op = await subscribe_b(two, couple)
    try:
        await asyncio.sleep(0.3)
        await send_message(http, one.base_url, couple.a.token, couple.conversation_id, text)
        assert (await op.next())["messageAdded"]["content"] == text
    finally:
        await ws.close()


async def test_sockets_of_both_partners_each_see_their_own_view_of_one_event(
    servers: list[ServerProcess], couple: Couple, http: httpx.AsyncClient
) -> None:
    """Subscribers of one event share its execution per viewer (shared_results): with two
    sockets per partner on one process, each partner still gets their own view."""
    one, two = servers
    sockets = [
        await GqlWs.open(two.base_url, {"token": partner.token})
        for partner in (couple.a, couple.b, couple.a, couple.b)
    ]
    try:
        ops = [await ws.subscribe(MESSAGE_ADDED, {"c": couple.conversation_id}) for ws in sockets]
        await asyncio.sleep(0.3)
        sent = await send_message(http, one.base_url, couple.a.token, couple.conversation_id, "hi")
        seen = [(await op.next())["messageAdded"] for op in ops]
        assert [(got["id"], got["isMine"]) for got in seen] == [
            (sent["id"], True),
            (sent["id"], False),
            (sent["id"], True),
            (sent["id"], False),
        ]
    finally:
        for ws in sockets:
            await ws.close()


async def test_after_seq_at_and_past_its_limits(
    servers: list[ServerProcess], couple: Couple, http: httpx.AsyncClient
) -> None:
    """afterSeq is a GraphQL Int: its largest value subscribes (to nothing yet), and values
    past either end are BAD_USER_INPUT, as over HTTP, not a validation failure."""
    ws = await GqlWs.open(servers[1].base_url, {"token": couple.b.token})
    try:
        for after_seq in (2**31, 2**63, -(2**31) - 1, -1):
            op = await ws.subscribe(MESSAGE_ADDED, {"c": couple.conversation_id, "s": after_seq})
            message = await op.message()
            assert message["type"] == "error", message
            assert [e["extensions"]["code"] for e in message["payload"]] == ["BAD_USER_INPUT"]
        unknown = await ws.subscribe("subscription { nothingHere }")
        message = await unknown.message()
        assert message["payload"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
        largest = await ws.subscribe(MESSAGE_ADDED, {"c": couple.conversation_id, "s": 2**31 - 1})
        await send_message(http, servers[0].base_url, couple.a.token, couple.conversation_id, "hi")
        await largest.nothing()
    finally:
        await ws.close()
