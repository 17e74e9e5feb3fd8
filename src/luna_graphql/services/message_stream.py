"""Lossless `messageAdded`: subscribe first, then the backlog, then live events, by seq.

1. Authorize (another couple's conversation is NOT_FOUND, exactly like a missing one).
2. Subscribe to the couple's channel *before* reading anything, so a message that commits
   while we read the backlog still wakes us (Zulip registers its queue before fetching state).
3. Read every message with seq > afterSeq from the database (afterSeq omitted: from now on).
4. Stream live events: a seq already seen is dropped; a seq beyond last+1 means events were
   missed, so the gap is read from the database; RESYNC re-reads everything after the last
   seq. Rows come from the shared `MessageLoader`, read once per process per event.

Deleted messages advance the position but are not shown, like in history. Each viewer's
privacy is applied in memory by `view_message`. Each message that reaches the recipient is
reported to the `DeliveryTracker` once the consumer asks for more, i.e. once the transport
has sent it.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from functools import partial

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from luna_graphql.db.models import PartnerMessage
from luna_graphql.db.outage import retry_transient
from luna_graphql.errors import BadUserInput
from luna_graphql.realtime.bus import EventBus, Resync
from luna_graphql.realtime.events import BusEvent, channel_for
from luna_graphql.services.access import Membership, Viewer, find_conversation_membership
from luna_graphql.services.delivery import DeliveryTracker
from luna_graphql.services.identity_memo import IdentityMemo
from luna_graphql.services.message_loader import PAGE_SIZE, MessageLoader
from luna_graphql.services.message_view import MessageView, view_message

logger = logging.getLogger(__name__)

MESSAGE_ADDED = "message_added"
MESSAGE_DELETED = "message_deleted"


async def authorize_conversation(
    sessionmaker: async_sessionmaker[AsyncSession], *, viewer: Viewer, conversation_id: uuid.UUID
) -> Membership:
    """The viewer's membership of the couple owning the conversation (short session)."""
    async with sessionmaker() as session:
        return await find_conversation_membership(
            session, viewer=viewer, conversation_id=conversation_id
        )


@dataclass(frozen=True, slots=True)
class StreamMember:
    """What a live subscription keeps of the viewer's membership: an idle socket holds it for
    its whole life, and the membership's ORM rows weigh about a kilobyte more. Like the
    membership it is read once, when the subscription starts."""

    relationship_id: uuid.UUID
    role: str
    partner_shares_read_receipts: bool

    @classmethod
    def of(cls, member: Membership) -> StreamMember:
        return cls(member.relationship_id, member.role, member.partner_shares_read_receipts)


def event_conversation(event: BusEvent) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(event.data["conversation_id"]))
    except (KeyError, ValueError):
        return None


async def stream_messages(
    *,
    sessionmaker: async_sessionmaker[AsyncSession],
    bus: EventBus,
    loader: MessageLoader,
    delivery: DeliveryTracker | None,
    viewer: Viewer,
    conversation_id: uuid.UUID,
    after_seq: int | None = None,
    views: IdentityMemo[MessageView] | None = None,
    direct: Callable[[MessageView], bool] | None = None,
) -> AsyncIterator[MessageView]:
    """Authorize now (so a failure surfaces on any transport), then stream.

    With `views`, subscribers that see a row alike get one shared `MessageView` of it. With
    `direct` too, a live message whose row is already cached is offered to `direct(view)`
    while the subscription waits, and only when that returns False is the stream woken to
    yield it (see `api.direct_frames`)."""
    if after_seq is not None and after_seq < 0:
        raise BadUserInput("afterSeq must be >= 0", field="afterSeq")
    member = await authorize_conversation(
        sessionmaker, viewer=viewer, conversation_id=conversation_id
    )
    relay = _Relay(
        loader,
        delivery,
        StreamMember.of(member),
        conversation_id,
        views,
        direct if views is not None else None,
    )
    return _relay_messages(bus, relay, channel_for(member.relationship_id), after_seq)


_STANCES: dict[tuple[str, bool], tuple[str, bool]] = {}


class _Relay:
    """One subscription's position and what it needs to show a row, shared by its task and
    by the fan-out, which may take a live event while the task waits (`push_now`)."""

    __slots__ = (
        "catching_up",
        "conversation_id",
        "conversation_key",
        "delivery",
        "direct",
        "last",
        "loader",
        "member",
        "stance",
        "views",
    )

    def __init__(
        self,
        loader: MessageLoader,
        delivery: DeliveryTracker | None,
        member: StreamMember,
        conversation_id: uuid.UUID,
        views: IdentityMemo[MessageView] | None,
        direct: Callable[[MessageView], bool] | None,
    ) -> None:
        self.loader = loader
        self.delivery = delivery
        self.member = member
        self.conversation_id = conversation_id
        self.views = views
        self.direct = direct
        # Both shared with the other subscriptions alike (small, but every idle one holds them).
        stance = (member.role, member.partner_shares_read_receipts)
        self.stance = _STANCES.setdefault(stance, stance)
        self.conversation_key = sys.intern(str(conversation_id))
        self.last = 0
        self.catching_up = True  # read from the database until a short page says we are current

    def view(self, row: PartnerMessage) -> MessageView:
        if self.views is None:
            return view_message(row, self.member)
        return self.views.get(row, self.stance, partial(view_message, row, self.member))

    def note_pushed(self, row: PartnerMessage) -> None:
        member = self.member
        if self.delivery is not None and row.sender_id != member.role:
            self.delivery.note_pushed(
                conversation_id=self.conversation_id,
                relationship_id=member.relationship_id,
                recipient_role=member.role,
                seq=row.seq,
            )

    def push_now(self, event: BusEvent) -> bool:
        """Take a live event while the task waits: True when it needs nothing more (skipped
        as the task would, or its message sent by `direct`), False to wake the task."""
        seq = _message_seq(event, self.conversation_key)
        if seq is None or seq <= self.last:
            return True
        if self.catching_up or seq != self.last + 1 or self.direct is None:
            return False
        row = self.loader.cached_message(self.conversation_id, seq)
        if row is None:
            return False
        if row.deleted_at is None:
            if not self.direct(self.view(row)):
                return False
            self.note_pushed(row)
        self.last = seq
        return True


async def _relay_messages(
    bus: EventBus, relay: _Relay, channel: str, after_seq: int | None
) -> AsyncIterator[MessageView]:
    loader, conversation_id = relay.loader, relay.conversation_id
    async with bus.subscribe(channel, frozenset({MESSAGE_ADDED})) as events:
        fresh_after = loader.mark()
        if after_seq is None:
            relay.last = await loader.read_last_seq(conversation_id, fresh_after=fresh_after)
        else:
            relay.last = after_seq
        if relay.direct is not None:
            events.push_with(relay.push_now)
        while True:
            if relay.catching_up:
                rows = await retry_transient(
                    partial(
                        loader.read_after, conversation_id, relay.last, fresh_after=fresh_after
                    ),
                    what="message stream read",
                )
                relay.catching_up = len(rows) >= PAGE_SIZE
            else:
                try:
                    # Not anext(events, None): its wrapper would stay alive, per idle socket.
                    event = await events.get()
                except StopAsyncIteration:
                    return  # the bus shut down; the client resumes with afterSeq elsewhere
                if isinstance(event, Resync):
                    relay.catching_up, fresh_after = True, loader.mark()
                    continue
                seq = _message_seq(event, relay.conversation_key)
                if seq is None or seq <= relay.last:
                    continue  # another kind of event, or a duplicate
                rows = await retry_transient(
                    partial(loader.read_after, conversation_id, relay.last, up_to=seq),
                    what="message stream read",
                )
                # A gap wider than a page: read on from the database until current.
                relay.catching_up, fresh_after = len(rows) >= PAGE_SIZE, loader.mark()
            for row in rows:
                if row.seq <= relay.last:
                    continue
                relay.last = row.seq
                if row.deleted_at is not None:
                    continue
                yield relay.view(row)
                relay.note_pushed(row)


def prefetch_added_message(
    loader: MessageLoader, event: BusEvent
) -> asyncio.Future[list[PartnerMessage]] | None:
    """Read a new message's row as its event arrives, before subscribers wake: each then finds
    it in the loader's cache (their range ends at its seq) instead of joining the read."""
    seq = _message_seq_of(event)
    conversation_id = event_conversation(event)
    if seq is None or conversation_id is None:
        return None
    return asyncio.ensure_future(loader.read_after(conversation_id, seq - 1, up_to=seq))


def _message_seq(event: BusEvent, conversation_key: str) -> int | None:
    seq = _message_seq_of(event)
    # Compared as text: every emitter writes the id as str(UUID), and parsing it again for
    # each of a thousand subscribers is the costlier way to the same answer.
    if seq is None or event.data.get("conversation_id") != conversation_key:
        return None
    return seq


def _message_seq_of(event: BusEvent) -> int | None:
    if event.kind != MESSAGE_ADDED:
        return None
    seq = event.data.get("seq")
    return seq if isinstance(seq, int) and seq > 0 else None
