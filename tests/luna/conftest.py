"""Luna end to end: the app on real PostgreSQL over HTTP, with the offline assistant unless a
test serves its own app against the local OpenAI-compatible server."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.applications import Starlette

from luna_graphql.settings import Settings
from tests.ai.openai_server import FakeOpenAI, ServerThread
from tests.api.conftest import make_settings, running_app
from tests.api.helpers import CoupleClients, make_couple_clients
from tests.luna.helpers import LUNA_SETTINGS


@pytest.fixture
def settings(database_url: str) -> Settings:
    return make_settings(database_url, **LUNA_SETTINGS)


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
async def pair(session: AsyncSession, http: httpx.AsyncClient, settings: Settings) -> CoupleClients:
    """Alex (partner A) and Blair (partner B), their conversation opened."""
    return await make_couple_clients(session, http, settings)


@pytest.fixture
async def outsiders(
    session: AsyncSession, http: httpx.AsyncClient, settings: Settings
) -> CoupleClients:
    return await make_couple_clients(session, http, settings, a_name="Casey", b_name="Drew")


@pytest.fixture(scope="module")
def model_server() -> Iterator[FakeOpenAI]:
    fake = FakeOpenAI()
    thread = ServerThread(fake)
    thread.start()
    try:
        yield fake
    finally:
        thread.stop()
