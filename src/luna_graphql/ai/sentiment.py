"""Lexicon sentiment (VADER) for whole messages and for their sentences.

VADER is built for short social text, ships its lexicon inside the wheel (so it works
offline) and takes well under a millisecond per message, cheap enough to call inline.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

# Sentences end at ., !, ? or a line break; emoji and ellipses stay with their sentence.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")


@dataclass(frozen=True, slots=True)
class Polarity:
    compound: float
    positive: float
    negative: float


@cache
def _analyzer() -> SentimentIntensityAnalyzer:
    # Loading reads the lexicon files once (a few ms); the analyzer is read-only afterwards,
    # so one instance is shared by every assistant and task.
    return SentimentIntensityAnalyzer()


def polarity(text: str) -> Polarity:
    scores = _analyzer().polarity_scores(text)
    return Polarity(
        compound=float(scores["compound"]),
        positive=float(scores["pos"]),
        negative=float(scores["neg"]),
    )


def split_sentences(text: str) -> list[str]:
    return [part.strip() for part in _SENTENCE_END.split(text) if part.strip()]
