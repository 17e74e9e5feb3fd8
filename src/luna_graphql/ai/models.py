"""The assistant's contract: what every `Assistant` implementation returns.

Services store these values as they are (the `message_suggestions` and `partner_messages`
analysis columns), so the validators here enforce the invariants those tables rely on
rather than leaving each caller to re-check them.
"""

from __future__ import annotations

from typing import Any, Literal, Self, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Source = Literal["local", "model", "local_fallback"]
RiskAssessment = Literal["safe", "risky", "high_risk"]
EscalationRisk = Literal["low", "medium", "high", "critical"]
SentimentLabel = Literal["positive", "neutral", "negative", "mixed"]
GestureType = Literal["hug", "kiss", "thinking_of_you"]

DraftIssue = Literal[
    "accusatory_language",
    "known_trigger",
    "escalation_pattern",
    "gottman_criticism",
    "gottman_contempt",
    "gottman_defensiveness",
    "gottman_stonewalling",
    "name_calling",
    "sarcasm",
    "absolute_language",
    "threat_to_leave",
    "threat_of_harm",
    "veiled_threat",
    "coercive_control",
    "hurtful_tone",
]
DRAFT_ISSUES: frozenset[str] = frozenset(get_args(DraftIssue))

GOTTMAN_KEYS: tuple[str, ...] = ("criticism", "contempt", "defensiveness", "stonewalling")

GESTURE_NOTE_MAX_CHARS = 280


class _Frozen(BaseModel):
    # Results are shared between the caller, logs and storage; freezing them means a
    # service can't accidentally mutate a review that is also being persisted.
    model_config = ConfigDict(frozen=True, extra="forbid")


class ContextMessage(_Frozen):
    """A recent message of the conversation, seen from the person Luna is helping."""

    author: Literal["viewer", "partner"]
    text: str


class Alternative(_Frozen):
    text: str = Field(min_length=1)
    tone: str = Field(min_length=1)
    rationale: str = Field(min_length=1)


class DraftReview(_Frozen):
    """Luna's private review of a draft, shown only to its author."""

    risk_assessment: RiskAssessment
    detected_issues: list[DraftIssue]
    primary_suggestion: str | None
    suggestion_rationale: str | None
    alternatives: list[Alternative]
    underlying_need: str | None
    escalation_score: float = Field(ge=0.0, le=1.0)
    source: Source

    @model_validator(mode="after")
    def _suggestions_match_risk(self) -> Self:
        if self.risk_assessment == "safe":
            # A safe draft is sent as written; a stray suggestion would be shown for nothing.
            if (
                self.primary_suggestion is not None
                or self.suggestion_rationale is not None
                or self.alternatives
            ):
                raise ValueError("a safe draft carries no suggestion or alternatives")
        elif not self.primary_suggestion or not self.suggestion_rationale:
            # message_suggestions.primary_suggestion / suggestion_rationale are NOT NULL.
            raise ValueError("a risky draft needs a primary suggestion and its rationale")
        return self


class MessageAnalysis(_Frozen):
    """Background analysis of a sent message (feeds the relationship dashboard)."""

    sentiment_score: float = Field(ge=-1.0, le=1.0)
    sentiment_label: SentimentLabel
    emotions: list[str]
    detected_triggers: list[str]
    escalation_risk: EscalationRisk
    escalation_score: float = Field(ge=0.0, le=1.0)
    gottman_markers: dict[str, bool]
    severe_trigger: bool
    source: Source

    @field_validator("gottman_markers")
    @classmethod
    def _exactly_four_horsemen(cls, value: dict[str, bool]) -> dict[str, bool]:
        if set(value) != set(GOTTMAN_KEYS):
            raise ValueError(f"gottman_markers must have exactly the keys {GOTTMAN_KEYS}")
        return value


class GestureNote(_Frozen):
    """A short note to send along with a hug, kiss or thinking-of-you gesture."""

    message: str = Field(min_length=1, max_length=GESTURE_NOTE_MAX_CHARS)
    context_used: dict[str, Any]
    source: Source
