"""Typing indicators: ephemeral, never stored, expiring without a stop (Synapse's typing).

`set_typing` publishes on the couple's channel only when both partners show typing
indicators (a partner who hides theirs neither shows nor sees them) and is rate-limited per
user. `stream_typing` reports the partner's state changes and turns a start that was never
followed by a stop into a stop after `ttl_s`, measured on an injected clock.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from luna_graphql.rate_limit import RateLimiter
from luna_graphql.realtime.bus import EventBus, Resync
from luna_graphql.realtime.events import BusEvent, channel_for
from luna_graphql.services.access import Membership, Viewer
from luna_graphql.services.clock import Clock
from luna_graphql.services.message_stream import authorize_conversation, event_conversation

TYPING = "typing"


@dataclass(frozen=True, slots=True)
class TypingState:
    conversation_id: uuid.UUID
    partner_role: str
    is_typing: bool


def typing_allowed(member: Membership) -> bool:
    """Both partners show typing indicators (a missing preferences row means the default)."""
    return all(
        prefs is None or prefs.show_typing_indicators
        for prefs in (member.own_preferences, member.partner_preferences)
    )


async def set_typing(
    *,
    sessionmaker: async_sessionmaker[AsyncSession],
    bus: EventBus,
    limiter: RateLimiter | None,
    viewer: Viewer,
    conversation_id: uuid.UUID,
    is_typing: bool,
) -> bool:
    """Announce the viewer's typing state. Returns True when accepted, whether or not the
    partner will see it: the answer must not reveal the partner's preferences."""
    if limiter is not None:
        await limiter.hit("typing", str(viewer.user_id))
    member = await authorize_conversation(
        sessionmaker, viewer=viewer, conversation_id=conversation_id
    )
    if typing_allowed(member):
        data = {"conversation_id": str(conversation_id), "role": member.role, "typing": is_typing}
        await bus.publish(BusEvent(TYPING, member.relationship_id, data))
    return True


async def stream_typing(
    *,
    sessionmaker: async_sessionmaker[AsyncSession],
    bus: EventBus,
    clock: Clock,
    ttl_s: float,
    viewer: Viewer,
    conversation_id: uuid.UUID,
) -> AsyncIterator[TypingState]:
    """Authorize now (so a failure surfaces on any transport), then stream."""
    member = await authorize_conversation(
        sessionmaker, viewer=viewer, conversation_id=conversation_id
    )
    return _relay_typing(bus, clock, ttl_s, member, conversation_id)


async def _relay_typing(
    bus: EventBus, clock: Clock, ttl_s: float, member: Membership, conversation_id: uuid.UUID
) -> AsyncIterator[TypingState]:
    partner = member.partner_role
    typing = False
    expires_at = 0.0
    channel = channel_for(member.relationship_id)
    async with bus.subscribe(channel, frozenset({TYPING})) as events:
        next_event: asyncio.Future[BusEvent | Resync | None] = asyncio.ensure_future(
            anext(events, None)
        )
        try:
            while True:
                if typing and not await _arrives_before(next_event, clock, expires_at):
                    typing = False  # a start without a stop expires
                    yield TypingState(conversation_id, partner, False)
                    continue
                event = await next_event
                if event is None:
                    return
                next_event = asyncio.ensure_future(anext(events, None))
                # Resync: typing events lost to a slow consumer are stale anyway; drop them.
                if isinstance(event, Resync) or not _is_partner_typing_event(
                    event, conversation_id, partner
                ):
                    continue
                started = bool(event.data.get("typing"))
                if started:
                    expires_at = clock.now() + ttl_s
                if started != typing:
                    typing = started
                    yield TypingState(conversation_id, partner, typing)
        finally:
            next_event.cancel()
            with contextlib.suppress(asyncio.CancelledError, StopAsyncIteration):
                await next_event


async def _arrives_before(
    pending: asyncio.Future[BusEvent | Resync | None], clock: Clock, deadline: float
) -> bool:
    """Wait for `pending` until `deadline` on the clock; True if it completed first."""
    remaining = deadline - clock.now()
    if pending.done():
        return True
    if remaining <= 0:
        return False
    timer: asyncio.Future[None] = asyncio.ensure_future(clock.sleep(remaining))
    try:
        waiters: list[asyncio.Future[Any]] = [pending, timer]
        await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
    finally:
        timer.cancel()
    # Not `clock.now() < deadline`: asyncio fires timers up to its clock resolution early,
    # and a "not yet" here would then wait for an event that may never come.
    return pending.done()


def _is_partner_typing_event(event: BusEvent, conversation_id: uuid.UUID, partner: str) -> bool:
    return (
        event.kind == TYPING
        and event.data.get("role") == partner
        and event_conversation(event) == conversation_id
    )
