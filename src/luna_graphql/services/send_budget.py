"""The send budget (`LUNA_RATE_LIMIT_SEND`) and the retries it must never refuse."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager

from sqlalchemy.ext.asyncio import AsyncSession

from luna_graphql.errors import LunaError, RateLimited
from luna_graphql.services.access import Viewer
from luna_graphql.services.message_send import SentMessage, check_send


async def spend_or_first(
    spend: Callable[[], Awaitable[None]],
    read: Callable[[], AbstractAsyncContextManager[AsyncSession]],
    *,
    viewer: Viewer,
    conversation_id: uuid.UUID,
    client_id: str | None,
) -> SentMessage | None:
    """Take one send from the viewer's budget (`spend` raises RateLimited when it is spent);
    None to go on sending.

    Called once the input passed the checks that need no database, so malformed sends cost
    nothing. Over the limit, a retried clientMessageId that already sent a message gets it
    back (`check_send`'s own lookup in a `read` session): the client must learn it was sent.
    A send the database refuses (another couple's conversation) has spent its share:
    finding out cost a query.
    """
    try:
        await spend()
        return None
    except RateLimited:
        if client_id is None:
            raise
        try:
            async with read() as session:
                check = await check_send(
                    session,
                    viewer=viewer,
                    conversation_id=conversation_id,
                    client_id=client_id,
                    reply_to_id=None,
                )
        except LunaError:
            check = None
        if check is None or check.retried is None:
            raise
        return check.retried
