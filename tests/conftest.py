"""Shared fixtures: a real PostgreSQL, a fresh migrated database per test, sessions."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from luna_graphql.crypto import PLAIN_TEXT, install_cipher
from luna_graphql.db.engine import build_engine, build_sessionmaker
from tests import pg


@pytest.fixture(autouse=True)
def plain_text_at_rest() -> Iterator[None]:
    """The cipher is process-wide (an app installs its settings' own): each test starts and
    ends with text stored plain, whatever the test before it installed."""
    install_cipher(PLAIN_TEXT)
    yield
    install_cipher(PLAIN_TEXT)


@pytest.fixture
def bare_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No LUNA_* variable of the machine's environment: commands see only what a test sets."""
    for name in list(os.environ):
        if name.startswith("LUNA_"):
            monkeypatch.delenv(name)
    return monkeypatch


@pytest.fixture(scope="session")
def pg_server_url() -> Iterator[str]:
    with pg.test_server_url() as url:
        yield url


@pytest.fixture(scope="session")
async def template_database(pg_server_url: str) -> AsyncIterator[str]:
    name = await pg.create_template(pg_server_url)
    yield name
    await pg.drop_template(pg_server_url, name)


@pytest.fixture
async def database_url(pg_server_url: str, template_database: str) -> AsyncIterator[str]:
    """A fresh, migrated database of this test's own (tests that commit need one)."""
    url = await pg.clone_database(pg_server_url, template_database)
    yield url
    await pg.drop_database(pg_server_url, url)


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = build_engine(database_url, pool_size=5, max_overflow=60)
    yield engine
    await engine.dispose()


@pytest.fixture
async def session(engine: AsyncEngine) -> AsyncIterator[AsyncSession]:
    async with build_sessionmaker(engine)() as session:
        yield session
