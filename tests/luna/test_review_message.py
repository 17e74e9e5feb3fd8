"""`reviewMessage` with the offline assistant: what is stored, what the assistant sees,
input checks, the per-user rate limit and couple isolation."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from luna_graphql.ai.local import LocalAssistant
from luna_graphql.services.luna_policy import LunaPreferences, ReviewPlan, choose_intervention
from tests.api.conftest import make_settings, serve
from tests.api.helpers import CoupleClients, make_couple_clients
from tests.luna.helpers import (
    HIGH_RISK,
    KNOWN,
    LUNA_SETTINGS,
    PREDICTED,
    REVIEW,
    SAFE,
    SEVERE,
    review,
    send,
    set_luna,
    suggestion_rows,
)


async def test_policy_inputs_are_what_the_tests_assume() -> None:
    """The drafts below drive every mode and sensitivity test: pin their local reviews."""
    local = LocalAssistant()
    safe = await local.review_draft(SAFE, context=[])
    predicted = await local.review_draft(PREDICTED, context=[])
    known = await local.review_draft(KNOWN, context=[])
    severe = await local.review_draft(SEVERE, context=[])
    high = await local.review_draft(HIGH_RISK, context=[])
    assert (safe.risk_assessment, safe.detected_issues) == ("safe", [])
    assert predicted.risk_assessment == "risky" and predicted.escalation_score <= 0.4
    assert "known_trigger" not in predicted.detected_issues
    assert known.risk_assessment == "risky" and 0.6 < known.escalation_score <= 0.8
    assert "known_trigger" in known.detected_issues
    assert severe.risk_assessment == "high_risk" and "name_calling" in severe.detected_issues
    assert high.risk_assessment == "high_risk" and high.escalation_score <= 0.8
    plan = ReviewPlan(None, True, True, "low")
    assert choose_intervention(plan, high, consecutive_negative=0, recent_escalation=False) is None
    assert LunaPreferences.of(None) == LunaPreferences()


async def test_a_risky_draft_gets_a_stored_suggestion(
    pair: CoupleClients, session: AsyncSession
) -> None:
    for text in ("Long day, just got home", "The sink is full again"):
        await send(pair, pair.b if text.startswith("Long") else pair.a, text)

    result = await review(pair, pair.a, f"  {KNOWN}  ")

    assert result["riskAssessment"] == "RISKY" and result["source"] == "LOCAL"
    assert "known_trigger" in result["detectedIssues"]
    suggestion = result["suggestion"]
    assert suggestion["primarySuggestion"] and suggestion["suggestionRationale"]
    assert len(suggestion["alternatives"]) >= 2
    assert all(a["text"] and a["tone"] and a["rationale"] for a in suggestion["alternatives"])
    assert suggestion["originalMessage"] == KNOWN  # trimmed like a message
    assert suggestion["interventionType"] == "SUGGESTION"
    assert suggestion["userAction"] is None and suggestion["finalMessageId"] is None
    assert suggestion["conversationId"] == pair.conversation_id

    [row] = await suggestion_rows(session)
    assert str(row.id) == suggestion["id"]
    assert (row.sender_id, row.risk_assessment, row.original_message) == (
        "partner_a",
        "risky",
        KNOWN,
    )
    assert row.context_message_count == 2
    assert row.metadata_["source"] == "local"
    assert row.metadata_["origin"] == "review_message"
    assert row.alternatives == [
        {"text": a["text"], "tone": a["tone"], "rationale": a["rationale"]}
        for a in suggestion["alternatives"]
    ]
    # Nothing was sent.
    history = await pair.history(pair.a)
    assert [e["node"]["content"] for e in history["edges"]] == [
        "Long day, just got home",
        "The sink is full again",
    ]


async def test_a_safe_draft_is_not_stored(pair: CoupleClients, session: AsyncSession) -> None:
    result = await review(pair, pair.a, SAFE)
    assert result == {
        "riskAssessment": "SAFE",
        "detectedIssues": [],
        "source": "LOCAL",
        "suggestion": None,
    }
    assert await suggestion_rows(session) == []


async def test_context_is_capped_by_settings(database_url: str, session: AsyncSession) -> None:
    settings = make_settings(database_url, **{**LUNA_SETTINGS, "luna_context_messages": 3})
    async with serve(settings) as http:
        pair = await make_couple_clients(session, http, settings)
        for i in range(5):
            await send(pair, pair.a, f"note {i}")
        await review(pair, pair.a, KNOWN)
    [row] = await suggestion_rows(session)
    assert row.context_message_count == 3


async def test_bad_input_and_other_couples(
    pair: CoupleClients, outsiders: CoupleClients, session: AsyncSession
) -> None:
    def review_input(draft: str, conversation_id: str | None = None) -> dict[str, Any]:
        return {
            "input": {"conversationId": conversation_id or pair.conversation_id, "draft": draft}
        }

    for draft in ("", "   ", "x" * 5001):
        result = await pair.a.execute(REVIEW, review_input(draft))
        assert result.codes == ["BAD_USER_INPUT"], result
        assert result["errors"][0]["extensions"]["field"] == "draft"
    assert await pair.a.error_code(REVIEW, review_input(KNOWN, "not-a-uuid")) == "BAD_USER_INPUT"
    other = review_input(KNOWN, outsiders.conversation_id)
    assert await pair.a.error_code(REVIEW, other) == "NOT_FOUND"
    missing = review_input(KNOWN, "00000000-0000-0000-0000-000000000000")
    assert await pair.a.error_code(REVIEW, missing) == "NOT_FOUND"
    assert await suggestion_rows(session) == []


async def test_reviews_are_rate_limited_per_user(database_url: str, session: AsyncSession) -> None:
    settings = make_settings(database_url, **{**LUNA_SETTINGS, "rate_limit_review": "2/minute"})
    async with serve(settings) as http:
        pair = await make_couple_clients(session, http, settings)
        await review(pair, pair.a, KNOWN)
        await review(pair, pair.a, SAFE)
        result = await pair.a.execute(
            REVIEW, {"input": {"conversationId": pair.conversation_id, "draft": KNOWN}}
        )
        assert result.codes == ["RATE_LIMITED"]
        assert result["errors"][0]["extensions"]["retryAfter"] > 0
        # Per user: the partner still has theirs.
        await review(pair, pair.b, KNOWN)
    assert len(await suggestion_rows(session)) == 2


async def test_luna_turned_off_refuses_reviews(pair: CoupleClients, session: AsyncSession) -> None:
    await set_luna(pair.a, suggestionMode="OFF")
    variables = {"input": {"conversationId": pair.conversation_id, "draft": KNOWN}}
    assert await pair.a.error_code(REVIEW, variables) == "FORBIDDEN"
    await set_luna(pair.a, suggestionMode="ON_REQUEST", lunaAssistanceEnabled=False)
    assert await pair.a.error_code(REVIEW, variables) == "FORBIDDEN"
    # The partner's own settings are theirs: Blair still can.
    assert (await review(pair, pair.b, KNOWN))["suggestion"] is not None
    assert len(await suggestion_rows(session)) == 1


INSIGHTS_LUNA = "{ messagingInsights { lunaUsage { reviewsRequested suggestionsShown } } }"


async def test_every_requested_review_counts_on_the_dashboard_safe_ones_too(
    pair: CoupleClients, session: AsyncSession
) -> None:
    await review(pair, pair.a, SAFE)
    await review(pair, pair.a, KNOWN)
    await send(pair, pair.a, SAFE, requestLunaReview=True)
    mine = await pair.a.execute(INSIGHTS_LUNA)
    assert mine["data"]["messagingInsights"]["lunaUsage"] == {
        "reviewsRequested": 3,
        "suggestionsShown": 1,
    }
    # Counts are private to their author too: the partner sees only their own (none).
    theirs = await pair.b.execute(INSIGHTS_LUNA)
    assert theirs["data"]["messagingInsights"]["lunaUsage"] == {
        "reviewsRequested": 0,
        "suggestionsShown": 0,
    }
    # Only counts were kept for the SAFE drafts: no text of theirs is stored.
    assert [row.original_message for row in await suggestion_rows(session)] == [KNOWN]
