"""Composition root: the only module that wires concrete adapters together."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route, WebSocketRoute

from luna_graphql.ai import offload
from luna_graphql.ai.factory import build_assistant_from_settings, close_assistant
from luna_graphql.api.auth import TokenVerifier
from luna_graphql.api.context import AppRuntime
from luna_graphql.api.cors import cors_middleware
from luna_graphql.api.http import BodySizeLimit, SocketsFirst, build_graphql_app
from luna_graphql.api.realtime_runtime import Realtime
from luna_graphql.api.schema import build_schema
from luna_graphql.crypto import TextCipher, install_cipher
from luna_graphql.db.engine import build_engine, build_sessionmaker
from luna_graphql.rate_limit import RateLimiter
from luna_graphql.realtime.bus import build_bus
from luna_graphql.services.analysis_worker import start_analysis_worker
from luna_graphql.services.delivery import DeliveryTracker
from luna_graphql.services.message_loader import MessageLoader
from luna_graphql.services.message_rows import create_row_pool
from luna_graphql.services.message_stream import prefetch_added_message
from luna_graphql.services.presence_node import PresenceNode
from luna_graphql.settings import Settings

log = logging.getLogger(__name__)

# How long shutdown waits for delivery marks still retrying (the database is down).
SHUTDOWN_MARKS_S = 5.0


@asynccontextmanager
async def run_realtime(
    settings: Settings, database_url: str, sessionmaker: async_sessionmaker[AsyncSession]
) -> AsyncIterator[Realtime]:
    """The process's realtime runtime, from start (one LISTEN connection) to goodbye."""
    # The emitter matches the bus: pg_notify in the write's transaction for PostgreSQL,
    # publish-after-COMMIT for memory:// and redis://.
    bus = build_bus(settings.bus_url or database_url, queue_size=settings.subscriber_queue_size)
    # Stream reads and delivery marks run per event per process: raw asyncpg, a pool of
    # their own (see services/message_rows.py for why).
    rows = await create_row_pool(database_url, max_size=settings.db_pool_size)
    realtime = Realtime(
        bus=bus,
        loader=MessageLoader(rows),
        delivery=DeliveryTracker(rows, bus),
        presence=PresenceNode(
            sessionmaker,
            bus.emitter,
            offline_after_s=settings.presence_offline_after_s,
            heartbeat_s=settings.presence_heartbeat_s,
        ),
        row_pool=rows,
    )
    bus.prepare_with(partial(prefetch_added_message, realtime.loader))
    try:
        await bus.connect()
    except BaseException:
        await rows.close()
        raise
    heartbeat = asyncio.create_task(realtime.presence.run(), name="presence-heartbeat")
    try:
        yield realtime
    finally:
        # uvicorn has closed every socket by now (1012: clients resume elsewhere with
        # afterSeq); say goodbye for any presence rows left, then stop the bus.
        heartbeat.cancel()
        await asyncio.gather(heartbeat, return_exceptions=True)
        await realtime.presence.close()
        await realtime.delivery.wait_idle(timeout_s=SHUTDOWN_MARKS_S)
        await bus.disconnect()
        await rows.close()


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings()
    if settings.database_url is None:
        raise RuntimeError("create_app needs a database URL (the CLI starts an embedded one)")
    database_url = settings.database_url
    cipher = TextCipher.from_spec(settings.encryption_keys.get_secret_value())

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # Process-wide: the ORM's column types and the raw asyncpg paths read it per value.
        previous_cipher = install_cipher(cipher)
        # No pre-ping on the request path: one round trip less per request. A connection
        # the server closed is still replaced at checkout (see db/engine.py).
        engine = build_engine(
            database_url,
            pool_size=settings.db_pool_size,
            max_overflow=settings.db_max_overflow,
            pre_ping=False,
        )
        app.state.settings = settings
        app.state.engine = engine
        app.state.sessionmaker = sessionmaker = build_sessionmaker(engine)
        try:
            async with run_realtime(settings, database_url, sessionmaker) as realtime:
                app.state.runtime = AppRuntime(
                    settings=settings,
                    sessionmaker=sessionmaker,
                    emitter=realtime.bus.emitter,
                    limiter=RateLimiter.from_settings(settings),
                    verifier=TokenVerifier(settings),
                    realtime=realtime,
                    assistant=build_assistant_from_settings(settings),
                )
                # Background analysis drains the queue in every process; SKIP LOCKED shares
                # the work.
                analysis_assistant = build_assistant_from_settings(settings, fallback=False)
                worker = (
                    start_analysis_worker(
                        sessionmaker=sessionmaker,
                        assistant=analysis_assistant,
                        emitter=realtime.bus.emitter,
                        settings=settings,
                    )
                    if settings.analysis_worker_enabled
                    else None
                )
                try:
                    yield
                finally:
                    if worker is not None:
                        await worker.stop(timeout_s=5)
                    await close_assistant(analysis_assistant)
                    await close_assistant(app.state.runtime.assistant)
        finally:
            await engine.dispose()
            # close_assistant ends the local assistant's worker processes too; this also
            # ends them when a step before it failed.
            await offload.ashutdown()
            install_cipher(previous_cipher)

    async def healthz(request: Request) -> JSONResponse:
        """Readiness: the database answers and this process hears events (its LISTEN
        connection is up), i.e. it can take requests and keep sockets current."""
        checks = {"database": "ok", "listener": "ok"}
        try:
            async with asyncio.timeout(2.0):
                async with request.app.state.engine.connect() as connection:
                    await connection.execute(text("SELECT 1"))
        except Exception as exc:  # any failure means "not ready"; the reason is logged
            log.warning("health check failed: %s", type(exc).__name__)
            checks["database"] = "unreachable"
        if not request.app.state.runtime.realtime.bus.listening:
            checks["listener"] = "reconnecting"
        if checks["database"] != "ok":
            reason = "database unreachable"
        elif checks["listener"] != "ok":
            reason = "event listener reconnecting"
        else:
            return JSONResponse({"status": "ok", "checks": checks})
        return JSONResponse(
            {"status": "unavailable", "reason": reason, "checks": checks}, status_code=503
        )

    graphql = build_graphql_app(build_schema(settings), settings)
    return SocketsFirst(
        routes=[
            Route("/healthz", healthz),
            Route("/graphql", BodySizeLimit(graphql, max_bytes=settings.max_body_bytes)),
            WebSocketRoute("/graphql", graphql),  # reached only under a root_path
        ],
        middleware=cors_middleware(settings.allowed_origins),
        lifespan=lifespan,
        graphql=graphql,
        graphql_path="/graphql",
    )


def create_app_from_env() -> Starlette:
    """Factory for uvicorn workers, which rebuild settings from the environment."""
    app = create_app(Settings())
    tune_gc()
    return app


def tune_gc() -> None:
    """Keep the garbage collector off the long-lived heap in a server process (not tests').

    A process holds many long-lived objects: the schema, and per socket its frames, queues
    and protocol state. Freezing what start-up built takes it out of every scan, and a higher
    gen-0 threshold runs the collector less often during a fan-out burst: together a third
    less CPU per 1,000-socket fan-out. The threshold stays modest (10,000, not 50,000, which
    measured a 50% worse p99 latency from longer young collections).
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 10, 10)
