"""The relationship health score (0..100), from figures the insights query already has.

The formula is written out in the README ("Relationship health score"); keep them in step.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

WEIGHT_SENTIMENT = 0.40
WEIGHT_HORSEMEN = 0.25
WEIGHT_ESCALATION = 0.20
WEIGHT_BALANCE = 0.15
CONTEMPT_WEIGHT = 2  # Gottman's strongest predictor of separation counts double
HORSEMEN_ZERO_AT = 1.0  # weighted markers per analysed message that bring the part to 0
ESCALATION_ZERO_AT = 0.5  # share of analysed messages at HIGH/CRITICAL risk that does so


@dataclass(frozen=True)
class ScoreInputs:
    analysed: int  # analysed messages of both partners in the window
    average_sentiment: float | None  # mean sentiment_score of those, -1..1
    criticism: int
    contempt: int
    defensiveness: int
    stonewalling: int
    escalated: int  # analysed messages at HIGH or CRITICAL risk
    messages_a: int  # every message partner A sent in the window
    messages_b: int


@dataclass(frozen=True)
class HealthScore:
    """`score` is None when no message of the window was analysed (nothing to judge)."""

    score: int | None
    sentiment: float | None
    horsemen: float | None
    escalation: float | None
    balance: float | None


def _clamp01(value: float) -> float:
    return max(0.0, min(1.0, value))


def health_score(f: ScoreInputs) -> HealthScore:
    balance = (
        min(f.messages_a, f.messages_b) / max(f.messages_a, f.messages_b)
        if max(f.messages_a, f.messages_b) > 0
        else None
    )
    if f.analysed == 0 or f.average_sentiment is None:
        return HealthScore(None, None, None, None, balance)
    sentiment = _clamp01((f.average_sentiment + 1.0) / 2.0)
    weighted_markers = f.criticism + CONTEMPT_WEIGHT * f.contempt + f.defensiveness + f.stonewalling
    horsemen = _clamp01(1.0 - weighted_markers / (HORSEMEN_ZERO_AT * f.analysed))
    escalation = _clamp01(1.0 - f.escalated / (ESCALATION_ZERO_AT * f.analysed))
    total = (
        WEIGHT_SENTIMENT * sentiment
        + WEIGHT_HORSEMEN * horsemen
        + WEIGHT_ESCALATION * escalation
        + WEIGHT_BALANCE * (balance if balance is not None else 0.0)
    )
    # Half up, not Python's half-to-even, so the README's arithmetic gives the same integer.
    score = math.floor(100.0 * total + 0.5 + 1e-9)
    return HealthScore(max(0, min(100, score)), sentiment, horsemen, escalation, balance)
