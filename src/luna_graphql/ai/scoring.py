"""Turn a detection (plus the recent conversation) into scores and risk levels.

The escalation score is a noisy-OR of independent pieces of evidence: each kind of problem
has a weight, the probability-like combination saturates towards 1 instead of adding past
it, and one phrase saying the same thing twice doesn't double-count. The worst patterns
(contempt, threats, harm) also set a floor, because Gottman's research ranks them as the
most damaging regardless of how mild the rest of the message is.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

from luna_graphql.ai.detectors import Detection, detect
from luna_graphql.ai.lexicon import Kind
from luna_graphql.ai.models import (
    GOTTMAN_KEYS,
    ContextMessage,
    DraftIssue,
    EscalationRisk,
    RiskAssessment,
    SentimentLabel,
)

WEIGHTS: Final[dict[Kind, float]] = {
    "criticism": 0.40,
    "contempt": 0.55,
    "name_calling": 0.65,
    "sarcasm": 0.35,
    "defensiveness": 0.32,
    "stonewalling": 0.35,
    "threat_to_leave": 0.70,
    "accusatory": 0.30,
    "absolute": 0.10,
    "known_trigger": 0.30,
    "escalation": 0.30,
    "violence": 0.95,
    "veiled_threat": 0.80,
    "coercion": 0.80,
    "sweeping": 0.35,
    "learned": 0.35,
    "crisis": 0.90,
}
FLOORS: Final[dict[Kind, float]] = {
    "contempt": 0.55,
    "name_calling": 0.75,
    "threat_to_leave": 0.80,
    "violence": 0.95,
    "veiled_threat": 0.75,
    "coercion": 0.75,
    "crisis": 0.90,
}
HOSTILE: Final[frozenset[Kind]] = frozenset(
    {
        "criticism",
        "contempt",
        "name_calling",
        "sarcasm",
        "stonewalling",
        "threat_to_leave",
        "accusatory",
        "violence",
        "veiled_threat",
        "coercion",
        "sweeping",
        "learned",
        "defensiveness",
        "known_trigger",
    }
)
# VADER reads "miss" as a loss; between partners "I miss you" is affection.
_MISSING_YOU = re.compile(r"\bmiss(?:ing)? (?:you|u)\b")

# Draft risk bands; analysis bands follow the schema's low/medium/high/critical table.
SAFE_BELOW: Final = 0.30
NO_ISSUE_CEILING: Final = 0.25
HIGH_RISK_FROM: Final = 0.70
MEDIUM_FROM: Final = 0.30
HIGH_FROM: Final = 0.55
CRITICAL_FROM: Final = 0.80

CONTEXT_WINDOW: Final = 6

_ISSUES: Final[dict[Kind, tuple[DraftIssue, ...]]] = {
    "criticism": ("gottman_criticism",),
    "contempt": ("gottman_contempt",),
    "name_calling": ("gottman_contempt", "name_calling"),
    "sarcasm": ("gottman_contempt", "sarcasm"),
    "defensiveness": ("gottman_defensiveness",),
    "stonewalling": ("gottman_stonewalling",),
    "threat_to_leave": ("threat_to_leave",),
    "accusatory": ("accusatory_language",),
    "absolute": ("absolute_language",),
    "known_trigger": ("known_trigger",),
    "escalation": ("escalation_pattern",),
    "violence": ("threat_of_harm", "escalation_pattern"),
    "veiled_threat": ("veiled_threat",),
    "coercion": ("coercive_control",),
    "sweeping": ("absolute_language", "gottman_criticism"),
    "learned": ("hurtful_tone",),
    "crisis": ("escalation_pattern",),
}
_GOTTMAN_OF: Final[dict[Kind, str]] = {
    "criticism": "criticism",
    "sweeping": "criticism",
    "contempt": "contempt",
    "name_calling": "contempt",
    "sarcasm": "contempt",
    "defensiveness": "defensiveness",
    "stonewalling": "stonewalling",
}


def tense_streak(context: Sequence[ContextMessage]) -> int:
    """How many of the most recent context messages in a row were negative or hostile."""
    streak = 0
    for message in reversed(context[-CONTEXT_WINDOW:]):
        found = detect(message.text)
        if found.kinds - {"absolute"} or found.polarity.compound <= -0.3:
            streak += 1
        else:
            break
    return streak


def escalation_score(detection: Detection, *, streak: int = 0) -> float:
    remaining = 1.0
    for kind, count in detection.kind_counts.items():
        # A second, different phrase of the same kind is extra evidence, but much weaker.
        weight = min(0.97, WEIGHTS[kind] + 0.05 * (count - 1))
        remaining *= 1.0 - weight
    negativity = max(0.0, -adjusted_sentiment(detection))
    # Sadness said about oneself ("I'm so sad today") is a bid for comfort, not a fight;
    # negativity aimed at the partner is what escalates.
    sentiment_weight = 0.35 if detection.addressed else 0.15
    if detection.i_statement:
        sentiment_weight /= 2
    remaining *= 1.0 - negativity * sentiment_weight
    if detection.hits:
        # A sharp message lands harder in an already tense exchange; a kind one doesn't.
        remaining *= 1.0 - 0.05 * min(streak, 3)
    score = 1.0 - remaining
    if not detection.hits or detection.kinds == {"absolute"}:
        # Sadness or anger with no pattern aimed at anyone ("I'm devastated", "my boss is
        # impossible") is a bid for comfort or venting, and a lone "always" in a calm message
        # is a habit of speech: either may colour the score, never make the draft RISKY.
        score = min(score, NO_ISSUE_CEILING)
    for kind in detection.kinds:
        score = max(score, FLOORS.get(kind, 0.0))
    return round(min(1.0, max(0.0, score)), 3)


def draft_risk(score: float) -> RiskAssessment:
    if score < SAFE_BELOW:
        return "safe"
    return "risky" if score < HIGH_RISK_FROM else "high_risk"


def escalation_risk(score: float) -> EscalationRisk:
    if score >= CRITICAL_FROM:
        return "critical"
    if score >= HIGH_FROM:
        return "high"
    return "medium" if score >= MEDIUM_FROM else "low"


def adjusted_sentiment(detection: Detection) -> float:
    """VADER's compound, corrected for hostility it can't see.

    VADER scores "oh great, thanks a lot" as very positive; once we have found sarcasm or
    another horseman, the message cannot be positive, whatever its words are.
    """
    compound = detection.polarity.compound
    hostile = detection.kinds & HOSTILE
    if hostile:
        compound = min(compound, -0.2 - 0.1 * len(hostile))
    elif _MISSING_YOU.search(detection.text):
        compound = max(compound, 0.3)
    return round(max(-1.0, min(1.0, compound)), 3)


def sentiment_label(detection: Detection, score: float) -> SentimentLabel:
    pol = detection.polarity
    if pol.positive >= 0.2 and pol.negative >= 0.2 and not detection.kinds & HOSTILE:
        return "mixed"
    if score >= 0.05:
        return "positive"
    return "negative" if score <= -0.05 else "neutral"


def draft_issues(detection: Detection, *, streak: int) -> list[DraftIssue]:
    issues: dict[DraftIssue, None] = {}
    for hit in detection.hits:
        for issue in _ISSUES[hit.kind]:
            issues.setdefault(issue, None)
        if hit.trigger:
            issues.setdefault("known_trigger", None)
    if detection.hits and streak >= 2:
        issues.setdefault("escalation_pattern", None)
    return list(issues)


def gottman_markers(detection: Detection) -> dict[str, bool]:
    present = {_GOTTMAN_OF[k] for k in detection.kinds if k in _GOTTMAN_OF}
    return {key: key in present for key in GOTTMAN_KEYS}
