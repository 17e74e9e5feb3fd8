"""Every refused gesture operation gets one clear code and changes nothing, events included."""

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
from tests.factories import make_couple
from tests.gestures.helpers import (
    ACKNOWLEDGE,
    GENERATE,
    ONE,
    RECENT,
    SEND_GESTURE,
    acknowledge,
    gesture_rows,
    send_gesture,
)


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
        client, query, variables, code, rows=lambda: gesture_rows(session), **checks
    )


async def test_acknowledging_ones_own_gesture_is_forbidden(
    pair: CoupleClients, session: AsyncSession, database_url: str
) -> None:
    gesture = (await send_gesture(pair.a))["gesture"]
    await assert_refused(
        pair.a,
        ACKNOWLEDGE,
        {"input": {"gestureId": gesture["id"], "sendBack": True}},
        "FORBIDDEN",
        pair=pair,
        session=session,
        database_url=database_url,
        field="gestureId",
    )


async def test_a_second_acknowledgement_is_a_conflict(
    pair: CoupleClients, session: AsyncSession, database_url: str
) -> None:
    gesture = (await send_gesture(pair.a))["gesture"]
    await acknowledge(pair.b, gesture["id"])
    for again in ({}, {"sendBack": True, "sendBackType": "KISS"}):
        await assert_refused(
            pair.b,
            ACKNOWLEDGE,
            {"input": {"gestureId": gesture["id"], **again}},
            "CONFLICT",
            pair=pair,
            session=session,
            database_url=database_url,
            field="gestureId",
        )


async def test_another_couples_gesture_is_not_found_everywhere(
    pair: CoupleClients, outsiders: CoupleClients, session: AsyncSession, database_url: str
) -> None:
    theirs = (await send_gesture(outsiders.a))["gesture"]["id"]
    missing = str(uuid.uuid4())
    for gesture_id in (theirs, missing):
        await assert_refused(
            pair.b,
            ACKNOWLEDGE,
            {"input": {"gestureId": gesture_id}},
            "NOT_FOUND",
            pair=pair,
            session=session,
            database_url=database_url,
        )
        assert await pair.b.error_code(ONE, {"id": gesture_id}) == "NOT_FOUND"
    # ... and the outsiders' own view is untouched.
    seen = (await outsiders.b.data(ONE, {"id": theirs}))["gesture"]
    assert seen["acknowledgedAt"] is None
    # Their relationship id is as unknown as a made-up one.
    await assert_refused(
        pair.a,
        SEND_GESTURE,
        {"input": {"gestureType": "HUG", "relationshipId": outsiders.relationship_id}},
        "NOT_FOUND",
        pair=pair,
        session=session,
        database_url=database_url,
        field="relationshipId",
    )


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"message": "x" * 281}, "message"),
        ({"message": "  " + "é" * 281 + "  "}, "message"),
        ({"message": "nul \x00"}, "message"),
        ({"clientGestureId": ""}, "clientGestureId"),
        ({"clientGestureId": "k" * 129}, "clientGestureId"),
        ({"relationshipId": "not-a-uuid"}, "relationshipId"),
    ],
)
async def test_bad_send_input(
    pair: CoupleClients,
    session: AsyncSession,
    database_url: str,
    fields: dict[str, Any],
    field: str,
) -> None:
    await assert_refused(
        pair.a,
        SEND_GESTURE,
        {"input": {"gestureType": "HUG", **fields}},
        "BAD_USER_INPUT",
        pair=pair,
        session=session,
        database_url=database_url,
        field=field,
    )


async def test_a_note_of_exactly_280_characters_is_fine(pair: CoupleClients) -> None:
    note = "💛" * 280  # characters, not bytes
    assert (await send_gesture(pair.a, message=note))["gesture"]["message"] == note


async def test_unknown_gesture_type_is_bad_input(
    pair: CoupleClients, session: AsyncSession, database_url: str
) -> None:
    gesture = (await send_gesture(pair.a))["gesture"]
    for query, variables in (
        (SEND_GESTURE, {"input": {"gestureType": "WAVE"}}),
        (SEND_GESTURE, {"input": {"gestureType": "hug"}}),  # enum names, not stored values
        (
            ACKNOWLEDGE,
            {"input": {"gestureId": gesture["id"], "sendBack": True, "sendBackType": "WAVE"}},
        ),
        (GENERATE, {"input": {"gestureType": "WAVE"}}),
    ):
        await assert_refused(
            pair.b,
            query,
            variables,
            "BAD_USER_INPUT",
            pair=pair,
            session=session,
            database_url=database_url,
        )
    # Inline in the document it is a validation error, equally coded and harmless.
    result = await pair.a.execute(
        "mutation { sendGesture(input: {gestureType: WAVE}) { recipientOnline } }"
    )
    assert result.codes == ["GRAPHQL_VALIDATION_FAILED"]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"sendBack": True, "sendBackMessage": "y" * 281}, "sendBackMessage"),
        ({"sendBackType": "HUG"}, "sendBack"),
        ({"sendBack": False, "sendBackMessage": "hi"}, "sendBack"),
        ({"gestureId": "nope"}, "gestureId"),
    ],
)
async def test_bad_acknowledge_input_leaves_the_gesture_pending(
    pair: CoupleClients,
    session: AsyncSession,
    database_url: str,
    fields: dict[str, Any],
    field: str,
) -> None:
    gesture = (await send_gesture(pair.a))["gesture"]
    await assert_refused(
        pair.b,
        ACKNOWLEDGE,
        {"input": {"gestureId": gesture["id"], **fields}},
        "BAD_USER_INPUT",
        pair=pair,
        session=session,
        database_url=database_url,
        field=field,
    )


@pytest.mark.parametrize("limit", [0, -1, 101])
async def test_recent_limit_out_of_range(pair: CoupleClients, limit: int) -> None:
    assert await pair.a.error_code(RECENT, {"limit": limit}) == "BAD_USER_INPUT"


async def test_no_token_and_no_relationship(
    pair: CoupleClients, anonymous: GraphQLClient, session: AsyncSession, settings: Settings
) -> None:
    variables = {"input": {"gestureType": "HUG"}}
    assert await anonymous.error_code(SEND_GESTURE, variables) == "UNAUTHENTICATED"
    assert await anonymous.error_code("{ pendingGestures { id } }") == "UNAUTHENTICATED"
    single = await make_couple(session, commit=False)
    await session.delete(single.relationship)
    await session.commit()
    loner = anonymous.with_token(token_for(settings, single.partner_a.id))
    assert await loner.error_code(SEND_GESTURE, variables) == "NOT_FOUND"
    assert await loner.error_code("{ pendingGestures { id } }") == "NOT_FOUND"


async def test_rate_limit_per_sender(
    database_url: str, session: AsyncSession, pair: CoupleClients
) -> None:
    tight = make_settings(database_url, rate_limit_gesture="3/minute")
    async with serve(tight) as http:
        a = GraphQLClient(http, token_for(tight, pair.couple.partner_a.id))
        b = GraphQLClient(http, token_for(tight, pair.couple.partner_b.id))
        for _ in range(3):
            await send_gesture(a)
        before = await gesture_rows(session)
        result = await a.execute(SEND_GESTURE, {"input": {"gestureType": "HUG"}})
        assert result.codes == ["RATE_LIMITED"]
        assert result["errors"][0]["extensions"]["retryAfter"] > 0
        assert await gesture_rows(session) == before
        # The limit is the sender's own: the partner still sends.
        await send_gesture(b)
