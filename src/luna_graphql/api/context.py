"""What resolvers get: the app's runtime (factories, never open resources) and the viewer.

The same context serves HTTP (built per request) and WebSocket (built once per socket and
kept for its whole life), so it holds no session: each operation opens a short one through
`read()` or `write()`. `AppRuntime` is built by `app.py`, the composition root.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from luna_graphql.api.auth import TokenVerifier
from luna_graphql.errors import LunaError, Unauthenticated
from luna_graphql.rate_limit import RateLimiter
from luna_graphql.realtime.events import EventEmitter
from luna_graphql.services.access import Viewer
from luna_graphql.settings import Settings


@dataclass
class AppRuntime:
    """Process-wide collaborators, built once in the app's lifespan.

    `realtime` (bus, loaders, presence) and `assistant` are filled in by the realtime and
    Luna features; they are typed loosely here so the API core depends on neither.
    """

    settings: Settings
    sessionmaker: async_sessionmaker[AsyncSession]
    emitter: EventEmitter
    limiter: RateLimiter
    verifier: TokenVerifier
    realtime: Any = None
    assistant: Any = None


@dataclass(slots=True)
class LunaContext:
    """Per request (HTTP) or per socket (WebSocket).

    `viewer` is set from the Authorization header for HTTP; a WebSocket handler sets it from
    `connection_params` in `on_ws_connect`. `auth_error` remembers why a presented token
    was refused so that only fields needing a viewer fail, not introspection.

    Slotted: a WebSocket keeps its context for its whole life, one per idle socket.
    """

    runtime: AppRuntime
    viewer: Viewer | None = None
    auth_error: LunaError | None = None
    request_id: str | None = None
    request: Any = None
    response: Any = None
    connection_params: dict[str, Any] | None = None
    # Per-socket bookkeeping of the WebSocket handler (subscriptions, expiry); None on HTTP.
    socket_state: Any = None
    # DataLoaders by name, created on first use (see api/message_analysis.py).
    loaders: dict[str, Any] = field(default_factory=dict)

    @property
    def settings(self) -> Settings:
        return self.runtime.settings

    @property
    def emitter(self) -> EventEmitter:
        return self.runtime.emitter

    def require_viewer(self) -> Viewer:
        if self.viewer is not None:
            return self.viewer
        raise self.auth_error or Unauthenticated("Authentication required")

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        """A session for reads; its transaction is rolled back when the block ends."""
        async with self.runtime.sessionmaker() as session:
            yield session

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncSession]:
        """A session whose transaction commits when the block ends without error.

        Events emitted inside ride this transaction: delivered on COMMIT, dropped on rollback.
        """
        async with self.runtime.sessionmaker.begin() as session:
            yield session
