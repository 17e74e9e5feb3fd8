"""What we ask the model to return, and how that becomes our contract models.

These differ from `models` on purpose: strict structured outputs accept neither open
dictionaries (`gottman_markers: dict[str, bool]`, `context_used`) nor fields that are ours
to set (`source`). Conversion is a tolerant reader: it clamps numbers, drops unknown issue
names and trims long text, and rejects only answers we cannot use.
"""

from __future__ import annotations

from typing import cast

from pydantic import BaseModel

from luna_graphql.ai.models import (
    DRAFT_ISSUES,
    GESTURE_NOTE_MAX_CHARS,
    Alternative,
    DraftIssue,
    DraftReview,
    EscalationRisk,
    GestureNote,
    MessageAnalysis,
    RiskAssessment,
    SentimentLabel,
)

MAX_ALTERNATIVES = 3
MAX_EMOTIONS = 4
MAX_TRIGGERS = 8
MAX_TAG_CHARS = 60


class UnusableAnswer(ValueError):
    """The model answered in the right shape but with content we cannot show."""


def _clamp(value: float, low: float, high: float) -> float:
    return max(low, min(high, float(value)))


def _tags(values: list[str], limit: int) -> list[str]:
    cleaned = (v.strip().lower()[:MAX_TAG_CHARS] for v in values)
    return list(dict.fromkeys(v for v in cleaned if v))[:limit]


def _text(value: str | None) -> str | None:
    return value.strip() if value and value.strip() else None


class WireAlternative(BaseModel):
    text: str
    tone: str
    rationale: str


class WireDraftReview(BaseModel):
    risk_assessment: RiskAssessment
    detected_issues: list[str]
    primary_suggestion: str | None
    suggestion_rationale: str | None
    alternatives: list[WireAlternative]
    underlying_need: str | None
    escalation_score: float

    def to_review(self) -> DraftReview:
        issues = [
            cast(DraftIssue, i) for i in dict.fromkeys(self.detected_issues) if i in DRAFT_ISSUES
        ]
        score = _clamp(self.escalation_score, 0.0, 1.0)
        if self.risk_assessment == "safe":
            # Models sometimes add a "nicer" version of a fine message; a safe draft is sent
            # as written, so we drop it rather than show an unasked-for suggestion.
            return DraftReview(
                risk_assessment="safe",
                detected_issues=issues,
                primary_suggestion=None,
                suggestion_rationale=None,
                alternatives=[],
                underlying_need=None,
                escalation_score=score,
                source="model",
            )
        primary, rationale = _text(self.primary_suggestion), _text(self.suggestion_rationale)
        if primary is None or rationale is None:
            raise UnusableAnswer("risky draft without a suggestion")
        alternatives = [
            Alternative(text=a.text.strip(), tone=a.tone.strip().lower(), rationale=a.rationale)
            for a in self.alternatives
            if a.text.strip() and a.tone.strip() and a.rationale.strip()
        ]
        distinct = {a.tone: a for a in alternatives}  # one per tone, as the UI shows tones
        return DraftReview(
            risk_assessment=self.risk_assessment,
            detected_issues=issues,
            primary_suggestion=primary,
            suggestion_rationale=rationale,
            alternatives=list(distinct.values())[:MAX_ALTERNATIVES],
            underlying_need=_text(self.underlying_need),
            escalation_score=score,
            source="model",
        )


class WireGottmanMarkers(BaseModel):
    criticism: bool
    contempt: bool
    defensiveness: bool
    stonewalling: bool


class WireMessageAnalysis(BaseModel):
    sentiment_score: float
    sentiment_label: SentimentLabel
    emotions: list[str]
    detected_triggers: list[str]
    escalation_risk: EscalationRisk
    escalation_score: float
    gottman_markers: WireGottmanMarkers
    severe_trigger: bool

    def to_analysis(self) -> MessageAnalysis:
        return MessageAnalysis(
            sentiment_score=_clamp(self.sentiment_score, -1.0, 1.0),
            sentiment_label=self.sentiment_label,
            emotions=_tags(self.emotions, MAX_EMOTIONS),
            detected_triggers=_tags(self.detected_triggers, MAX_TRIGGERS),
            escalation_risk=self.escalation_risk,
            escalation_score=_clamp(self.escalation_score, 0.0, 1.0),
            gottman_markers=self.gottman_markers.model_dump(),
            severe_trigger=self.severe_trigger,
            source="model",
        )


class WireGestureNote(BaseModel):
    message: str

    def to_note(self, context_used: dict[str, object]) -> GestureNote:
        message = " ".join(self.message.split())
        if not message:
            raise UnusableAnswer("empty gesture note")
        if len(message) > GESTURE_NOTE_MAX_CHARS:
            cut = message[: GESTURE_NOTE_MAX_CHARS - 1].rsplit(" ", 1)[0]
            message = cut.rstrip(" ,.;:") + "…"
        return GestureNote(message=message, context_used=dict(context_used), source="model")
