"""Composition root: the only module that wires concrete adapters together."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import text
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from luna_graphql.db.engine import build_engine, build_sessionmaker
from luna_graphql.settings import Settings

log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings()
    if settings.database_url is None:
        raise RuntimeError("create_app needs a database URL (the CLI starts an embedded one)")
    database_url = settings.database_url

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        engine = build_engine(
            database_url, pool_size=settings.db_pool_size, max_overflow=settings.db_max_overflow
        )
        app.state.settings = settings
        app.state.engine = engine
        app.state.sessionmaker = build_sessionmaker(engine)
        try:
            yield
        finally:
            await engine.dispose()

    async def healthz(request: Request) -> JSONResponse:
        try:
            async with asyncio.timeout(2.0):
                async with request.app.state.engine.connect() as connection:
                    await connection.execute(text("SELECT 1"))
        except Exception as exc:  # any failure means "not ready"; the reason is logged
            log.warning("health check failed: %s", type(exc).__name__)
            return JSONResponse(
                {"status": "unavailable", "reason": "database unreachable"}, status_code=503
            )
        return JSONResponse({"status": "ok"})

    return Starlette(routes=[Route("/healthz", healthz)], lifespan=lifespan)


def create_app_from_env() -> Starlette:
    """Factory for uvicorn workers, which rebuild settings from the environment."""
    return create_app(Settings())
