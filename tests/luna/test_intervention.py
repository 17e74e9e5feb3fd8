"""Active intervention on `sendMessage` at each sensitivity (mode ON_REQUEST, so only Luna's
own judgement stops a draft), from the draft's review and the sender's negative streak."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from luna_graphql.ai.models import DraftReview
from luna_graphql.services.luna_policy import ReviewPlan, choose_intervention, classify_triggers
from tests.api.helpers import CoupleClients
from tests.luna.helpers import (
    KNOWN,
    PREDICTED,
    SAFE,
    SEVERE,
    make_negative_streak,
    send,
    set_luna,
    suggestion_rows,
)


async def outcome(pair: CoupleClients, draft: str) -> str | None:
    """The intervention type that stopped the draft, or None when it was sent."""
    result = await send(pair, pair.a, draft)
    if result["__typename"] == "MessageSent":
        return None
    intervention: str = result["review"]["suggestion"]["interventionType"]
    return intervention


async def test_low_steps_in_on_severe_triggers_and_long_streaks(
    pair: CoupleClients, session: AsyncSession
) -> None:
    await set_luna(pair.a, interventionSensitivity="LOW")
    assert await outcome(pair, SEVERE) == "WARNING"
    assert await outcome(pair, KNOWN) is None  # known trigger, score under 0.8
    assert await outcome(pair, PREDICTED) is None
    await make_negative_streak(session, pair, pair.a, 3)
    assert await outcome(pair, PREDICTED) is None
    await make_negative_streak(session, pair, pair.a, 4)  # the run is the latest 4+
    assert await outcome(pair, PREDICTED) == "WARNING"


async def test_medium_steps_in_on_known_triggers_and_three_negatives(
    pair: CoupleClients, session: AsyncSession
) -> None:
    await set_luna(pair.a, interventionSensitivity="MEDIUM")
    assert await outcome(pair, SEVERE) == "WARNING"
    assert await outcome(pair, KNOWN) == "REFRAME"
    assert await outcome(pair, PREDICTED) is None
    await make_negative_streak(session, pair, pair.a, 2)
    assert await outcome(pair, PREDICTED) is None
    await make_negative_streak(session, pair, pair.a, 3)
    assert await outcome(pair, PREDICTED) == "WARNING"


async def test_high_steps_in_on_predicted_triggers_and_two_negatives(
    pair: CoupleClients, session: AsyncSession
) -> None:
    await set_luna(pair.a, interventionSensitivity="HIGH")
    assert await outcome(pair, PREDICTED) == "REFRAME"
    assert await outcome(pair, KNOWN) == "REFRAME"
    assert await outcome(pair, SEVERE) == "WARNING"
    await make_negative_streak(session, pair, pair.a, 2)
    # A kind draft is never held back, however tense the exchange: it may be the repair.
    assert await outcome(pair, SAFE) is None


async def test_the_streak_is_the_senders_own_and_broken_by_a_positive_message(
    pair: CoupleClients, session: AsyncSession
) -> None:
    await set_luna(pair.a, interventionSensitivity="MEDIUM")
    await make_negative_streak(session, pair, pair.b, 5)  # the partner's mood is not Alex's
    assert await outcome(pair, PREDICTED) is None
    await make_negative_streak(session, pair, pair.a, 3)
    breaker = await send(pair, pair.a, "thanks for earlier")
    await session.execute(
        text(
            "UPDATE partner_messages SET analysis_status = 'done', sentiment_label = 'positive' "
            "WHERE id = :id"
        ),
        {"id": breaker["message"]["id"]},
    )
    await session.commit()
    assert await outcome(pair, PREDICTED) is None


async def test_intervention_steps_in_where_the_mode_would_not(
    pair: CoupleClients, session: AsyncSession
) -> None:
    await set_luna(pair.a, suggestionMode="HIGH_RISK_ONLY", interventionSensitivity="MEDIUM")
    assert await outcome(pair, KNOWN) == "REFRAME"  # RISKY: the mode alone would send it
    await set_luna(pair.a, interventionEnabled=False)
    assert await outcome(pair, KNOWN) is None
    rows = await suggestion_rows(session)
    assert [row.metadata_["intervention_type"] for row in rows] == ["reframe"]


async def test_a_review_the_mode_or_the_writer_asked_for_is_a_suggestion(
    pair: CoupleClients,
) -> None:
    """The schema: SUGGESTION when the writer or their mode asked for the review, even where
    active intervention would also have stepped in."""
    await set_luna(pair.a, suggestionMode="ALWAYS", interventionSensitivity="LOW")
    assert await outcome(pair, KNOWN) == "SUGGESTION"
    assert await outcome(pair, SEVERE) == "SUGGESTION"
    await set_luna(pair.a, suggestionMode="ON_REQUEST", interventionSensitivity="HIGH")
    assert await outcome(pair, SEVERE) == "WARNING"  # Luna stepped in on its own
    result = await send(pair, pair.a, SEVERE, requestLunaReview=True)
    assert result["review"]["suggestion"]["interventionType"] == "SUGGESTION"
    await set_luna(pair.a, suggestionMode="HIGH_RISK_ONLY", interventionSensitivity="MEDIUM")
    assert await outcome(pair, SEVERE) == "SUGGESTION"  # HIGH_RISK: the mode asked
    assert await outcome(pair, KNOWN) == "REFRAME"  # RISKY: only Luna's own judgement


def _review(risk: Any, issues: Any, score: float) -> DraftReview:
    return DraftReview(
        risk_assessment=risk,
        detected_issues=issues,
        primary_suggestion=None if risk == "safe" else "I feel hurt.",
        suggestion_rationale=None if risk == "safe" else "Softer.",
        alternatives=[],
        underlying_need=None,
        escalation_score=score,
        source="model",
    )


def test_a_recent_escalation_predicts_trouble_for_a_draft_without_named_issues() -> None:
    """A model may call a draft RISKY without naming an issue; after a recent escalation
    HIGH sensitivity still steps in, MEDIUM does not."""
    bare = _review("risky", [], 0.35)
    high = ReviewPlan(None, True, True, "high")
    medium = ReviewPlan(None, True, True, "medium")
    assert choose_intervention(high, bare, consecutive_negative=0, recent_escalation=False) is None
    assert choose_intervention(high, bare, consecutive_negative=0, recent_escalation=True) == (
        "reframe"
    )
    assert choose_intervention(medium, bare, consecutive_negative=0, recent_escalation=True) is None


def test_trigger_classes_from_review_issues() -> None:
    contempt = _review("high_risk", ["gottman_contempt"], 0.75)
    assert classify_triggers(contempt, recent_escalation=False).severe
    assert not classify_triggers(
        _review("risky", ["gottman_contempt", "sarcasm"], 0.5), recent_escalation=False
    ).severe
    leave = classify_triggers(_review("risky", ["threat_to_leave"], 0.5), recent_escalation=False)
    assert leave.severe and leave.known and not leave.predicted
