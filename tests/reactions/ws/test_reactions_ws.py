"""reactionChanged over real WebSockets, with the change made on another server process."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.procs import ServerProcess
from tests.realtime_ws.client import GqlWs, gql, send_message
from tests.realtime_ws.conftest import Couple, make_partners

pytestmark = pytest.mark.asyncio(loop_scope="session")

REACTION_CHANGED = """
subscription ($c: ID!) {
  reactionChanged(conversationId: $c) {
    messageId conversationId reactions { emoji count reactedByMe partnerRoles }
  }
}"""
ADD = """
mutation ($m: ID!, $e: String!) { addReaction(messageId: $m, emoji: $e) { messageId } }"""
REMOVE = """
mutation ($m: ID!, $e: String!) { removeReaction(messageId: $m, emoji: $e) { messageId } }"""


async def test_a_partners_reaction_reaches_the_other_live_on_another_process(
    servers: list[ServerProcess], couple: Couple, http: httpx.AsyncClient
) -> None:
    one, two = servers
    message = await send_message(
        http, one.base_url, couple.a.token, couple.conversation_id, "movie tonight?"
    )
    ws = await GqlWs.open(two.base_url, {"token": couple.a.token})  # Alex, on process 2
    try:
        op = await ws.subscribe(REACTION_CHANGED, {"c": couple.conversation_id})
        await asyncio.sleep(0.3)  # the subscription is registered on the bus
        variables = {"m": message["id"], "e": "🍿"}
        await gql(http, one.base_url, couple.b.token, ADD, variables)
        expected: dict[str, Any] = {
            "messageId": message["id"],
            "conversationId": couple.conversation_id,
            "reactions": [
                {"emoji": "🍿", "count": 1, "reactedByMe": False, "partnerRoles": ["PARTNER_B"]}
            ],
        }
        assert (await op.next())["reactionChanged"] == expected
        await gql(http, one.base_url, couple.b.token, ADD, variables)  # changes nothing
        await gql(http, one.base_url, couple.b.token, REMOVE, variables)
        assert (await op.next())["reactionChanged"]["reactions"] == []
        await op.nothing()
    finally:
        await ws.close()


async def test_another_couples_conversation_is_not_found_on_subscribe(
    servers: list[ServerProcess],
    couple: Couple,
    http: httpx.AsyncClient,
    shared_sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    outsiders = await make_partners(shared_sessionmaker, http, servers[0].base_url)
    ws = await GqlWs.open(servers[1].base_url, {"token": outsiders.a.token})
    try:
        op = await ws.subscribe(REACTION_CHANGED, {"c": couple.conversation_id})
        message = await op.message()
        errors = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
        assert [error["extensions"]["code"] for error in errors] == ["NOT_FOUND"]
    finally:
        await ws.close()
