"""When `sendMessage` asks Luna for a review, and when Luna stops the draft: pure policy.

The viewer's own preferences decide (the partner's never do):

| preferences                        | reviewed on sendMessage    | stopped when                |
|------------------------------------|----------------------------|-----------------------------|
| luna_assistance_enabled false, OFF | never (asked: FORBIDDEN)   | never                       |
| ALWAYS, or requestLunaReview: true | every draft                | not SAFE                    |
| HIGH_RISK_ONLY                     | what the screen flags      | HIGH_RISK, or intervention  |
| ON_REQUEST, intervention on        | what the screen flags      | active intervention         |
| ON_REQUEST, intervention off       | never                      | never                       |

Active intervention (`intervention_enabled`, with the `intervention_sensitivity` thresholds
of `services.intervention`) applies in every mode but OFF, and also stops a draft the mode
alone would let through; it names the intervention `warning` or `reframe`. A draft the mode
or the writer's request would stop is a `suggestion`, whatever intervention says. A draft
the review calls SAFE is never stopped: a streak of negative messages is no reason to hold
back a kind one (often the repair).

The offline screen is the local assistant without context: a draft in which it finds no
issue at all is sent at once, so ordinary messages never wait on, or pay for, a model.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

from luna_graphql.ai.models import DraftReview
from luna_graphql.db.models import PartnerMessagingPreferences
from luna_graphql.errors import Forbidden
from luna_graphql.services.intervention import Intervention, Sensitivity, decide_intervention

InterventionType = Literal["suggestion", "warning", "reframe"]

# How the review's issues map onto the sensitivity table's three kinds of trigger.
# Severe: what the design (and the model's prompt) calls high risk on sight.
SEVERE_ISSUES: Final = frozenset({"name_calling", "threat_to_leave"})
SEVERE_WHEN_HIGH_RISK: Final = frozenset({"gottman_contempt", "escalation_pattern"})
# Known: the named trigger phrases ("you always", "whatever", "I'm done", insults, sarcasm).
KNOWN_ISSUES: Final = frozenset({"known_trigger", "name_calling", "sarcasm", "threat_to_leave"})
# Predicted: every other issue is a sign the draft will land as an attack even without a
# known phrase (accusations, absolutes, the horsemen, an escalating exchange).


@dataclass(frozen=True)
class LunaPreferences:
    """The Luna part of a partner's preferences; the column defaults when no row exists."""

    assistance_enabled: bool = True
    mode: str = "on_request"
    intervention_enabled: bool = True
    sensitivity: Sensitivity = "medium"

    @classmethod
    def of(cls, row: PartnerMessagingPreferences | None) -> LunaPreferences:
        if row is None:
            return cls()
        sensitivity: Sensitivity = "medium"
        if row.intervention_sensitivity in ("low", "medium", "high"):
            sensitivity = row.intervention_sensitivity  # type: ignore[assignment]
        return cls(
            assistance_enabled=row.luna_assistance_enabled,
            mode=row.suggestion_mode,
            intervention_enabled=row.intervention_enabled,
            sensitivity=sensitivity,
        )

    @property
    def turned_on(self) -> bool:
        return self.assistance_enabled and self.mode != "off"

    def require_turned_on(self) -> None:
        """An explicit request for a review is refused, not silently dropped, when Luna is
        off: sending a draft the writer asked to have checked would surprise them."""
        if not self.turned_on:
            raise Forbidden("Luna is turned off in your messaging preferences")


@dataclass(frozen=True)
class ReviewPlan:
    """What a `sendMessage` review is for. `stop_on` is what the mode asks for (None: only
    active intervention can stop the draft); `screen_first`: review only what the offline
    screen flags."""

    stop_on: Literal["not_safe", "high_risk"] | None
    screen_first: bool
    intervene: bool
    sensitivity: Sensitivity


def plan_send_review(prefs: LunaPreferences, *, request_review: bool) -> ReviewPlan | None:
    """None: send the draft as written, without looking at it."""
    if request_review:
        prefs.require_turned_on()
    if not prefs.turned_on:
        return None
    intervene = prefs.intervention_enabled
    if request_review or prefs.mode == "always":
        return ReviewPlan("not_safe", False, intervene, prefs.sensitivity)
    if prefs.mode == "high_risk_only":
        return ReviewPlan("high_risk", True, intervene, prefs.sensitivity)
    if intervene:
        return ReviewPlan(None, True, True, prefs.sensitivity)
    return None


@dataclass(frozen=True)
class TriggerFlags:
    severe: bool
    known: bool
    predicted: bool


def classify_triggers(review: DraftReview, *, recent_escalation: bool) -> TriggerFlags:
    """Severe / known / predicted, from the review's issues (the model's or the local
    assistant's alike). Only called for drafts that are not SAFE: in an exchange that
    escalated recently, such a draft is predicted to trigger even without a named issue."""
    issues = set(review.detected_issues)
    severe = bool(issues & SEVERE_ISSUES) or (
        review.risk_assessment == "high_risk" and bool(issues & SEVERE_WHEN_HIGH_RISK)
    )
    known = bool(issues & KNOWN_ISSUES)
    predicted = bool(issues - KNOWN_ISSUES) or recent_escalation
    return TriggerFlags(severe=severe, known=known, predicted=predicted)


def choose_intervention(
    plan: ReviewPlan,
    review: DraftReview,
    *,
    consecutive_negative: int,
    recent_escalation: bool,
) -> InterventionType | None:
    """How Luna stops the draft, or None to send it as written."""
    if review.risk_assessment == "safe":
        return None
    # A review the writer (or their mode) asked for is a suggestion even where active
    # intervention would also have stepped in: the schema promises SUGGESTION for it.
    if plan.stop_on == "not_safe" or (
        plan.stop_on == "high_risk" and review.risk_assessment == "high_risk"
    ):
        return "suggestion"
    if not plan.intervene:
        return None
    flags = classify_triggers(review, recent_escalation=recent_escalation)
    active: Intervention | None = decide_intervention(
        sensitivity=plan.sensitivity,
        consecutive_negative=consecutive_negative,
        escalation_score=review.escalation_score,
        has_severe_trigger=flags.severe,
        has_known_trigger=flags.known,
        has_predicted_trigger=flags.predicted,
    )
    return active
