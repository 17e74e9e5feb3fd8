"""uvicorn's sans-I/O WebSocket protocol, lighter per idle socket.

`luna-graphql serve` selects it with `uvicorn.run(ws=WS_PROTOCOL)`, uvicorn's documented way
to name a protocol class by import string. It is `WebSocketsSansIOProtocol` (what `ws="auto"`
picks) with per-socket costs removed. An idle socket's Python allocations measured 38.9 KiB
under the stock class, 30.3 KiB with the first three changes below; shared headers and ping
rounds take off about 0.8 and 0.5 KiB more.

- the receive `asyncio.Queue` (three deques, and an Event with its own deque: ~3.3 KiB) becomes
  `Inbox`, a single-consumer queue holding a deque only while events wait;
- the `writable` `asyncio.Event` (~0.85 KiB) becomes `Gate`, which allocates waiters only while
  the transport has paused writing;
- the handshake `request` and `response` (websockets `Headers` and http11 objects, ~4.5 KiB)
  are dropped once the handshake answer is sent (the request's headers emptied, as websockets
  keeps the request itself); the ASGI scope keeps its own copy of what the app reads;
- and in that copy, header pairs that repeat across sockets (host, upgrade, user-agent...) are
  shared rather than held once per socket;
- the keepalive ping's timer (one per socket) becomes a membership in a `PingRound`, one
  timer per second for every socket due then.

It relies on uvicorn internals (`queue`, `writable`, `request`, `response`, `ping_timer`,
`handle_connect`, `start_keepalive`, `schedule_ping`, `stop_keepalive`, `send_keepalive_ping`,
`connection_lost`), so pyproject.toml pins uvicorn to the minor version it
was written against (0.54). Before moving the pin, re-read
`uvicorn/protocols/websockets/websockets_sansio_impl.py` for every use of those names, and
websockets' `ServerProtocol.parse` for what it does with the handshake request.
"""

from __future__ import annotations

import asyncio
import math
from collections import deque
from typing import Any, ClassVar, cast

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.http11 import Request

WS_PROTOCOL = "luna_graphql.api.ws_protocol:LeanWebSocketProtocol"


class Inbox:
    """The receive queue: uvicorn's `put_nowait`, `get` and `empty`, for one consumer.

    `asyncio.Queue` allocates three deques (and an Event) per socket whether anything waits
    or not. Here an idle socket holds two empty slots: a deque exists only while events wait,
    a future only while the app waits. Events always go through the deque, so a consumer
    cancelled after being woken loses nothing (as with `asyncio.Queue`).
    """

    __slots__ = ("_items", "_waiter")

    def __init__(self) -> None:
        self._items: deque[Any] | None = None
        self._waiter: asyncio.Future[None] | None = None

    def put_nowait(self, item: Any) -> None:
        if self._items is None:
            self._items = deque()
        self._items.append(item)
        waiter = self._waiter
        if waiter is not None:
            self._waiter = None
            if not waiter.done():
                waiter.set_result(None)

    def empty(self) -> bool:
        return not self._items

    async def get(self) -> Any:
        while not self._items:
            if self._waiter is not None:
                # uvicorn's ASGI `receive` has one reader per socket (Starlette's WebSocket,
                # Strawberry's handler); a second one would take the first one's wake-up.
                raise RuntimeError("concurrent receive() on one WebSocket")
            waiter = self._waiter = asyncio.get_running_loop().create_future()
            try:
                await waiter
            finally:
                if self._waiter is waiter:  # cancelled before any put
                    self._waiter = None
        items = self._items
        item = items.popleft()
        if not items:
            self._items = None
        return item


class Gate:
    """`set`/`clear`/`wait`/`is_set` as uvicorn uses its `writable` event.

    Open nearly always (closed only while the transport's write buffer is over its high
    water mark); waiters' futures exist only while it is closed.
    """

    __slots__ = ("_open", "_waiters")

    def __init__(self) -> None:
        self._open = True
        self._waiters: list[asyncio.Future[None]] | None = None

    def is_set(self) -> bool:
        return self._open

    def set(self) -> None:
        self._open = True
        waiters, self._waiters = self._waiters, None
        for waiter in waiters or ():
            if not waiter.done():
                waiter.set_result(None)

    def clear(self) -> None:
        self._open = False

    async def wait(self) -> bool:
        if self._open:
            return True
        # One future per waiter, as asyncio.Event does: several operations of one socket can
        # wait to send, and cancelling one must not cancel the others' wait.
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        if self._waiters is None:
            self._waiters = []
        waiters = self._waiters
        waiters.append(waiter)
        try:
            await waiter
        finally:
            # Cancelled while still closed: forget this waiter. (Once `set` has run, the list
            # it took is no longer ours to edit, and this waiter is done.)
            if self._waiters is waiters:
                waiters.remove(waiter)
                if not waiters:
                    self._waiters = None
        return True


# Headers whose values repeat from socket to socket (one client library, one host, one
# origin): each (name, value) pair is kept once and shared by every scope that has it.
REPEATED_HEADERS = frozenset(
    {
        b"host",
        b"upgrade",
        b"connection",
        b"origin",
        b"user-agent",
        b"sec-websocket-version",
        b"sec-websocket-protocol",
        b"sec-websocket-extensions",
        b"accept-encoding",
        b"accept-language",
        b"cache-control",
        b"pragma",
    }
)
SHARED_HEADERS_MAX = 1024  # distinct pairs kept; past that, new ones are simply not shared
_shared_headers: dict[tuple[bytes, bytes], tuple[bytes, bytes]] = {}


def share_headers(headers: list[tuple[bytes, bytes]]) -> None:
    """Swap, in place, each repeated header pair for the one already shared (~0.8 KiB per
    socket: the ASGI scope keeps its headers for the socket's life)."""
    for index, pair in enumerate(headers):
        if pair[0].lower() not in REPEATED_HEADERS:
            continue
        shared = _shared_headers.get(pair)
        if shared is None:
            if len(_shared_headers) < SHARED_HEADERS_MAX:
                _shared_headers[pair] = pair
        else:
            headers[index] = shared


class PingRound:
    """The keepalive pings due in one second, for every socket due then: one timer for all.

    uvicorn arms a TimerHandle per socket for its next ping (~0.7 KiB each with uvloop's
    timer); sockets opened or answering in the same second share one round instead. A ping
    goes out up to a second later than uvicorn would send it (the interval is 20 s).
    """

    __slots__ = ("key", "members", "timer")

    rounds: ClassVar[dict[tuple[asyncio.AbstractEventLoop, int], PingRound]] = {}

    def __init__(self, loop: asyncio.AbstractEventLoop, due: int) -> None:
        self.key = (loop, due)
        self.members: set[LeanWebSocketProtocol] = set()
        self.timer = loop.call_at(due, self._fire)

    @classmethod
    def join(cls, protocol: LeanWebSocketProtocol, when: float) -> PingRound:
        loop = protocol.loop
        due = math.ceil(when)
        ping_round = cls.rounds.get((loop, due))
        if ping_round is None:
            ping_round = cls.rounds[(loop, due)] = cls(loop, due)
        ping_round.members.add(protocol)
        return ping_round

    def leave(self, protocol: LeanWebSocketProtocol) -> None:
        self.members.discard(protocol)
        if not self.members:
            self.timer.cancel()
            if self.rounds.get(self.key) is self:
                del self.rounds[self.key]

    def _fire(self) -> None:
        if self.rounds.get(self.key) is self:
            del self.rounds[self.key]
        members, self.members = self.members, set()
        for protocol in members:
            try:
                protocol.send_keepalive_ping()  # clears its `ping_timer`, sends, arms its pong wait
            except Exception:
                protocol.logger.exception("WebSocket keepalive ping failed")


class LeanWebSocketProtocol(WebSocketsSansIOProtocol):
    """`WebSocketsSansIOProtocol` with the lighter queue and gate, and no kept handshake."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Replaced right after construction (the base class builds them in __init__); uvicorn
        # only calls put_nowait/get/empty on the queue and set/clear/wait on `writable`.
        self.queue = Inbox()  # type: ignore[assignment]
        self.writable = Gate()  # type: ignore[assignment]

    def handle_connect(self, event: Request) -> None:
        super().handle_connect(event)
        # uvicorn reads `self.request` nowhere after storing it; the scope has the path and
        # headers the app needs. websockets' parser (a generator) keeps the same Request in
        # a local for the connection's life, so its headers are emptied too (~1.7 KiB).
        del self.request
        event.headers.clear()
        if self.handshake_complete:
            # Refused by websockets (not a valid upgrade): the answer has been sent.
            self._drop_response()
        else:
            headers = self.scope["headers"]
            if isinstance(headers, list):  # uvicorn builds a list
                share_headers(headers)

    def start_keepalive(self) -> None:
        # Called right after `send` wrote the accepted handshake response, its last use.
        self._drop_response()
        super().start_keepalive()

    def schedule_ping(self) -> None:
        # As uvicorn's, in a shared `PingRound` instead of a timer of its own. Only
        # `stop_keepalive` (below) and `send_keepalive_ping` (which sets None) touch
        # `ping_timer` otherwise.
        assert self.ping_interval is not None
        delay = max(0.0, self.ping_interval - self.last_ping_rtt)
        self.ping_timer = PingRound.join(self, self.loop.time() + delay)  # type: ignore[assignment]

    def stop_keepalive(self) -> None:
        ping_round = cast(PingRound | None, self.ping_timer)
        if ping_round is not None:
            self.ping_timer = None
            ping_round.leave(self)
        super().stop_keepalive()

    def connection_lost(self, exc: Exception | None) -> None:
        # Lost before the app accepted (or the app refused): no handshake will be sent.
        super().connection_lost(exc)
        self._drop_response()

    def _drop_response(self) -> None:
        self.__dict__.pop("response", None)
