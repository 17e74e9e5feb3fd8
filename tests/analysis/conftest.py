"""Fixtures for the analysis tests: a committed couple with a conversation, a session
factory, and a local OpenAI-compatible model server."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from luna_graphql.db.engine import build_sessionmaker
from luna_graphql.db.models import PartnerConversation
from tests.ai.openai_server import FakeOpenAI, ServerThread
from tests.factories import Couple, make_conversation, make_couple


@dataclass
class World:
    couple: Couple
    conversation: PartnerConversation

    @property
    def relationship_id(self) -> uuid.UUID:
        return self.couple.relationship.id

    @property
    def conversation_id(self) -> uuid.UUID:
        return self.conversation.id


@pytest.fixture
def sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return build_sessionmaker(engine)


@pytest.fixture
async def world(session: AsyncSession) -> World:
    couple = await make_couple(session, commit=False)
    conversation = await make_conversation(session, couple)
    await session.commit()
    return World(couple, conversation)


@pytest.fixture
def model_server() -> Iterator[FakeOpenAI]:
    fake = FakeOpenAI()
    server = ServerThread(fake)
    server.start()
    try:
        yield fake
    finally:
        server.stop()
