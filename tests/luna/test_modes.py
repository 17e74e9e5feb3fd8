"""`sendMessage` under each suggestion mode (active intervention off, to see the mode alone),
and the retry rule: a clientMessageId already sent returns its message, never a review."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from starlette.applications import Starlette

from luna_graphql.db.vocab import SUGGESTION_MODES
from luna_graphql.services.luna_policy import LunaPreferences, plan_send_review
from tests.api.helpers import CoupleClients, counting_statements
from tests.luna.helpers import (
    HIGH_RISK,
    KNOWN,
    SAFE,
    SEND,
    SEVERE,
    respond,
    send,
    set_luna,
    suggestion_rows,
)


async def test_always_reviews_every_draft(pair: CoupleClients, session: AsyncSession) -> None:
    await set_luna(pair.a, suggestionMode="ALWAYS", interventionEnabled=False)

    stopped = await send(pair, pair.a, KNOWN, clientMessageId="d-1")
    assert stopped["__typename"] == "LunaReviewRequired"
    review = stopped["review"]
    assert review["riskAssessment"] == "RISKY" and review["source"] == "LOCAL"
    assert review["suggestion"]["interventionType"] == "SUGGESTION"
    assert review["suggestion"]["originalMessage"] == KNOWN

    sent = await send(pair, pair.a, SAFE)
    assert sent["__typename"] == "MessageSent"
    assert sent["message"]["lunaIntervened"] is False

    # The stopped draft was not sent, and its clientMessageId is still free.
    history = await pair.history(pair.b)
    assert [e["node"]["content"] for e in history["edges"]] == [SAFE]
    [row] = await suggestion_rows(session)
    assert row.metadata_["origin"] == "send_message"
    assert row.metadata_["intervention_type"] == "suggestion"


async def test_on_request_reviews_only_when_asked(
    pair: CoupleClients, session: AsyncSession
) -> None:
    await set_luna(pair.a, suggestionMode="ON_REQUEST", interventionEnabled=False)

    sent = await send(pair, pair.a, SEVERE)
    assert sent["__typename"] == "MessageSent"
    assert await suggestion_rows(session) == []

    asked = await send(pair, pair.a, KNOWN, requestLunaReview=True)
    assert asked["__typename"] == "LunaReviewRequired"
    assert asked["review"]["suggestion"]["interventionType"] == "SUGGESTION"
    safe = await send(pair, pair.a, SAFE, requestLunaReview=True)
    assert safe["__typename"] == "MessageSent"  # reviewed, SAFE: sent at once, nothing stored
    assert len(await suggestion_rows(session)) == 1


async def test_high_risk_only_stops_high_risk_drafts_only(
    pair: CoupleClients, session: AsyncSession
) -> None:
    await set_luna(pair.a, suggestionMode="HIGH_RISK_ONLY", interventionEnabled=False)

    assert (await send(pair, pair.a, KNOWN))["__typename"] == "MessageSent"
    stopped = await send(pair, pair.a, HIGH_RISK)
    assert stopped["__typename"] == "LunaReviewRequired"
    assert stopped["review"]["riskAssessment"] == "HIGH_RISK"
    assert stopped["review"]["suggestion"]["interventionType"] == "SUGGESTION"
    # Asking explicitly still reviews a merely risky draft.
    asked = await send(pair, pair.a, KNOWN, requestLunaReview=True)
    assert asked["__typename"] == "LunaReviewRequired"
    assert len(await suggestion_rows(session)) == 2


async def test_off_never_involves_luna(pair: CoupleClients, session: AsyncSession) -> None:
    # Intervention stays on: OFF means no Luna at all.
    await set_luna(pair.a, suggestionMode="OFF", interventionEnabled=True)
    sent = await send(pair, pair.a, SEVERE)
    assert sent["__typename"] == "MessageSent"
    assert sent["message"]["lunaIntervened"] is False
    # Asking for a review with Luna off is refused rather than sent unreviewed.
    variables = {
        "input": {
            "conversationId": pair.conversation_id,
            "content": KNOWN,
            "requestLunaReview": True,
        }
    }
    assert await pair.a.error_code(SEND, variables) == "FORBIDDEN"
    assert await suggestion_rows(session) == []
    assert len((await pair.history(pair.a))["edges"]) == 1


async def test_assistance_disabled_never_involves_luna(
    pair: CoupleClients, session: AsyncSession
) -> None:
    await set_luna(pair.a, suggestionMode="ALWAYS", lunaAssistanceEnabled=False)
    assert (await send(pair, pair.a, SEVERE))["__typename"] == "MessageSent"
    assert await suggestion_rows(session) == []


async def test_modes_are_the_senders_own(pair: CoupleClients) -> None:
    await set_luna(pair.b, suggestionMode="ALWAYS", interventionEnabled=False)
    await set_luna(pair.a, suggestionMode="OFF")
    assert (await send(pair, pair.a, KNOWN))["__typename"] == "MessageSent"
    assert (await send(pair, pair.b, KNOWN))["__typename"] == "LunaReviewRequired"


async def test_a_retried_client_message_id_returns_the_sent_message_without_review(
    pair: CoupleClients, session: AsyncSession
) -> None:
    await set_luna(pair.a, suggestionMode="OFF")
    first = await send(pair, pair.a, KNOWN, clientMessageId="k-1")
    assert first["__typename"] == "MessageSent"

    await set_luna(pair.a, suggestionMode="ALWAYS", interventionEnabled=True)
    retried = await send(pair, pair.a, KNOWN, clientMessageId="k-1")
    assert retried["__typename"] == "MessageSent"
    assert retried["message"]["id"] == first["message"]["id"]
    asked = await send(pair, pair.a, KNOWN, clientMessageId="k-1", requestLunaReview=True)
    assert asked["message"]["id"] == first["message"]["id"]
    assert await suggestion_rows(session) == []
    assert len((await pair.history(pair.a))["edges"]) == 1


async def test_a_plain_send_stays_one_transaction(pair: CoupleClients, app: Starlette) -> None:
    """With Luna on (the defaults: ON_REQUEST, intervention at MEDIUM) a draft the offline
    screen finds nothing in costs nothing extra: one statement checks, INSERTs and NOTIFYs."""
    engine: AsyncEngine = app.state.engine
    rows = app.state.runtime.realtime.row_pool  # the plain send path runs on it
    with counting_statements(engine, rows) as statements:
        sent = await send(pair, pair.a, SAFE)
    assert sent["__typename"] == "MessageSent"
    assert len(statements) == 1, statements


async def test_a_retried_stopped_send_returns_its_suggestion_then_its_message(
    pair: CoupleClients, session: AsyncSession
) -> None:
    await set_luna(pair.a, suggestionMode="ALWAYS")
    first = await send(pair, pair.a, KNOWN, clientMessageId="m-1")
    retried = await send(pair, pair.a, KNOWN, clientMessageId="m-1")
    assert retried["__typename"] == "LunaReviewRequired"
    assert retried["review"] == first["review"]  # the same suggestion, not a second review
    assert len(await suggestion_rows(session)) == 1

    # Answered without a key of its own, the message takes the stopped send's key...
    answer = await respond(pair.a, first["review"]["suggestion"]["id"], "ACCEPTED")
    assert answer["message"]["clientMessageId"] == "m-1"
    # ...so one more retry of that send returns the message Luna helped write.
    again = await send(pair, pair.a, KNOWN, clientMessageId="m-1")
    assert again["__typename"] == "MessageSent"
    assert again["message"]["id"] == answer["message"]["id"]
    assert len(await suggestion_rows(session)) == 1


@pytest.mark.parametrize("flagged", [False, True], ids=["safe", "flagged"])
async def test_the_one_statement_send_writes_exactly_when_the_policy_skips_review(
    pair: CoupleClients, app: Starlette, flagged: bool
) -> None:
    """The plain send's statement applies a table `plan_send_review` computed: over every
    value the preferences can take, it writes the draft itself exactly when Python's policy
    lets it go out unreviewed, and otherwise leaves it to the review path."""
    engine: AsyncEngine = app.state.engine
    rows = app.state.runtime.realtime.row_pool
    draft = KNOWN if flagged else SAFE
    for assist in (True, False):
        for mode in SUGGESTION_MODES:
            for intervene in (True, False):
                await set_luna(
                    pair.a,
                    lunaAssistanceEnabled=assist,
                    suggestionMode=mode.upper(),
                    interventionEnabled=intervene,
                )
                plan = plan_send_review(
                    LunaPreferences(assist, mode, intervene), request_review=False
                )
                unreviewed = plan is None or (plan.screen_first and not flagged)
                with counting_statements(engine, rows) as statements:
                    await send(pair, pair.a, draft)
                # One statement on the row pool when it wrote; the review path's otherwise.
                assert (len(statements) == 1) is unreviewed, (assist, mode, intervene, statements)
