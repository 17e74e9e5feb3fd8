"""Fixtures for service-level realtime tests: a fresh database, the real bus, a couple."""

from __future__ import annotations

import asyncio
import inspect
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import asyncpg
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from luna_graphql.db.engine import build_sessionmaker
from luna_graphql.db.models import PartnerConversation, PartnerMessagingPreferences
from luna_graphql.realtime.bus import BroadcastBus, build_bus
from luna_graphql.services.access import Viewer
from luna_graphql.services.message_rows import create_row_pool
from luna_graphql.services.messages import send_message
from tests.factories import Couple, make_conversation, make_couple

T = TypeVar("T")


@dataclass
class World:
    couple: Couple
    conversation: PartnerConversation

    @property
    def a(self) -> Viewer:
        return Viewer(self.couple.partner_a.id)

    @property
    def b(self) -> Viewer:
        return Viewer(self.couple.partner_b.id)

    @property
    def conversation_id(self) -> uuid.UUID:
        return self.conversation.id

    @property
    def relationship_id(self) -> uuid.UUID:
        return self.couple.relationship.id


@pytest.fixture
def sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return build_sessionmaker(engine)


@pytest.fixture
async def rows(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await create_row_pool(database_url, max_size=5)
    yield pool
    await pool.close()


@pytest.fixture
async def bus(database_url: str) -> AsyncIterator[BroadcastBus]:
    bus = build_bus(database_url, queue_size=1000)
    await bus.connect()
    yield bus
    await bus.disconnect()


async def make_world(sessionmaker: async_sessionmaker[AsyncSession]) -> World:
    async with sessionmaker() as session:
        couple = await make_couple(session)
        conversation = await make_conversation(session, couple)
        await session.commit()
    return World(couple, conversation)


@pytest.fixture
async def world(sessionmaker: async_sessionmaker[AsyncSession]) -> World:
    return await make_world(sessionmaker)


async def send(
    sessionmaker: async_sessionmaker[AsyncSession],
    bus: BroadcastBus,
    viewer: Viewer,
    conversation_id: uuid.UUID,
    content: str = "hi",
    *,
    commit: bool = True,
) -> Any:
    async with sessionmaker() as session:
        outcome = await send_message(
            session,
            viewer=viewer,
            emitter=bus.emitter,
            conversation_id=conversation_id,
            content=content,
            client_message_id=None,
            reply_to_id=None,
            max_content_chars=5000,
        )
        if commit:
            await session.commit()
        else:
            await session.rollback()
    return outcome.message


async def set_preferences(
    sessionmaker: async_sessionmaker[AsyncSession], world: World, role: str, **values: Any
) -> None:
    async with sessionmaker() as session:
        session.add(
            PartnerMessagingPreferences(
                relationship_id=world.relationship_id, partner_id=role, **values
            )
        )
        await session.commit()


async def within(aw: Awaitable[T], timeout: float = 5.0) -> T:
    async with asyncio.timeout(timeout):
        return await aw


async def eventually(predicate: Callable[[], bool], timeout: float = 10.0) -> None:
    async with asyncio.timeout(timeout):
        while not predicate():
            await asyncio.sleep(0.01)


async def nothing_within(aw: Awaitable[Any], timeout: float = 0.3) -> None:
    """Assert that `aw` does not complete in `timeout` seconds."""
    task = asyncio.ensure_future(aw)
    done, _ = await asyncio.wait([task], timeout=timeout)
    task.cancel()
    assert not done, f"unexpected result: {task.result()!r}"


class Collector:
    """Drains an async iterator in the background so a test can wait for N items."""

    def __init__(self, source: Any) -> None:
        self.items: list[Any] = []
        self.error: BaseException | None = None
        self._task = asyncio.create_task(self._run(source))

    async def _run(self, source: Any) -> None:
        try:
            if inspect.isawaitable(source):
                source = await source  # stream_* authorize first, then return the stream
            async for item in source:
                self.items.append(item)
        except Exception as exc:
            self.error = exc

    async def wait_for(self, count: int, timeout: float = 10.0) -> list[Any]:
        await eventually(lambda: len(self.items) >= count or self.error is not None, timeout)
        if self.error is not None:
            raise self.error
        return self.items

    async def settle(self, delay: float = 0.3) -> list[Any]:
        """The items after waiting a little for any that should NOT arrive."""
        await asyncio.sleep(delay)
        if self.error is not None:
            raise self.error
        return self.items

    async def close(self) -> None:
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)


@pytest.fixture
async def collect() -> AsyncIterator[Callable[[Any], Collector]]:
    collectors: list[Collector] = []

    def start(source: Any) -> Collector:
        collector = Collector(source)
        collectors.append(collector)
        return collector

    yield start
    for collector in collectors:
        await collector.close()
