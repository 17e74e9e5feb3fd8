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
from typing import Any, ClassVar, cast

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.exceptions import InvalidState
from websockets.http11 import Request

from luna_graphql.api.direct_frames import SEND_NOW
from luna_graphql.api.ws_parts import Gate, Inbox

WS_PROTOCOL = "luna_graphql.api.ws_protocol:LeanWebSocketProtocol"


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

    def send_now(self, text: str) -> bool:
        """The `SEND_NOW` ASGI extension (see `direct_frames`): write a text frame at once if
        the socket can take it without waiting, else False and nothing is written (the app
        then sends it the usual way, which waits for the transport)."""
        if (
            not self.handshake_complete
            or self.close_sent
            or self.disconnected
            or not self.writable.is_set()
            or self.transport.is_closing()
        ):
            return False
        try:
            self.conn.send_text(text.encode())
        except InvalidState:  # closing from the peer's side
            return False
        self.transport.write(b"".join(self.conn.data_to_send()))
        return True

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
            # Our own extension key; its value is the callable itself (not the dict ASGI
            # extensions usually carry), one bound method per socket.
            extensions = cast(dict[str, Any], self.scope["extensions"])
            extensions[SEND_NOW] = self.send_now

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
