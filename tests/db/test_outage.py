"""What counts as "the database does not answer", from real failures of each path."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from luna_graphql.db.engine import build_engine
from luna_graphql.db.outage import database_unavailable
from tests.procs import free_port

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_nothing_listening_is_unavailable_on_every_path() -> None:
    url = f"postgresql://postgres@127.0.0.1:{free_port()}/postgres"
    with pytest.raises(Exception) as raw:
        await asyncpg.connect(url, timeout=5)
    assert database_unavailable(raw.value)
    engine = build_engine(url, pool_size=1, max_overflow=0)
    try:
        with pytest.raises(Exception) as orm:
            async with engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        assert database_unavailable(orm.value)
    finally:
        await engine.dispose()


async def test_a_terminated_connection_is_unavailable_and_a_bad_query_is_not(
    engine: AsyncEngine, database_url: str
) -> None:
    async with engine.connect() as connection:
        with pytest.raises(Exception) as bad:
            await connection.execute(text("SELECT * FROM no_such_table"))
    assert not database_unavailable(bad.value)
    assert not database_unavailable(ValueError("not a database problem"))

    conn = await asyncpg.connect(database_url)
    admin = await asyncpg.connect(database_url)
    try:
        await admin.execute("SELECT pg_terminate_backend($1)", conn.get_server_pid())
        # Wait for the client to hear the backend go: a query sent in between races the
        # FATAL message and fails with asyncpg's InternalClientError instead (a client-side
        # state error, which the statement retries cover but this classifier does not).
        for _ in range(100):
            if conn.is_closed():
                break
            await asyncio.sleep(0.05)
        with pytest.raises(Exception) as lost:
            await conn.fetchval("SELECT 1")
        assert database_unavailable(lost.value)
    finally:
        await admin.close()
        conn.terminate()
