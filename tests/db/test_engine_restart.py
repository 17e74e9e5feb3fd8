"""A PostgreSQL restart costs the ORM's pool no failed statement, without a ping per checkout."""

from __future__ import annotations

import asyncio

from sqlalchemy import text

from luna_graphql.db.engine import build_engine
from tests.pgtools import ThrowawayPostgres


async def test_connections_closed_by_a_restart_are_replaced_at_checkout() -> None:
    with ThrowawayPostgres() as server:
        engine = build_engine(server.dsn, pool_size=2, max_overflow=0, pre_ping=False)
        try:
            async with engine.connect() as first, engine.connect() as second:
                for connection in (first, second):  # both pooled connections open
                    await connection.execute(text("SELECT 1"))
            await asyncio.to_thread(server.restart, 0.5)
            await asyncio.sleep(0.2)  # asyncpg sees the closed sockets on the event loop
            for _ in range(4):
                async with engine.connect() as connection:
                    assert (await connection.execute(text("SELECT 1"))).scalar() == 1
        finally:
            await engine.dispose()
