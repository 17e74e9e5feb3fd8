"""Typing, receipts and presence over WebSockets, with both partners' preferences."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from tests.procs import ServerProcess
from tests.realtime_ws.client import MESSAGE_ADDED, GqlWs, gql, send_message
from tests.realtime_ws.conftest import Couple

pytestmark = pytest.mark.asyncio(loop_scope="session")

TYPING = "subscription ($c: ID!) { typing(conversationId: $c) { partner isTyping } }"
SET_TYPING = "mutation ($c: ID!, $on: Boolean!) { setTyping(conversationId: $c, isTyping: $on) }"
RECEIPTS = "subscription ($c: ID!) { receipts(conversationId: $c) { status messageIds upToSeq } }"
MARK_READ = (
    "mutation ($c: ID!, $s: Int!) { markRead(conversationId: $c, upToSeq: $s) { changedCount } }"
)
PREFS = "mutation ($i: UpdateMessagingPreferencesInput!) { updateMessagingPreferences(input: $i) { showReadReceipts } }"
PRESENCE = "subscription { presence { status lastSeenAt } }"
SET_PRESENCE = "mutation ($s: PresenceStatus!) { setPresence(status: $s) { status } }"


async def test_typing_expires_without_a_stop(
    servers: list[ServerProcess], couple: Couple, http: httpx.AsyncClient
) -> None:
    one, two = servers
    ws = await GqlWs.open(two.base_url, {"token": couple.b.token})
    try:
        op = await ws.subscribe(TYPING, {"c": couple.conversation_id})
        await asyncio.sleep(0.3)
        assert (
            await gql(
                http,
                one.base_url,
                couple.a.token,
                SET_TYPING,
                {"c": couple.conversation_id, "on": True},
            )
        )["setTyping"]
        assert (await op.next())["typing"] == {"partner": "PARTNER_A", "isTyping": True}
        # The servers run with a 1 s TTL: no stop comes, the state expires by itself.
        assert (await op.next(timeout=3))["typing"] == {"partner": "PARTNER_A", "isTyping": False}
    finally:
        await ws.close()


@pytest.mark.parametrize("hider", ["a", "b"])
async def test_typing_respects_both_partners_preferences(
    servers: list[ServerProcess], couple: Couple, http: httpx.AsyncClient, hider: str
) -> None:
    one, two = servers
    hiding = couple.a if hider == "a" else couple.b
    await gql(http, one.base_url, hiding.token, PREFS, {"i": {"showTypingIndicators": False}})
    ws = await GqlWs.open(two.base_url, {"token": couple.b.token})
    try:
        op = await ws.subscribe(TYPING, {"c": couple.conversation_id})
        await asyncio.sleep(0.3)
        await gql(
            http,
            one.base_url,
            couple.a.token,
            SET_TYPING,
            {"c": couple.conversation_id, "on": True},
        )
        await op.nothing(0.6)
    finally:
        await ws.close()


async def test_receipts_delivered_and_read_respect_the_readers_preference(
    servers: list[ServerProcess], couple: Couple, http: httpx.AsyncClient
) -> None:
    one, two = servers
    author = await GqlWs.open(one.base_url, {"token": couple.a.token})
    reader = await GqlWs.open(two.base_url, {"token": couple.b.token})
    try:
        receipts = await author.subscribe(RECEIPTS, {"c": couple.conversation_id})
        live = await reader.subscribe(MESSAGE_ADDED, {"c": couple.conversation_id, "s": 0})
        await asyncio.sleep(0.3)
        first = await send_message(http, one.base_url, couple.a.token, couple.conversation_id, "1")
        await live.next()
        assert (await receipts.next())["receipts"] == {
            "status": "DELIVERED",
            "messageIds": [first["id"]],
            "upToSeq": None,
        }
        await gql(
            http,
            two.base_url,
            couple.b.token,
            MARK_READ,
            {"c": couple.conversation_id, "s": first["seq"]},
        )
        assert (await receipts.next())["receipts"] == {
            "status": "READ",
            "messageIds": [],
            "upToSeq": first["seq"],
        }

        await gql(http, two.base_url, couple.b.token, PREFS, {"i": {"showReadReceipts": False}})
        second = await send_message(http, one.base_url, couple.a.token, couple.conversation_id, "2")
        await live.next()
        assert (await receipts.next())["receipts"]["messageIds"] == [
            second["id"]
        ]  # delivered still shows
        await gql(
            http,
            two.base_url,
            couple.b.token,
            MARK_READ,
            {"c": couple.conversation_id, "s": second["seq"]},
        )
        await receipts.nothing(0.5)  # read, but the reader does not share it
    finally:
        await author.close()
        await reader.close()


async def test_presence_follows_sockets_on_any_process(
    servers: list[ServerProcess], couple: Couple, http: httpx.AsyncClient
) -> None:
    one, two = servers
    watcher = await GqlWs.open(two.base_url, {"token": couple.b.token})
    try:
        op = await watcher.subscribe(PRESENCE)
        assert (await op.next())["presence"]["status"] == "OFFLINE"
        partner = await GqlWs.open(one.base_url, {"token": couple.a.token})
        assert (await op.next())["presence"]["status"] == "ONLINE"
        await gql(http, one.base_url, couple.a.token, SET_PRESENCE, {"s": "AWAY"})
        assert (await op.next())["presence"]["status"] == "AWAY"
        await partner.close()
        offline = (await op.next())["presence"]
        assert offline["status"] == "OFFLINE" and offline["lastSeenAt"]
    finally:
        await watcher.close()
