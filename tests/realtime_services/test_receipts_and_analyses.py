"""receipts and messageAnalyzed streams: the partner's receipts, the reader's and viewer's choices."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import asyncpg
import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from luna_graphql.db.models import PartnerMessage
from luna_graphql.errors import Forbidden
from luna_graphql.realtime.bus import BroadcastBus
from luna_graphql.realtime.events import BusEvent
from luna_graphql.services.analyzed_stream import stream_analyses
from luna_graphql.services.delivery import DeliveryTracker
from luna_graphql.services.message_loader import MessageLoader
from luna_graphql.services.message_stream import stream_messages
from luna_graphql.services.receipt_stream import ReceiptUpdate, stream_receipts
from luna_graphql.services.receipts import mark_read
from tests.realtime_services.conftest import Collector, World, send, set_preferences

pytestmark = pytest.mark.asyncio(loop_scope="session")

Collect = Callable[[Any], Collector]


def receipts_of_a(sessionmaker: Any, bus: BroadcastBus, world: World) -> Any:
    return stream_receipts(
        sessionmaker=sessionmaker, bus=bus, viewer=world.a, conversation_id=world.conversation_id
    )


async def read_by_b(sessionmaker: Any, bus: BroadcastBus, world: World, up_to: int) -> None:
    async with sessionmaker() as session:
        await mark_read(
            session,
            viewer=world.b,
            emitter=bus.emitter,
            conversation_id=world.conversation_id,
            up_to_seq=up_to,
        )
        await session.commit()


async def test_delivered_then_read_reach_the_author(
    sessionmaker: async_sessionmaker[AsyncSession],
    bus: BroadcastBus,
    world: World,
    collect: Collect,
    rows: asyncpg.Pool,
) -> None:
    receipts = collect(receipts_of_a(sessionmaker, bus, world))
    own = collect(
        stream_receipts(
            sessionmaker=sessionmaker,
            bus=bus,
            viewer=world.b,
            conversation_id=world.conversation_id,
        )
    )
    delivery = DeliveryTracker(rows, bus)
    b_live = collect(
        stream_messages(
            sessionmaker=sessionmaker,
            bus=bus,
            loader=MessageLoader(rows),
            delivery=delivery,
            viewer=world.b,
            conversation_id=world.conversation_id,
            after_seq=0,
        )
    )
    await asyncio.sleep(0.2)
    message = await send(sessionmaker, bus, world.a, world.conversation_id, "did you get it?")
    await b_live.wait_for(1)
    await receipts.wait_for(1)  # delivery is marked in the background, a moment later
    await read_by_b(sessionmaker, bus, world, message.seq)
    items = await receipts.wait_for(2)
    assert items == [
        ReceiptUpdate(world.conversation_id, "delivered", message_ids=[message.id]),
        ReceiptUpdate(world.conversation_id, "read", up_to_seq=message.seq),
    ]
    assert await own.settle(0.2) == []  # B's receipts are about A's messages, not B's


async def test_reader_hiding_read_receipts_sends_none(
    sessionmaker: async_sessionmaker[AsyncSession],
    bus: BroadcastBus,
    world: World,
    collect: Collect,
) -> None:
    await set_preferences(sessionmaker, world, "partner_b", show_read_receipts=False)
    message = await send(sessionmaker, bus, world.a, world.conversation_id, "seen?")
    receipts = collect(receipts_of_a(sessionmaker, bus, world))
    await asyncio.sleep(0.2)
    await read_by_b(sessionmaker, bus, world, message.seq)
    assert await receipts.settle(0.3) == []


async def test_resync_rereads_receipts_with_the_current_preference(
    sessionmaker: async_sessionmaker[AsyncSession],
    bus: BroadcastBus,
    world: World,
    collect: Collect,
) -> None:
    message = await send(sessionmaker, bus, world.a, world.conversation_id, "read me")
    receipts = collect(receipts_of_a(sessionmaker, bus, world))
    await asyncio.sleep(0.2)
    async with sessionmaker() as session:  # read without any event reaching the stream
        await session.execute(
            update(PartnerMessage).values(
                status="read", delivered_at=PartnerMessage.sent_at, read_at=PartnerMessage.sent_at
            )
        )
        await session.commit()
    bus.broadcast._backend._mark_resync(message_channel(world))
    assert await receipts.wait_for(1) == [
        ReceiptUpdate(world.conversation_id, "read", up_to_seq=message.seq)
    ]


def message_channel(world: World) -> str:
    return BusEvent("x", world.relationship_id).channel


async def test_analyses_only_for_viewers_who_show_sentiment(
    sessionmaker: async_sessionmaker[AsyncSession],
    bus: BroadcastBus,
    world: World,
    collect: Collect,
    rows: asyncpg.Pool,
) -> None:
    loader = MessageLoader(rows)
    refused = stream_analyses(
        sessionmaker=sessionmaker,
        bus=bus,
        loader=loader,
        viewer=world.a,
        conversation_id=world.conversation_id,
    )
    with pytest.raises(Forbidden):
        await refused
    await set_preferences(sessionmaker, world, "partner_b", show_sentiment_indicators=True)
    got = collect(
        stream_analyses(
            sessionmaker=sessionmaker,
            bus=bus,
            loader=loader,
            viewer=world.b,
            conversation_id=world.conversation_id,
        )
    )
    await asyncio.sleep(0.2)
    message = await send(sessionmaker, bus, world.a, world.conversation_id, "so happy today")
    async with sessionmaker() as session:
        await session.execute(
            update(PartnerMessage)
            .where(PartnerMessage.id == message.id)
            .values(
                analysis_status="done",
                sentiment_score=0.8,
                sentiment_label="positive",
                emotions=["joy"],
                escalation_risk="low",
            )
        )
        await bus.emitter.emit(
            session,
            BusEvent(
                "message_analyzed",
                world.relationship_id,
                {
                    "conversation_id": str(world.conversation_id),
                    "id": str(message.id),
                    "seq": message.seq,
                },
            ),
        )
        await session.commit()
    (analysis,) = await got.wait_for(1)
    assert (analysis.message_id, analysis.sentiment_label, analysis.emotions) == (
        message.id,
        "positive",
        ["joy"],
    )
