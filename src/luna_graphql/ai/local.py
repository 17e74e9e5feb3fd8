"""`LocalAssistant`: Luna without a model. Offline, deterministic, and fast enough to inline.

It is the fallback whenever the model is slow or failing, and a complete assistant on its
own for deployments without an API key. All the knowledge lives in the helper modules;
this class only composes them into the contract models.
"""

from __future__ import annotations

from collections.abc import Sequence

from luna_graphql.ai import scoring
from luna_graphql.ai.detectors import detect
from luna_graphql.ai.emotions import emotions_for
from luna_graphql.ai.gestures import write_note
from luna_graphql.ai.models import (
    ContextMessage,
    DraftReview,
    GestureNote,
    GestureType,
    MessageAnalysis,
)
from luna_graphql.ai.rewrite import rewrite


class LocalAssistant:
    """Rule-based assistant built on VADER sentiment and our own pattern lexicon."""

    async def review_draft(self, draft: str, *, context: Sequence[ContextMessage]) -> DraftReview:
        detection = detect(draft)
        streak = scoring.tense_streak(context) if detection.hits else 0
        score = scoring.escalation_score(detection, streak=streak)
        risk = scoring.draft_risk(score)
        issues = scoring.draft_issues(detection, streak=streak)
        if risk == "safe":
            return DraftReview(
                risk_assessment="safe",
                detected_issues=issues,
                primary_suggestion=None,
                suggestion_rationale=None,
                alternatives=[],
                underlying_need=None,
                escalation_score=score,
                source="local",
            )
        result = rewrite(detection, issues=issues, risk=risk, context=context)
        return DraftReview(
            risk_assessment=risk,
            detected_issues=issues,
            primary_suggestion=result.primary,
            suggestion_rationale=result.rationale,
            alternatives=result.alternatives,
            underlying_need=result.need,
            escalation_score=score,
            source="local",
        )

    async def analyze_message(
        self, text: str, *, context: Sequence[ContextMessage]
    ) -> MessageAnalysis:
        detection = detect(text)
        streak = scoring.tense_streak(context) if detection.hits else 0
        score = scoring.escalation_score(detection, streak=streak)
        sentiment = scoring.adjusted_sentiment(detection)
        return MessageAnalysis(
            sentiment_score=sentiment,
            sentiment_label=scoring.sentiment_label(detection, sentiment),
            emotions=emotions_for(detection),
            detected_triggers=detection.triggers,
            escalation_risk=scoring.escalation_risk(score),
            escalation_score=score,
            gottman_markers=scoring.gottman_markers(detection),
            severe_trigger=detection.severe,
            source="local",
        )

    async def write_gesture_note(
        self,
        *,
        gesture_type: GestureType,
        partner_name: str | None,
        positive_context: Sequence[str],
    ) -> GestureNote:
        message, context_used = write_note(
            gesture_type=gesture_type,
            partner_name=partner_name,
            positive_context=positive_context,
        )
        return GestureNote(message=message, context_used=context_used, source="local")

    async def aclose(self) -> None:
        """Nothing to release; present so every assistant can be closed the same way."""
