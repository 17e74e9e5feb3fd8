"""The app on real PostgreSQL, driven over HTTP with its lifespan running."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.applications import Starlette

from luna_graphql.app import create_app
from luna_graphql.settings import Settings
from tests.api.helpers import CoupleClients, GraphQLClient, make_couple_clients

TEST_SECRET = "test-secret-0123456789abcdef0123456789abcdef"


def make_settings(database_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": database_url,
        "jwt_secret": TEST_SECRET,
        "rate_limit_send": "10000/minute",
        "db_pool_size": 5,
        "db_max_overflow": 5,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.fixture
def settings(database_url: str) -> Settings:
    return make_settings(database_url)


async def running_app(settings: Settings) -> AsyncIterator[Starlette]:
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        yield app


@asynccontextmanager
async def serve(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """An app of its own (for settings a test changes) and a client bound to it."""
    async for running in running_app(settings):
        transport = httpx.ASGITransport(app=running)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[Starlette]:
    async for running in running_app(settings):
        yield running


@pytest.fixture
async def http(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


@pytest.fixture
def anonymous(http: httpx.AsyncClient) -> GraphQLClient:
    return GraphQLClient(http)


@pytest.fixture
async def pair(session: AsyncSession, http: httpx.AsyncClient, settings: Settings) -> CoupleClients:
    """Alex (partner A) and Blair (partner B), their conversation opened."""
    return await make_couple_clients(session, http, settings)


@pytest.fixture
async def outsiders(
    session: AsyncSession, http: httpx.AsyncClient, settings: Settings
) -> CoupleClients:
    """Another couple, whose members must never reach `pair`'s data."""
    return await make_couple_clients(session, http, settings, a_name="Casey", b_name="Drew")
