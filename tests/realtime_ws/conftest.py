"""Two real `luna-graphql serve` processes on one real PostgreSQL, and couples with tokens."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from luna_graphql.api.auth import mint_token
from luna_graphql.db.engine import build_engine, build_sessionmaker
from luna_graphql.settings import Settings
from tests import pg
from tests.factories import make_couple
from tests.procs import ServerProcess, start_server, wait_healthy
from tests.realtime_ws.client import CONVERSATION, gql

# Generous limits: these tests send hundreds of messages; the limits have their own tests.
SERVER_ENV = {
    "LUNA_RATE_LIMIT_SEND": "100000/minute",
    "LUNA_RATE_LIMIT_TYPING": "100000/minute",
    "LUNA_RATE_LIMIT_GESTURE": "100000/minute",
    "LUNA_RATE_LIMIT_REACTION": "100000/minute",
    "LUNA_TYPING_TTL_S": "1",
    "LUNA_ANALYSIS_WORKER_ENABLED": "false",
}


@dataclass
class Partner:
    user_id: uuid.UUID
    token: str


@dataclass
class Couple:
    a: Partner
    b: Partner
    relationship_id: str
    conversation_id: str


def start_servers(
    database_url: str, tmp_path: Path, count: int = 2, *, sequential: bool = False, **extra: str
) -> list[ServerProcess]:
    """`sequential` when the database is not migrated yet: each server migrates on start."""
    env = {"LUNA_DATABASE_URL": database_url, **SERVER_ENV, **extra}
    servers: list[ServerProcess] = []
    try:
        for i in range(count):
            servers.append(start_server(env, tmp_path, name=f"server{i + 1}"))
            if sequential:
                wait_healthy(servers[-1])
        for server in servers:
            wait_healthy(server)
    except BaseException:
        for server in servers:
            server.stop()
        raise
    return servers


@pytest.fixture(scope="module")
async def shared_database_url(pg_server_url: str, template_database: str) -> AsyncIterator[str]:
    url = await pg.clone_database(pg_server_url, template_database)
    yield url
    await pg.drop_database(pg_server_url, url)


@pytest.fixture(scope="module")
def servers(
    shared_database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[list[ServerProcess]]:
    running = start_servers(shared_database_url, tmp_path_factory.mktemp("servers"))
    yield running
    for server in running:
        server.stop()


@pytest.fixture(scope="module")
async def shared_sessionmaker(
    shared_database_url: str,
) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = build_engine(shared_database_url, pool_size=2, max_overflow=5)
    yield build_sessionmaker(engine)
    await engine.dispose()


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=20) as client:
        yield client


async def make_partners(
    sessionmaker: async_sessionmaker[AsyncSession],
    http: httpx.AsyncClient,
    base_url: str,
    *,
    ttl_s: int = 3600,
) -> Couple:
    settings = Settings()
    async with sessionmaker() as session:
        couple = await make_couple(session)
    a = Partner(couple.partner_a.id, mint_token(settings, couple.partner_a.id, ttl_s=ttl_s))
    b = Partner(couple.partner_b.id, mint_token(settings, couple.partner_b.id, ttl_s=ttl_s))
    conversation = (await gql(http, base_url, a.token, CONVERSATION))["conversation"]
    return Couple(a, b, conversation["relationshipId"], conversation["id"])


@pytest.fixture
async def couple(
    servers: list[ServerProcess],
    shared_sessionmaker: async_sessionmaker[AsyncSession],
    http: httpx.AsyncClient,
) -> Couple:
    return await make_partners(shared_sessionmaker, http, servers[0].base_url)
