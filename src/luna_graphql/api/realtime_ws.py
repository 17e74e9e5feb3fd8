"""A WebSocket's life: authenticate `connection_init`, count it for presence, close it when
its token expires, and release it when it ends.

Rejections close the socket with graphql-transport-ws's 4403 (Forbidden); a `subscribe`
before the acknowledgement gets 4401 (Unauthorized) from the protocol handler. While the
database does not answer, `connection_init` closes with 1013 (Try Again Later), which
graphql-ws clients retry. An expiring
token closes with 4403 too, which graphql-ws clients treat as retryable: they reconnect with
fresh `connectionParams`, resuming `messageAdded` with `afterSeq`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from strawberry.exceptions import ConnectionRejectionError
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import (
    ConnectionInitMessage,
    Message,
)

from luna_graphql.api.auth import bearer_token
from luna_graphql.api.context import LunaContext
from luna_graphql.api.direct_frames import enter_operation
from luna_graphql.api.realtime_runtime import realtime_of
from luna_graphql.db.outage import database_unavailable, unavailable
from luna_graphql.errors import LunaError, RateLimited, ServiceUnavailable

logger = logging.getLogger(__name__)

TOKEN_EXPIRED = 4403
TRY_AGAIN_LATER = 1013


@dataclass(slots=True, eq=False)
class SocketState:
    """What a socket holds beyond Strawberry's context: its presence row and expiry."""

    connection_id: uuid.UUID | None = None
    # Its bucket in `EXPIRIES` (shared by every socket expiring at the same instant).
    expiry: ExpiryKey | None = field(default=None, repr=False)
    closing: asyncio.Task[None] | None = field(default=None, repr=False)


ExpiryKey = tuple[asyncio.AbstractEventLoop, float]
_Bucket = tuple[ExpiryKey, asyncio.TimerHandle, dict[SocketState, LunaContext]]


class ExpiryBuckets:
    """Sockets whose tokens expire at the same instant share one timer.

    A timer rather than a task sleeping until `exp` (a task weighs over 1 KiB more), and one
    per instant rather than per socket (~0.5 KiB each with its arguments and context): `exp`
    is a whole second, and tokens minted together or with one lifetime share it.
    """

    __slots__ = ("_buckets",)

    def __init__(self) -> None:
        # key -> (the key itself, which every member state shares, its timer, its members)
        self._buckets: dict[ExpiryKey, _Bucket] = {}

    def add(self, expires_at: float, context: LunaContext, state: SocketState) -> None:
        loop = asyncio.get_running_loop()
        bucket = self._buckets.get((loop, expires_at))
        if bucket is None:
            key = (loop, expires_at)
            delay = max(0.0, expires_at - time.time())
            bucket = self._buckets[key] = (key, loop.call_later(delay, self._fire, key), {})
        bucket[2][state] = context
        state.expiry = bucket[0]

    def discard(self, state: SocketState) -> None:
        key, state.expiry = state.expiry, None
        bucket = self._buckets.get(key) if key is not None else None
        if bucket is None:
            return
        key, timer, members = bucket
        members.pop(state, None)
        if not members:
            timer.cancel()
            del self._buckets[key]

    def _fire(self, key: ExpiryKey) -> None:
        _key, _timer, members = self._buckets.pop(key)
        for state, context in members.items():
            state.expiry = None
            _expire(context, state)


EXPIRIES = ExpiryBuckets()


def token_from_params(params: dict[str, Any] | None) -> str | None:
    """`{"Authorization": "Bearer …"}` (any case) or `{"token": "…"}`."""
    if not params:
        return None
    for key, value in params.items():
        if isinstance(key, str) and key.lower() == "authorization" and isinstance(value, str):
            return bearer_token(value)
    token = params.get("token")
    return token.strip() or None if isinstance(token, str) else None


async def accept_socket(context: LunaContext) -> None:
    """Authenticate connection_init; raise ConnectionRejectionError to refuse (4403)."""
    token = token_from_params(context.connection_params)
    # Read once: the payload (token included) would otherwise stay for the socket's life.
    context.connection_params = None
    if token is None:
        raise ConnectionRejectionError({"code": "UNAUTHENTICATED"})
    try:
        context.viewer, expires_at = await context.runtime.verifier.verify_until(token)
    except LunaError as exc:
        raise ConnectionRejectionError({"code": exc.code.value}) from None
    state = SocketState()
    context.socket_state = state
    try:
        state.connection_id = await realtime_of(context).presence.connect(
            context.viewer.user_id,
            max_connections=context.settings.ws_max_connections_per_user,
        )
    except RateLimited:
        raise ConnectionRejectionError({"code": "RATE_LIMITED"}) from None
    except Exception as exc:
        if not database_unavailable(exc):
            raise
        logger.warning("socket refused, database unavailable (%s)", type(exc).__name__)
        raise unavailable() from None
    EXPIRIES.add(expires_at, context, state)


async def release_socket(context: LunaContext | None) -> None:
    """The socket ended (whoever closed it): stop its timer, drop its presence row."""
    state: SocketState | None = getattr(context, "socket_state", None)
    if context is None or state is None:
        return
    EXPIRIES.discard(state)
    if state.closing is not None:
        state.closing.cancel()
    if state.connection_id is not None:
        connection_id, state.connection_id = state.connection_id, None
        # Never raises: a goodbye the database missed is retried by the presence loop.
        await realtime_of(context).presence.disconnect(connection_id)


def _expire(context: LunaContext, state: SocketState) -> None:
    # Kept on the state so the task is not garbage-collected halfway through the close.
    state.closing = asyncio.create_task(_close_expired(context))


async def _close_expired(context: LunaContext) -> None:
    websocket = context.response
    with contextlib.suppress(Exception):  # already closing or closed: nothing to do
        await websocket.close(code=TOKEN_EXPIRED, reason="Token expired")


SHARED_QUERIES_MAX = 256  # distinct subscription texts kept; past that, not shared
SHARED_QUERY_MAX_CHARS = 4096  # so the kept texts stay under ~1 MiB in all
_shared_queries: dict[str, str] = {}


def shared_query(query: str) -> str:
    """One string for each repeated document text: every subscription's operation keeps its
    query for its life, and clients send the same few documents."""
    shared = _shared_queries.get(query)
    if shared is not None:
        return shared
    if len(query) <= SHARED_QUERY_MAX_CHARS and len(_shared_queries) < SHARED_QUERIES_MAX:
        _shared_queries[query] = query
    return query


class TransportWSHandler(BaseGraphQLTransportWSHandler[LunaContext, None]):
    """Strawberry's graphql-transport-ws handler, lighter on idle sockets."""

    async def handle_message(self, message: Message) -> None:
        raw: object = message  # any JSON value reaches here
        payload = raw.get("payload") if isinstance(raw, dict) else None
        if isinstance(payload, dict) and isinstance(payload.get("query"), str):
            payload["query"] = shared_query(payload["query"])
        await super().handle_message(message)
        # Strawberry's read loop keeps the last message in a local until the next one
        # arrives, which on an idle socket is its whole life (~0.4 KiB of dicts); whoever
        # needed its parts (the operation, the context) took them while it was handled.
        if isinstance(raw, dict):
            raw.clear()

    async def run_operation(self, operation: Operation[LunaContext, None]) -> None:
        # The operation's own task: its resolver learns which operation it serves here.
        slot = enter_operation(operation)
        try:
            await super().run_operation(operation)
        finally:
            slot.clear()

    async def handle_connection_init(self, message: ConnectionInitMessage) -> None:
        try:
            await super().handle_connection_init(message)
        except ServiceUnavailable:
            await self.websocket.close(code=TRY_AGAIN_LATER, reason="Service unavailable")
        # The cancelled init-timeout task stays referenced for the socket's whole life,
        # holding its CancelledError, traceback and frames (~1.6 KiB per idle socket). Once
        # it has finished, shutdown has nothing to wait for.
        task = self.connection_init_timeout_task
        if task is not None and task.done():
            self.connection_init_timeout_task = None
