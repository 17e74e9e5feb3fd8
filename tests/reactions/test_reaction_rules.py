"""The table's own rules: no blank emoji, one row per (message, user, emoji), gone with the
message."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import delete, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from luna_graphql.db.models import MessageReaction, PartnerMessage
from tests.factories import make_conversation, make_couple, make_message


async def _message_and_user(session: AsyncSession) -> tuple[PartnerMessage, uuid.UUID]:
    couple = await make_couple(session, commit=False)
    message = await make_message(session, await make_conversation(session, couple))
    return message, couple.partner_b.id


@pytest.mark.parametrize("emoji", ["", "   "])
async def test_a_blank_emoji_is_refused_by_the_database(session: AsyncSession, emoji: str) -> None:
    message, user_id = await _message_and_user(session)
    with pytest.raises(IntegrityError, match="ck_message_reactions_emoji_not_empty"):
        async with session.begin_nested():
            await session.execute(
                insert(MessageReaction).values(message_id=message.id, user_id=user_id, emoji=emoji)
            )


async def test_one_row_per_message_user_and_emoji(session: AsyncSession) -> None:
    message, user_id = await _message_and_user(session)
    row = {"message_id": message.id, "user_id": user_id, "emoji": "👍"}
    await session.execute(insert(MessageReaction).values(row))
    with pytest.raises(IntegrityError, match="uq_message_reactions_message_id_user_id_emoji"):
        async with session.begin_nested():
            await session.execute(insert(MessageReaction).values(row))


async def test_reactions_go_with_their_message(session: AsyncSession) -> None:
    message, user_id = await _message_and_user(session)
    await session.execute(
        insert(MessageReaction).values(message_id=message.id, user_id=user_id, emoji="👍")
    )
    await session.execute(delete(PartnerMessage).where(PartnerMessage.id == message.id))
    count = await session.scalar(select(func.count()).select_from(MessageReaction))
    assert count == 0
