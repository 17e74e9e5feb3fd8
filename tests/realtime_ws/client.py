"""A small graphql-transport-ws client over `websockets`, plus HTTP helpers, for tests."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect

PROTOCOL = "graphql-transport-ws"


class Closed(Exception):
    def __init__(self, code: int | None, reason: str) -> None:
        super().__init__(f"socket closed: {code} {reason}")
        self.code = code
        self.reason = reason


class Operation:
    def __init__(self, client: GqlWs, op_id: str) -> None:
        self.client = client
        self.id = op_id
        self.queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()

    async def message(self, timeout: float = 10.0) -> dict[str, Any]:
        """The next protocol message for this operation (next / error / complete)."""
        get = asyncio.ensure_future(self.queue.get())
        closed = asyncio.ensure_future(self.client.closed.wait())
        try:
            done, _ = await asyncio.wait(
                {get, closed}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
            )
        finally:
            closed.cancel()
        if get in done:
            return get.result()
        get.cancel()
        if self.client.closed.is_set():
            raise Closed(self.client.close_code, self.client.close_reason)
        raise TimeoutError(f"no message for operation {self.id} in {timeout}s")

    async def next(self, timeout: float = 10.0) -> dict[str, Any]:
        """The data of the next result; fails on errors."""
        message = await self.message(timeout)
        assert message["type"] == "next", message
        assert "errors" not in message["payload"], message
        return message["payload"]["data"]

    async def nothing(self, wait: float = 0.5) -> None:
        with contextlib.suppress(TimeoutError):
            message = await self.message(wait)
            raise AssertionError(f"unexpected message: {message}")

    async def complete(self) -> None:
        await self.client.send({"id": self.id, "type": "complete"})


class GqlWs:
    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.ops: dict[str, Operation] = {}
        self.control: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.closed = asyncio.Event()
        self.close_code: int | None = None
        self.close_reason = ""
        self._ids = itertools.count(1)
        self._reader = asyncio.create_task(self._read())

    @classmethod
    async def open(
        cls,
        base_url: str,
        params: dict[str, Any] | None = None,
        *,
        init: bool = True,
        origin: str | None = None,
    ) -> GqlWs:
        url = base_url.replace("http://", "ws://") + "/graphql"
        headers = {"Origin": origin} if origin else None
        ws = await connect(
            url,
            subprotocols=[PROTOCOL],
            additional_headers=headers,
            max_size=2**24,
            open_timeout=10,
        )  # type: ignore[list-item]
        client = cls(ws)
        if init:
            await client.send({"type": "connection_init", "payload": params or {}})
            ack = await client.control_message()
            assert ack["type"] == "connection_ack", ack
        return client

    async def _read(self) -> None:
        try:
            async for raw in self.ws:
                message = json.loads(raw)
                if message.get("type") == "ping":
                    await self.send({"type": "pong"})
                elif "id" in message and message["id"] in self.ops:
                    await self.ops[message["id"]].queue.put(message)
                else:
                    await self.control.put(message)
        except Exception:
            pass
        finally:
            self.close_code = self.ws.close_code
            self.close_reason = self.ws.close_reason or ""
            self.closed.set()

    async def control_message(self, timeout: float = 10.0) -> dict[str, Any]:
        get = asyncio.ensure_future(self.control.get())
        closed = asyncio.ensure_future(self.closed.wait())
        done, _ = await asyncio.wait(
            {get, closed}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
        )
        closed.cancel()
        if get in done:
            return get.result()
        get.cancel()
        raise Closed(self.close_code, self.close_reason)

    async def send(self, message: dict[str, Any]) -> None:
        await self.ws.send(json.dumps(message))

    async def subscribe(self, query: str, variables: dict[str, Any] | None = None) -> Operation:
        op = Operation(self, str(next(self._ids)))
        self.ops[op.id] = op
        await self.send(
            {
                "id": op.id,
                "type": "subscribe",
                "payload": {"query": query, "variables": variables or {}},
            }
        )
        return op

    async def wait_closed(self, timeout: float = 10.0) -> tuple[int | None, str]:
        await asyncio.wait_for(self.closed.wait(), timeout)
        return self.close_code, self.close_reason

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await self.ws.close()
        self._reader.cancel()
        await asyncio.gather(self._reader, return_exceptions=True)


async def gql(
    client: httpx.AsyncClient,
    base_url: str,
    token: str,
    query: str,
    variables: dict[str, Any] | None = None,
) -> dict[str, Any]:
    response = await client.post(
        f"{base_url}/graphql",
        json={"query": query, "variables": variables or {}},
        headers={"Authorization": f"Bearer {token}"},
    )
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


MESSAGE_ADDED = """
subscription ($c: ID!, $s: Int) {
  messageAdded(conversationId: $c, afterSeq: $s) { id seq content senderId isMine lunaIntervened }
}"""

SEND = """
mutation ($c: ID!, $t: String!) {
  sendMessage(input: {conversationId: $c, content: $t}) { ... on MessageSent { message { id seq } } }
}"""

CONVERSATION = "{ conversation { id relationshipId } }"


async def send_message(
    client: httpx.AsyncClient, base_url: str, token: str, conversation_id: str, text: str
) -> dict[str, Any]:
    data = await gql(client, base_url, token, SEND, {"c": conversation_id, "t": text})
    return data["sendMessage"]["message"]
