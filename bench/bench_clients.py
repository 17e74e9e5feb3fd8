"""Lean clients, so the benchmark measures the server rather than the client library:
a keep-alive HTTP/1.1 POSTer on raw asyncio streams, and graphql-transport-ws subscribers."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from typing import Any

from websockets.asyncio.client import ClientConnection, connect

SEND = (
    "mutation($c:ID!,$t:String!){sendMessage(input:{conversationId:$c,content:$t})"
    "{...on MessageSent{message{seq}}}}"
)
MESSAGE_ADDED = (
    "subscription($c:ID!,$s:Int){messageAdded(conversationId:$c,afterSeq:$s){id seq content}}"
)


class RawHttp:
    """One keep-alive connection; requests on it are sequential."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def connect(self) -> RawHttp:
        self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
        return self

    async def send_message(self, token: str, conversation_id: str, text: str) -> dict[str, Any]:
        body = json.dumps({"query": SEND, "variables": {"c": conversation_id, "t": text}}).encode()
        head = (
            f"POST /graphql HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
            f"Content-Type: application/json\r\nAuthorization: Bearer {token}\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode()
        assert self._reader is not None and self._writer is not None
        self._writer.write(head + body)
        headers = await self._reader.readuntil(b"\r\n\r\n")
        length = 0
        for line in headers.split(b"\r\n"):
            if line[:15].lower() == b"content-length:":
                length = int(line[15:])
        payload: dict[str, Any] = json.loads(await self._reader.readexactly(length))
        if "errors" in payload or not headers.startswith(b"HTTP/1.1 200"):
            raise RuntimeError(f"sendMessage failed: {headers[:40]!r} {payload}")
        return payload

    async def post(self, path: str) -> bytes:
        """An empty POST (the fan-out floor's trigger); the response body."""
        assert self._reader is not None and self._writer is not None
        self._writer.write(
            f"POST {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
            "Content-Length: 0\r\n\r\n".encode()
        )
        headers = await self._reader.readuntil(b"\r\n\r\n")
        length = 0
        for line in headers.split(b"\r\n"):
            if line[:15].lower() == b"content-length:":
                length = int(line[15:])
        return await self._reader.readexactly(length)

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.close()


class Subscriber:
    """One socket with one messageAdded subscription; calls on_message(seq, t) per message."""

    def __init__(self, ws: ClientConnection, on_message: Callable[[int, float], None]) -> None:
        self.ws = ws
        self.on_message = on_message
        self.task: asyncio.Task[None] | None = None

    @classmethod
    async def open(
        cls,
        base_url: str,
        token: str,
        conversation_id: str,
        on_message: Callable[[int, float], None],
        after_seq: int | None = None,
    ) -> Subscriber:
        ws = await connect(
            base_url.replace("http://", "ws://") + "/graphql",
            subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
            open_timeout=60,
            ping_interval=None,
            compression=None,
        )
        await ws.send(json.dumps({"type": "connection_init", "payload": {"token": token}}))
        ack = json.loads(await ws.recv())
        if ack.get("type") != "connection_ack":
            raise RuntimeError(f"not acknowledged: {ack}")
        subscribe = {
            "id": "1",
            "type": "subscribe",
            "payload": {
                "query": MESSAGE_ADDED,
                "variables": {"c": conversation_id, "s": after_seq},
            },
        }
        await ws.send(json.dumps(subscribe))
        sub = cls(ws, on_message)
        sub.task = asyncio.create_task(sub._read())
        return sub

    async def _read(self) -> None:
        async for raw in self.ws:
            now = time.perf_counter()
            seq = find_seq(str(raw))
            if seq is not None:
                self.on_message(seq, now)

    async def close(self) -> None:
        if self.task is not None:
            self.task.cancel()
        await self.ws.close()


def find_seq(raw: str) -> int | None:
    """The seq of a `next` frame without parsing all of it (cheap enough for fan-out timing)."""
    start = raw.find('"seq"')
    if start < 0:
        return None
    i = raw.index(":", start) + 1
    while raw[i] == " ":
        i += 1
    j = i
    while raw[j].isdigit():
        j += 1
    return int(raw[i:j])


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]
