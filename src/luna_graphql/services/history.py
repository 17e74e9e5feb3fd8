"""Conversation history in pages keyed on `seq`, newest last, soft-deleted messages left out.

A page is one indexed range scan on `ix_partner_messages_not_deleted` (conversation_id, seq)
WHERE deleted_at IS NULL, whatever its position: one membership query, one page query, and,
when a cursor is given, one EXISTS for the opposite direction. Never more.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, exists, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import load_only

from luna_graphql.db.models import PartnerMessage
from luna_graphql.errors import BadUserInput
from luna_graphql.services.access import Viewer, find_conversation_membership
from luna_graphql.services.message_view import VIEW_COLUMNS, MessageView, view_message


@dataclass(frozen=True)
class PageRequest:
    """Relay-style arguments with cursors already decoded to seq numbers."""

    first: int | None = None
    after_seq: int | None = None
    last: int | None = None
    before_seq: int | None = None


@dataclass(frozen=True)
class MessagePage:
    messages: list[MessageView]
    has_next_page: bool
    has_previous_page: bool


def _check_sizes(request: PageRequest, max_size: int) -> None:
    if request.first is not None and request.last is not None:
        raise BadUserInput("Pass either first or last, not both", field="first")
    for name, size in (("first", request.first), ("last", request.last)):
        if size is not None and not 0 <= size <= max_size:
            raise BadUserInput(f"{name} must be between 0 and {max_size}", field=name)


def page_statement(
    conversation_id: uuid.UUID, request: PageRequest, *, forward: bool, limit: int
) -> Select[PartnerMessage]:
    """The page query; its predicate matches the partial index so no sort is needed."""
    order = PartnerMessage.seq.asc() if forward else PartnerMessage.seq.desc()
    return (
        select(PartnerMessage)
        .options(load_only(*VIEW_COLUMNS, raiseload=True))
        .where(*_range(conversation_id, request.after_seq, request.before_seq))
        .order_by(order)
        .limit(limit)
    )


def _range(
    conversation_id: uuid.UUID, after_seq: int | None, before_seq: int | None
) -> list[ColumnElement[bool]]:
    conditions = [
        PartnerMessage.conversation_id == conversation_id,
        PartnerMessage.deleted_at.is_(None),
    ]
    if after_seq is not None:
        conditions.append(PartnerMessage.seq > after_seq)
    if before_seq is not None:
        conditions.append(PartnerMessage.seq < before_seq)
    return conditions


async def list_messages(
    session: AsyncSession,
    *,
    viewer: Viewer,
    conversation_id: uuid.UUID,
    page: PageRequest,
    default_size: int,
    max_size: int,
) -> MessagePage:
    """One page of history in chronological order.

    With no arguments the page is the newest `default_size` messages. `first`/`after`
    walk forwards (older to newer), `last`/`before` backwards; an `after` alone means
    forwards.
    """
    _check_sizes(page, max_size)
    forward = page.first is not None or (
        page.last is None and page.after_seq is not None and page.before_seq is None
    )
    requested = page.first if forward else page.last
    size = default_size if requested is None else requested

    membership = await find_conversation_membership(
        session, viewer=viewer, conversation_id=conversation_id
    )
    rows = list(
        await session.scalars(
            page_statement(conversation_id, page, forward=forward, limit=size + 1)
        )
    )
    more = len(rows) > size
    rows = rows[:size]
    if not forward:
        rows.reverse()

    # Relay lets a server answer False for the direction it was not asked about; clients
    # that page both ways need the truth, and one EXISTS on the same index gives it.
    # (The cursor's own message counts: `seq <= after`, not `seq < after + 1`, which
    # overflows bigint at the largest cursor.)
    if forward:
        has_next, has_previous = more, False
        if page.after_seq is not None:
            has_previous = await _any(
                session, conversation_id, PartnerMessage.seq <= page.after_seq
            )
    else:
        has_next, has_previous = False, more
        if page.before_seq is not None:
            has_next = await _any(session, conversation_id, PartnerMessage.seq >= page.before_seq)
    return MessagePage(
        messages=[view_message(row, membership) for row in rows],
        has_next_page=has_next,
        has_previous_page=has_previous,
    )


async def _any(
    session: AsyncSession, conversation_id: uuid.UUID, beyond: ColumnElement[bool]
) -> bool:
    found = await session.scalar(
        select(exists().where(*_range(conversation_id, None, None), beyond))
    )
    return bool(found)
