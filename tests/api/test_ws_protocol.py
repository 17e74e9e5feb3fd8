"""The lean uvicorn WebSocket protocol, served by a real uvicorn to a real WebSocket client."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import os
import socket
from collections.abc import AsyncIterator
from typing import Any

import pytest
import uvicorn
from websockets.asyncio.client import connect

from luna_graphql.api.direct_frames import SEND_NOW
from luna_graphql.api.ws_parts import Gate, Inbox
from luna_graphql.api.ws_protocol import WS_PROTOCOL, LeanWebSocketProtocol, PingRound

Receive = Any
Send = Any


class EchoApp:
    """Accepts, echoes each text message, and records every event it received."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        self.waiting = asyncio.Event()
        self.done = asyncio.Event()

    async def __call__(self, scope: dict[str, Any], receive: Receive, send: Send) -> None:
        assert scope["type"] == "websocket"
        assert (await receive())["type"] == "websocket.connect"
        await send({"type": "websocket.accept"})
        try:
            while True:
                self.waiting.set()
                event = await receive()
                self.waiting.clear()
                self.events.append(event)
                if event["type"] == "websocket.disconnect":
                    return
                await send({"type": "websocket.send", "text": event["text"]})
        finally:
            self.done.set()


@contextlib.asynccontextmanager
async def serving(app: EchoApp, **options: Any) -> AsyncIterator[tuple[str, uvicorn.Server]]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        ws=WS_PROTOCOL,
        log_level="warning",
        lifespan="off",
        **options,
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.01)
    try:
        yield f"ws://127.0.0.1:{port}/", server
    finally:
        server.should_exit = True
        await task


def only_connection(server: uvicorn.Server) -> LeanWebSocketProtocol:
    (protocol,) = server.server_state.connections
    assert isinstance(protocol, LeanWebSocketProtocol)
    return protocol


async def test_reading_resumes_after_each_message_and_the_handshake_is_not_kept() -> None:
    app = EchoApp()
    async with serving(app) as (url, server), connect(url) as client:
        # uvicorn pauses reading once a message is queued and resumes when the app has
        # emptied the queue: a burst only gets through if `empty()` says so at the right time.
        for i in range(50):
            await client.send(f"m{i}")
        replies = [await asyncio.wait_for(client.recv(), 5) for _ in range(50)]
        assert replies == [f"m{i}" for i in range(50)]
        protocol = only_connection(server)
        assert not hasattr(protocol, "request")
        assert not hasattr(protocol, "response")
        # websockets' parser generator still holds the handshake request: emptied.
        request = protocol.conn.parser.gi_frame.f_locals["request"]
        assert list(request.headers.raw_items()) == []
        assert isinstance(protocol.queue, Inbox)
        assert protocol.queue.empty()


async def test_a_disconnect_reaches_the_app_waiting_in_receive() -> None:
    app = EchoApp()
    async with serving(app) as (url, _server):
        async with connect(url) as client:
            await client.send("hello")
            assert await client.recv() == "hello"
            await asyncio.wait_for(app.waiting.wait(), 5)
        await asyncio.wait_for(app.done.wait(), 5)
    assert app.events[-1]["type"] == "websocket.disconnect"
    assert app.events[-1]["code"] == 1000


async def test_inbox_wakes_its_reader_and_keeps_items_across_a_cancel() -> None:
    inbox = Inbox()
    reader = asyncio.create_task(inbox.get())
    await asyncio.sleep(0)
    inbox.put_nowait("a")
    assert await reader == "a"
    assert inbox.empty()

    cancelled = asyncio.create_task(inbox.get())
    await asyncio.sleep(0)
    inbox.put_nowait("b")  # wakes the reader, which is cancelled before it runs
    cancelled.cancel()
    with pytest.raises(asyncio.CancelledError):
        await cancelled
    assert not inbox.empty()
    assert await inbox.get() == "b"


async def test_gate_blocks_while_closed_and_one_cancelled_waiter_spares_the_others() -> None:
    gate = Gate()
    assert await gate.wait()
    gate.clear()
    first = asyncio.create_task(gate.wait())
    second = asyncio.create_task(gate.wait())
    await asyncio.sleep(0.01)
    assert not first.done() and not second.done()
    first.cancel()
    with pytest.raises(asyncio.CancelledError):
        await first
    await asyncio.sleep(0.01)
    assert not second.done()
    gate.set()
    assert await asyncio.wait_for(second, 1)
    assert gate.is_set()


async def test_repeated_header_pairs_are_shared_between_sockets() -> None:
    app = EchoApp()
    async with serving(app) as (url, server), connect(url) as one, connect(url) as two:
        await one.send("x")
        await two.send("y")
        assert {await one.recv(), await two.recv()} == {"x", "y"}
        protocols = list(server.server_state.connections)
        assert len(protocols) == 2
        pairs = [
            {pair[0].lower(): pair for pair in protocol.scope["headers"]} for protocol in protocols
        ]
        # The same host and upgrade pairs: one tuple for both sockets.
        assert pairs[0][b"host"] is pairs[1][b"host"]
        assert pairs[0][b"upgrade"] is pairs[1][b"upgrade"]
        # Each socket's own key stays its own.
        assert pairs[0][b"sec-websocket-key"] != pairs[1][b"sec-websocket-key"]


async def test_keepalive_pings_go_out_in_shared_rounds_and_stop_with_the_socket() -> None:
    app = EchoApp()
    options = {"ws_ping_interval": 0.3, "ws_ping_timeout": 2.0}
    async with serving(app, **options) as (url, server):
        async with connect(url) as one, connect(url) as two:
            await one.send("x")
            await two.send("y")
            assert {await one.recv(), await two.recv()} == {"x", "y"}
            protocols = list(server.server_state.connections)
            for protocol in protocols:
                assert isinstance(protocol.ping_timer, PingRound)
                assert protocol in protocol.ping_timer.members
            await asyncio.sleep(2.5)  # pings answered (rtt measured), the next ones in a round
            for protocol in protocols:
                assert protocol.last_ping_rtt > 0
                assert isinstance(protocol.ping_timer, PingRound) or protocol.pending_ping_payload
            await one.send("still open")
            assert await one.recv() == "still open"
        for _ in range(100):
            if not server.server_state.connections:
                break
            await asyncio.sleep(0.01)
        assert not any(
            protocol in ping_round.members
            for ping_round in PingRound.rounds.values()
            for protocol in protocols
        )


class FloodApp:
    """Accepts, then writes through the SEND_NOW extension until the socket refuses."""

    def __init__(self) -> None:
        self.sent = 0
        self.refused = asyncio.Event()
        self.release = asyncio.Event()
        self.after_release: bool | None = None

    async def __call__(self, scope: dict[str, Any], receive: Receive, send: Send) -> None:
        assert (await receive())["type"] == "websocket.connect"
        await send({"type": "websocket.accept"})
        send_now = scope["extensions"][SEND_NOW]
        frame = "x" * 65536
        while send_now(frame):
            self.sent += 1
            await asyncio.sleep(0)  # the client is not reading: the kernel buffers fill up
        self.refused.set()
        await self.release.wait()
        self.after_release = send_now("after")
        await receive()  # until the client goes away


async def test_send_now_writes_at_once_and_refuses_instead_of_waiting_when_paused() -> None:
    app = FloodApp()
    async with serving(app) as (url, server):
        host, port = url.removeprefix("ws://").rstrip("/").split(":")
        # A raw client that completes the handshake and then stops reading (a StreamReader
        # stops taking bytes from the kernel once its buffer is full).
        reader, writer = await asyncio.open_connection(host, int(port))
        key = base64.b64encode(os.urandom(16)).decode()
        writer.write(
            f"GET / HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
            "Sec-WebSocket-Version: 13\r\n\r\n".encode()
        )
        assert b" 101 " in await reader.readuntil(b"\r\n\r\n")
        await asyncio.wait_for(app.refused.wait(), 10)
        protocol = only_connection(server)
        assert not protocol.writable.is_set()  # refused because the transport paused
        assert app.sent > 0
        # Reading drains the buffers; the transport resumes and writing works again.
        frame_size = 2 + 8 + 65536  # an unmasked server frame with a 64-bit length
        await reader.readexactly(app.sent * frame_size)
        for _ in range(200):
            if protocol.writable.is_set():
                break
            await asyncio.sleep(0.01)
        app.release.set()
        assert await asyncio.wait_for(reader.readexactly(7), 10) == b"\x81\x05after"
        assert app.after_release is True
        writer.close()
