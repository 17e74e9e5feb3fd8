"""addReaction / removeReaction / Message.reactions over HTTP on real PostgreSQL."""

from __future__ import annotations

import uuid

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.applications import Starlette

from tests.api.helpers import CoupleClients, counting_statements, listening
from tests.reactions.helpers import ADD, PAGE, REMOVE, add, reaction_rows, reactions_of, remove

HEART = "❤️"
THUMBS = "👍"


async def test_both_partners_see_counts_and_their_own_reactions(pair: CoupleClients) -> None:
    message = await pair.send(pair.a, "dinner at 8?")
    first = await add(pair.b, message["id"], THUMBS)
    assert first == {
        "messageId": message["id"],
        "conversationId": pair.conversation_id,
        "reactions": [
            {"emoji": THUMBS, "count": 1, "reactedByMe": True, "partnerRoles": ["PARTNER_B"]}
        ],
    }
    await add(pair.a, message["id"], THUMBS)
    await add(pair.a, message["id"], HEART)

    assert await reactions_of(pair.a, message["id"]) == [
        {
            "emoji": THUMBS,
            "count": 2,
            "reactedByMe": True,
            "partnerRoles": ["PARTNER_B", "PARTNER_A"],
        },
        {"emoji": HEART, "count": 1, "reactedByMe": True, "partnerRoles": ["PARTNER_A"]},
    ]
    assert await reactions_of(pair.b, message["id"]) == [
        {
            "emoji": THUMBS,
            "count": 2,
            "reactedByMe": True,
            "partnerRoles": ["PARTNER_B", "PARTNER_A"],
        },
        {"emoji": HEART, "count": 1, "reactedByMe": False, "partnerRoles": ["PARTNER_A"]},
    ]


async def test_adding_twice_and_removing_what_is_not_there_change_nothing(
    pair: CoupleClients, session: AsyncSession, database_url: str
) -> None:
    message = await pair.send(pair.a, "hi")
    async with listening(database_url, uuid.UUID(pair.relationship_id)) as log:
        await log.drain()
        await add(pair.b, message["id"], f"  {HEART} ")  # trimmed: the same reaction
        assert len(await log.drain()) == 1
        again = await add(pair.b, message["id"], HEART)
        assert [g["count"] for g in again["reactions"]] == [1]
        assert await log.drain() == []  # nothing changed, nothing announced
        assert len(await reaction_rows(session)) == 1

        removed = await remove(pair.b, message["id"], HEART)
        assert removed["reactions"] == []
        assert len(await log.drain()) == 1
        assert (await remove(pair.b, message["id"], HEART))["reactions"] == []
        # The partner's removal of a reaction they never made touches nothing either.
        await add(pair.b, message["id"], THUMBS)
        await log.drain()
        assert len((await remove(pair.a, message["id"], THUMBS))["reactions"]) == 1
        assert await log.drain() == []
    assert [row[2] for row in await reaction_rows(session)] == [THUMBS]


async def test_an_event_carries_ids_and_the_kind_of_change_never_the_emoji(
    pair: CoupleClients, database_url: str, session: AsyncSession
) -> None:
    message = await pair.send(pair.a, "hi")
    async with listening(database_url, uuid.UUID(pair.relationship_id)) as log:
        await log.drain()
        await add(pair.b, message["id"], HEART)
        [added] = await log.drain()
        [(reaction_id,)] = (await session.execute(text("SELECT id FROM message_reactions"))).all()
        await remove(pair.b, message["id"], HEART)
        [removed] = await log.drain()
    ids = {"conversation_id": pair.conversation_id, "message_id": message["id"]}
    assert added.kind == removed.kind == "reaction"
    assert added.data == {**ids, "reaction_id": str(reaction_id), "change": "added"}
    assert removed.data == {**ids, "reaction_id": str(reaction_id), "change": "removed"}


async def test_a_page_of_reactions_costs_one_query_whatever_its_size(
    pair: CoupleClients, app: Starlette
) -> None:
    async def count_for_page() -> int:
        with counting_statements(app.state.engine) as statements:
            data = await pair.b.data(PAGE, {"c": pair.conversation_id})
        assert data["messages"]["edges"]
        return len(statements)

    first = await pair.send(pair.a, "first")
    await add(pair.b, first["id"], HEART)
    small = await count_for_page()
    for n in range(20):
        message = await pair.send(pair.a, f"message {n}")
        await add(pair.a, message["id"], THUMBS)
        await add(pair.b, message["id"], HEART)
    assert await count_for_page() == small
    with counting_statements(app.state.engine) as statements:
        await pair.b.data(PAGE, {"c": pair.conversation_id})
    assert sum("message_reactions" in s for s in statements) == 1


async def test_a_deleted_message_takes_no_reactions_and_shows_none(
    pair: CoupleClients, session: AsyncSession
) -> None:
    message = await pair.send(pair.a, "oops")
    await add(pair.b, message["id"], HEART)
    await pair.a.data(
        "mutation($id: ID!) { deleteMessage(id: $id) { seq } }", {"id": message["id"]}
    )
    before = await reaction_rows(session)
    for client in (pair.a, pair.b):
        for operation in (ADD, REMOVE):
            result = await client.execute(operation, {"m": message["id"], "e": HEART})
            assert result.codes == ["NOT_FOUND"], result
            assert result["errors"][0]["extensions"]["field"] == "messageId"
    assert await reaction_rows(session) == before
