"""Another couple's ids, tried on every subscription and realtime mutation, answer NOT_FOUND
exactly like ids that do not exist; and a well-formed token signed with another secret is
refused for its signature."""

from __future__ import annotations

import time
import uuid
from typing import Any

import httpx
import jwt
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.procs import ServerProcess
from tests.realtime_ws.client import Closed, GqlWs
from tests.realtime_ws.conftest import Couple, make_partners

pytestmark = pytest.mark.asyncio(loop_scope="session")

SUBSCRIPTIONS = {
    "typing": "subscription ($id: ID!) { typing(conversationId: $id) { isTyping } }",
    "receipts": "subscription ($id: ID!) { receipts(conversationId: $id) { status } }",
    "messageAnalyzed": (
        "subscription ($id: ID!) { messageAnalyzed(conversationId: $id) { messageId } }"
    ),
    "presence": "subscription ($id: ID) { presence(relationshipId: $id) { status } }",
    "gestures": "subscription ($id: ID) { gestures(relationshipId: $id) { __typename } }",
    "reactionChanged": (
        "subscription ($id: ID!) { reactionChanged(conversationId: $id) { messageId } }"
    ),
}
TARGET = {  # which id of the couple each operation takes
    "typing": "conversation",
    "receipts": "conversation",
    "messageAnalyzed": "conversation",
    "presence": "relationship",
    "gestures": "relationship",
    "reactionChanged": "conversation",
}


def _errors(message: dict[str, Any]) -> list[dict[str, Any]]:
    payload = message["payload"]
    return payload if message["type"] == "error" else payload["errors"]


async def _subscription_codes(
    server: ServerProcess, token: str, name: str, target_id: str
) -> list[str]:
    ws = await GqlWs.open(server.base_url, {"token": token})
    try:
        op = await ws.subscribe(SUBSCRIPTIONS[name], {"id": target_id})
        return [e["extensions"]["code"] for e in _errors(await op.message())]
    finally:
        await ws.close()


@pytest.mark.parametrize("name", sorted(SUBSCRIPTIONS))
async def test_another_couples_ids_are_not_found_on_every_subscription(
    servers: list[ServerProcess],
    couple: Couple,
    http: httpx.AsyncClient,
    shared_sessionmaker: async_sessionmaker[AsyncSession],
    name: str,
) -> None:
    other = await make_partners(shared_sessionmaker, http, servers[0].base_url)
    target = couple.conversation_id if TARGET[name] == "conversation" else couple.relationship_id
    theirs = await _subscription_codes(servers[1], other.a.token, name, target)
    unknown = await _subscription_codes(servers[1], other.a.token, name, str(uuid.uuid4()))
    assert theirs == unknown == ["NOT_FOUND"]


MUTATIONS = {
    "setTyping": (
        "mutation ($id: ID!) { setTyping(conversationId: $id, isTyping: true) }",
        "conversation",
    ),
    "generateGestureMessage": (
        "mutation ($id: ID) { generateGestureMessage(input: {relationshipId: $id, "
        "gestureType: HUG}) { message } }",
        "relationship",
    ),
    "sendGesture": (
        "mutation ($id: ID) { sendGesture(input: {relationshipId: $id, gestureType: KISS}) "
        "{ recipientOnline } }",
        "relationship",
    ),
}


@pytest.mark.parametrize("name", sorted(MUTATIONS))
async def test_another_couples_ids_are_not_found_on_realtime_mutations(
    servers: list[ServerProcess],
    couple: Couple,
    http: httpx.AsyncClient,
    shared_sessionmaker: async_sessionmaker[AsyncSession],
    name: str,
) -> None:
    other = await make_partners(shared_sessionmaker, http, servers[0].base_url)
    query, kind = MUTATIONS[name]
    target = couple.conversation_id if kind == "conversation" else couple.relationship_id
    codes = []
    for target_id in (target, str(uuid.uuid4())):
        response = await http.post(
            f"{servers[0].base_url}/graphql",
            json={"query": query, "variables": {"id": target_id}},
            headers={"Authorization": f"Bearer {other.a.token}"},
        )
        body = response.json()
        assert response.status_code == 200 and body["data"] is None, body
        codes.append([e["extensions"]["code"] for e in body["errors"]])
    assert codes == [["NOT_FOUND"], ["NOT_FOUND"]]


async def test_a_well_formed_token_with_another_secret_is_refused(
    servers: list[ServerProcess], couple: Couple
) -> None:
    claims = {"sub": str(couple.a.user_id), "exp": int(time.time()) + 600, "iat": int(time.time())}
    forged = jwt.encode(claims, "not-the-server-secret-but-long-enough-0123456789", "HS256")
    with pytest.raises(Closed) as refused:
        await GqlWs.open(servers[1].base_url, {"token": forged})
    assert refused.value.code == 4403
    # The same claims signed with the right secret are accepted, so the signature was the reason.
    ws = await GqlWs.open(servers[1].base_url, {"token": couple.a.token})
    await ws.close()
