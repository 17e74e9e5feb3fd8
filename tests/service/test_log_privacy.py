"""No text partners write reaches the server's log.

A real `luna-graphql serve` gets a marker through every text input, as accepted input and
as input it refuses (a lone surrogate or NUL beside the marker, too long, malformed bodies,
a GET mutation, bad tokens, WebSocket frames), with encryption at rest off and on; then its
whole log output is searched for the marker.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from luna_graphql.api.auth import mint_token
from luna_graphql.crypto import generate_encryption_key
from luna_graphql.settings import Settings
from tests.api.helpers import SEND
from tests.factories import make_couple
from tests.gestures.helpers import ACKNOWLEDGE, SEND_GESTURE
from tests.luna.helpers import KNOWN, PREFERENCES, RESPOND, REVIEW, SEVERE
from tests.procs import ServerProcess, start_server, wait_healthy
from tests.reactions.helpers import ADD
from tests.realtime_ws.client import MESSAGE_ADDED, Closed, GqlWs

MARKER = "Q7MARKERZ"  # what a partner wrote; it must appear nowhere in the log
SECRET = "log-privacy-secret-0123456789abcdef0123456789"
SURROGATE = "\ud83d"
ANALYSED = "query($id: ID!) { message(id: $id) { analysis { status } } }"


class Client:
    """One partner's HTTP calls, bodies as ASCII JSON (so lone surrogates travel as the
    `\\u` escapes JavaScript sends)."""

    def __init__(self, http: httpx.AsyncClient, base_url: str, token: str) -> None:
        self.http, self.url = http, f"{base_url}/graphql"
        self.headers = {"Authorization": f"Bearer {token}", "content-type": "application/json"}

    async def call(self, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        body = json.dumps({"query": query, "variables": variables})
        response = await self.http.post(self.url, content=body, headers=self.headers)
        assert response.status_code < 500, response.text
        result: dict[str, Any] = response.json()
        return result

    async def ok(self, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        result = await self.call(query, variables)
        assert "errors" not in result, result
        data: dict[str, Any] = result["data"]
        return data

    async def refused(self, query: str, variables: dict[str, Any]) -> None:
        result = await self.call(query, variables)
        assert result.get("errors"), result

    async def raw(self, body: bytes, content_type: str = "application/json") -> None:
        headers = {**self.headers, "content-type": content_type}
        response = await self.http.post(self.url, content=body, headers=headers)
        assert 400 <= response.status_code < 500, response.text


async def accepted_inputs(a: Client, b: Client, conversation: str) -> str:
    """The marker through every text input that takes it; returns a message id."""
    sent = await a.ok(
        SEND,
        {
            "input": {
                "conversationId": conversation,
                "content": f"hello {MARKER}",
                "clientMessageId": f"{MARKER}-1",
            }
        },
    )
    message_id: str = sent["sendMessage"]["message"]["id"]
    review = await a.ok(
        REVIEW, {"input": {"conversationId": conversation, "draft": f"{KNOWN} {MARKER}"}}
    )
    suggestion = review["reviewMessage"]["suggestion"]["id"]
    await a.ok(
        RESPOND,
        {
            "input": {
                "suggestionId": suggestion,
                "action": "MODIFIED",
                "finalContent": f"I miss you {MARKER}",
                "clientMessageId": f"{MARKER}-2",
            }
        },
    )
    # A send that Luna stops: the draft is stored (encrypted when keys are set) and answered.
    await a.ok(PREFERENCES, {"input": {"suggestionMode": "ALWAYS"}})
    await a.ok(SEND, {"input": {"conversationId": conversation, "content": f"{SEVERE} {MARKER}"}})
    gesture = await b.ok(
        SEND_GESTURE,
        {
            "input": {
                "gestureType": "HUG",
                "message": f"hug {MARKER}",
                "clientGestureId": f"{MARKER}-g",
            }
        },
    )
    await a.ok(
        ACKNOWLEDGE,
        {
            "input": {
                "gestureId": gesture["sendGesture"]["gesture"]["id"],
                "sendBack": True,
                "sendBackMessage": f"back {MARKER}",
            }
        },
    )
    return message_id


async def refused_inputs(a: Client, conversation: str, message_id: str) -> None:
    """The marker beside what every text input refuses, and in malformed requests."""
    for bad in (SURROGATE, "\x00", "x" * 5001):
        await a.refused(SEND, {"input": {"conversationId": conversation, "content": MARKER + bad}})
        await a.refused(
            SEND,
            {
                "input": {
                    "conversationId": conversation,
                    "content": "hi",
                    "clientMessageId": MARKER + bad,
                }
            },
        )
        await a.refused(REVIEW, {"input": {"conversationId": conversation, "draft": MARKER + bad}})
        await a.refused(SEND_GESTURE, {"input": {"gestureType": "HUG", "message": MARKER + bad}})
        await a.refused(
            SEND_GESTURE, {"input": {"gestureType": "HUG", "clientGestureId": MARKER + bad}}
        )
        await a.refused(ADD, {"m": message_id, "e": MARKER + bad})
    await a.refused(SEND, {"input": {"conversationId": MARKER, "content": MARKER}})
    await a.refused(
        "query($c: ID!, $a: String) { messages(conversationId: $c, after: $a) { edges { cursor } } }",
        {"c": conversation, "a": MARKER},
    )
    await a.refused(f'{{ viewer {{ id }} {MARKER}: "', {})  # a syntax error
    await a.refused(f'mutation {{ sendMessage(input: {{content: "{MARKER}"}}) }}', {})
    for body in (
        f'{{"query": "{MARKER}'.encode(),
        json.dumps(MARKER).encode(),
        b'{"query": "{ __typename }", "x": "' + MARKER.encode() + b'\xff"}',
        b'{"query": "{ __typename }", "variables": {"v": '
        + b"[" * 5000
        + json.dumps(MARKER).encode()
        + b"]" * 5000
        + b"}}",
    ):
        await a.raw(body)
    await a.raw(json.dumps({"query": MARKER}).encode(), content_type="text/plain")
    refused_get = await a.http.get(
        a.url,
        params={
            "query": f'mutation {{ sendMessage(input: {{conversationId: "{conversation}", content: "{MARKER}"}}) {{ __typename }} }}',
            "variables": json.dumps({"t": MARKER}),
        },
    )
    assert 400 <= refused_get.status_code < 500, refused_get.text
    forged = await a.http.post(
        a.url, json={"query": "{ viewer { id } }"}, headers={"Authorization": f"Bearer {MARKER}"}
    )
    assert forged.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def socket_inputs(base_url: str, token: str, conversation: str) -> None:
    with pytest.raises(Closed):
        await GqlWs.open(base_url, {"token": MARKER})
    ws = await GqlWs.open(base_url, {"token": token})
    try:
        refused = await ws.subscribe(MESSAGE_ADDED, {"c": MARKER})
        assert (await refused.message())["type"] == "error"
        over_socket = await ws.subscribe(
            SEND, {"input": {"conversationId": conversation, "content": MARKER + SURROGATE}}
        )
        assert (await over_socket.message())["payload"]["errors"]
        # A frame nested too deeply for the server to read closes the socket.
        await ws.ws.send(
            '{"type": "ping", "payload": ' + "[" * 5000 + f'"{MARKER}"' + "]" * 5000 + "}"
        )
        assert (await ws.wait_closed())[0] == 4400
    finally:
        await ws.close()


async def wait_analysed(client: Client, message_id: str) -> None:
    """The background worker has read the marker's message (and logged whatever it logs)."""
    deadline = asyncio.get_running_loop().time() + 60
    while True:
        data = await client.ok(ANALYSED, {"id": message_id})
        if (data["message"]["analysis"] or {}).get("status") == "DONE":
            return
        assert asyncio.get_running_loop().time() < deadline, data
        await asyncio.sleep(0.1)


@pytest.mark.parametrize("encrypted", [False, True], ids=["plain", "encrypted"])
async def test_no_written_text_reaches_the_log(
    database_url: str, session: AsyncSession, tmp_path: Path, encrypted: bool
) -> None:
    couple = await make_couple(session)
    env = {
        "LUNA_DATABASE_URL": database_url,
        "LUNA_JWT_SECRET": SECRET,
        "LUNA_ASSISTANT_PROVIDER": "local",
        "LUNA_ANALYSIS_POLL_INTERVAL_S": "0.1",
    }
    if encrypted:
        env["LUNA_ENCRYPTION_KEYS"] = generate_encryption_key("k1")
    settings = Settings(_env_file=None, jwt_secret=SECRET)  # type: ignore[call-arg]
    token_a = mint_token(settings, couple.partner_a.id)
    token_b = mint_token(settings, couple.partner_b.id)
    server: ServerProcess = start_server(env, tmp_path)
    try:
        wait_healthy(server)
        async with httpx.AsyncClient(timeout=30) as http:
            a = Client(http, server.base_url, token_a)
            b = Client(http, server.base_url, token_b)
            conversation = (await a.ok("{ conversation { id } }", {}))["conversation"]["id"]
            message_id = await accepted_inputs(a, b, conversation)
            await refused_inputs(a, conversation, message_id)
            await socket_inputs(server.base_url, token_a, conversation)
            await wait_analysed(a, message_id)
    finally:
        server.stop()
    log = server.log()
    assert "POST /graphql" in log  # the access log was captured
    assert MARKER not in log, [line for line in log.splitlines() if MARKER in line]
    assert "Traceback" not in log, log
