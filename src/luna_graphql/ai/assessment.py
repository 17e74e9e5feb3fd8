"""One reading of a message, shared by the draft review and the background analysis: the
rules' detection, the tension of the exchange, the score, and the learned second opinion.

The rules are asked first; only a draft they would pass as SAFE is shown to the learned
model (`harm_model`), and only a confident "hurtful" from it (`LEARNED_FROM`) makes the
draft RISKY, never HIGH_RISK: the model widens what Luna notices, the rules keep the final
say on how serious it is.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from typing import Final, NamedTuple

from luna_graphql.ai import scoring
from luna_graphql.ai.detectors import Detection, Hit, detect_reply
from luna_graphql.ai.harm_model import harm_probability
from luna_graphql.ai.models import ContextMessage

# Chosen by `harm_training --cv` (each writer of eval/dev.jsonl held out in turn), trading a
# little accuracy for fewer false alarms: a kind message flagged is what makes people turn
# Luna off. Below `LEARNED_MIN_WORDS` the model has too few n-grams to be trusted
# ("thanks for earlier" looks like the start of "thanks for nothing").
LEARNED_FROM: Final = 0.8
LEARNED_MIN_WORDS: Final = 4


def learned_flags(text: str, probability: float) -> bool:
    return probability >= LEARNED_FROM and len(text.split()) >= LEARNED_MIN_WORDS


class Assessment(NamedTuple):
    detection: Detection
    streak: int
    score: float


def assess(text: str, context: Sequence[ContextMessage], *, learned: bool = True) -> Assessment:
    detection = detect_reply(text, context)
    passed = scoring.draft_risk(scoring.escalation_score(detection)) == "safe"
    if learned and passed and learned_flags(text, harm_probability(text)):
        hits = (*detection.hits, Hit("learned", None, False))
        detection = replace(detection, hits=hits, kind_counts=Counter(h.kind for h in hits))
    streak = scoring.tense_streak(context) if detection.hits else 0
    return Assessment(detection, streak, scoring.escalation_score(detection, streak=streak))
