"""Delivered marks survive the database going away: nothing pushes a message twice, so a
mark that is lost stays lost. On a throwaway PostgreSQL of the test's own."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

import asyncpg
import pytest
from sqlalchemy import select

from luna_graphql.db.engine import build_engine, build_sessionmaker
from luna_graphql.db.migrate import upgrade_database
from luna_graphql.db.models import PartnerMessage
from luna_graphql.realtime.bus import BroadcastBus, build_bus
from luna_graphql.services.delivery import DeliveryTracker
from luna_graphql.services.message_rows import create_row_pool
from tests.pgtools import ThrowawayPostgres
from tests.realtime_services.conftest import World, make_world, send

pytestmark = pytest.mark.asyncio(loop_scope="session")


@pytest.fixture
def restartable() -> Iterator[ThrowawayPostgres]:
    with ThrowawayPostgres() as server:
        upgrade_database(server.dsn)
        yield server


@pytest.fixture
async def world(restartable: ThrowawayPostgres) -> AsyncIterator[World]:
    engine = build_engine(restartable.dsn, pool_size=1, max_overflow=0)
    try:
        yield await make_world(build_sessionmaker(engine))
    finally:
        await engine.dispose()


@pytest.fixture
async def rows(restartable: ThrowawayPostgres) -> AsyncIterator[asyncpg.Pool]:
    pool = await create_row_pool(restartable.dsn, max_size=2)
    yield pool
    pool.terminate()


@pytest.fixture
def bus(restartable: ThrowawayPostgres) -> BroadcastBus:
    return build_bus(restartable.dsn)  # for its emitter; never connected


async def statuses(dsn: str) -> list[str]:
    engine = build_engine(dsn, pool_size=1, max_overflow=0)
    try:
        async with build_sessionmaker(engine)() as session:
            return list(
                await session.scalars(select(PartnerMessage.status).order_by(PartnerMessage.seq))
            )
    finally:
        await engine.dispose()


async def sent_messages(restartable: ThrowawayPostgres, world: World, bus: BroadcastBus) -> None:
    engine = build_engine(restartable.dsn, pool_size=1, max_overflow=0)
    try:
        for text in ("one", "two"):
            await send(build_sessionmaker(engine), bus, world.a, world.conversation_id, text)
    finally:
        await engine.dispose()


def note(delivery: DeliveryTracker, world: World, seq: int) -> None:
    delivery.note_pushed(
        conversation_id=world.conversation_id,
        relationship_id=world.relationship_id,
        recipient_role="partner_b",
        seq=seq,
    )


async def test_a_mark_that_fails_while_the_database_is_down_lands_when_it_is_back(
    restartable: ThrowawayPostgres, world: World, rows: asyncpg.Pool, bus: BroadcastBus
) -> None:
    await sent_messages(restartable, world, bus)
    delivery = DeliveryTracker(rows, bus, delay_s=0)
    await asyncio.to_thread(restartable.stop_server)
    note(delivery, world, 1)
    await asyncio.sleep(1.0)  # a few failed attempts
    await asyncio.to_thread(restartable.start_server)
    await delivery.wait_idle(timeout_s=30)
    assert await statuses(restartable.dsn) == ["delivered", "sent"]


async def test_a_mark_made_before_a_crash_survives_it(
    restartable: ThrowawayPostgres, world: World, rows: asyncpg.Pool, bus: BroadcastBus
) -> None:
    await sent_messages(restartable, world, bus)
    delivery = DeliveryTracker(rows, bus, delay_s=0)
    note(delivery, world, 2)
    await delivery.wait_idle()
    await asyncio.to_thread(restartable.crash)
    await asyncio.to_thread(restartable.start_server)
    assert await statuses(restartable.dsn) == ["sent", "delivered"]
