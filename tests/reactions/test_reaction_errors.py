"""Every refused reaction gets one clear code and changes nothing, events included."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from luna_graphql.settings import Settings
from tests.api.conftest import make_settings, serve
from tests.api.helpers import (
    CoupleClients,
    GraphQLClient,
    assert_refused_unchanged,
    token_for,
)
from tests.reactions.helpers import ADD, REMOVE, add, reaction_rows

HEART = "❤️"


async def assert_refused(
    client: GraphQLClient,
    query: str,
    variables: dict[str, Any],
    code: str,
    *,
    session: AsyncSession,
    **checks: Any,
) -> None:
    await assert_refused_unchanged(
        client, query, variables, code, rows=lambda: reaction_rows(session), **checks
    )


@pytest.mark.parametrize("query", [ADD, REMOVE], ids=["add", "remove"])
async def test_another_couples_message_is_not_found_like_a_missing_one(
    pair: CoupleClients,
    outsiders: CoupleClients,
    session: AsyncSession,
    database_url: str,
    query: str,
) -> None:
    message = await pair.send(pair.a, "ours")
    await add(pair.b, message["id"], HEART)  # something to remove, for REMOVE
    for target in (message["id"], str(uuid.uuid4())):
        for client in (outsiders.a, outsiders.b):
            await assert_refused(
                client,
                query,
                {"m": target, "e": HEART},
                "NOT_FOUND",
                pair=pair,
                session=session,
                database_url=database_url,
                field="messageId",
            )


async def test_outsiders_read_no_reactions(pair: CoupleClients, outsiders: CoupleClients) -> None:
    message = await pair.send(pair.a, "ours")
    await add(pair.b, message["id"], HEART)
    result = await outsiders.a.execute(
        "query($id: ID!) { message(id: $id) { reactions { emoji } } }", {"id": message["id"]}
    )
    assert result.codes == ["NOT_FOUND"]


@pytest.mark.parametrize(
    "emoji",
    [
        "",
        "   ",
        "lol",
        "ok👍",
        "👍 👍",
        "👍\n",
        "a\u0000",
        "\u202e👍",  # a bidi override: a format character no emoji uses
        ":)",
        "<3",
        "日本",
        "👍" * 33,
    ],
)
async def test_what_is_not_an_emoji_is_bad_input(
    pair: CoupleClients, session: AsyncSession, database_url: str, emoji: str
) -> None:
    message = await pair.send(pair.a, "hi")
    if emoji == "👍\n":
        # Trimmed to a fine emoji: the trailing newline is not part of it.
        await add(pair.b, message["id"], emoji)
        return
    await assert_refused(
        pair.b,
        ADD,
        {"m": message["id"], "e": emoji},
        "BAD_USER_INPUT",
        pair=pair,
        session=session,
        database_url=database_url,
        field="emoji",
    )


@pytest.mark.parametrize(
    "emoji",
    ["❤️", "👍🏽", "👨‍👩‍👧", "🇫🇷", "1️⃣", "#️⃣", "‼️", "ℹ️", "🏴󠁧󠁢󠁳󠁣󠁴󠁿", "🙂🙂"],
)
async def test_real_emoji_are_accepted(pair: CoupleClients, emoji: str) -> None:
    message = await pair.send(pair.a, "hi")
    [group] = (await add(pair.b, message["id"], emoji))["reactions"]
    assert group["emoji"] == emoji


async def test_a_malformed_message_id_is_bad_input(
    pair: CoupleClients, session: AsyncSession, database_url: str
) -> None:
    await assert_refused(
        pair.a,
        ADD,
        {"m": "not-an-id", "e": HEART},
        "BAD_USER_INPUT",
        pair=pair,
        session=session,
        database_url=database_url,
        field="messageId",
    )


async def test_without_a_token_nothing_happens(
    pair: CoupleClients, anonymous: GraphQLClient, session: AsyncSession, database_url: str
) -> None:
    message = await pair.send(pair.a, "hi")
    for query in (ADD, REMOVE):
        await assert_refused(
            anonymous,
            query,
            {"m": message["id"], "e": HEART},
            "UNAUTHENTICATED",
            pair=pair,
            session=session,
            database_url=database_url,
        )


async def test_reactions_are_rate_limited_per_user(
    pair: CoupleClients, session: AsyncSession, database_url: str
) -> None:
    message = await pair.send(pair.a, "hi")
    tight: Settings = make_settings(database_url, rate_limit_reaction="3/minute")
    async with serve(tight) as http:
        a = GraphQLClient(http, token_for(tight, uuid.UUID(pair.a_id)))
        b = GraphQLClient(http, token_for(tight, uuid.UUID(pair.b_id)))
        await add(a, message["id"], HEART)
        await add(a, message["id"], "👍")
        # Removing counts too: each change is a write and an event for the partner.
        assert (await a.data(REMOVE, {"m": message["id"], "e": "👍"}))["removeReaction"]
        before = await reaction_rows(session)
        result = await a.execute(ADD, {"m": message["id"], "e": "🎉"})
        assert result.codes == ["RATE_LIMITED"]
        assert result["errors"][0]["extensions"]["retryAfter"] > 0
        assert await reaction_rows(session) == before
        # The limit is the user's own: the partner still reacts.
        await add(b, message["id"], HEART)
