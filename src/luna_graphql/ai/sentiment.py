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


# VADER's negation check rescans the whole text for every word, so its cost grows with the
# square of the length; long texts are scored in chunks and averaged by size instead.
CHUNK_WORDS = 60


def _score(text: str) -> Polarity:
    scores = _analyzer().polarity_scores(text)
    return Polarity(
        compound=float(scores["compound"]),
        positive=float(scores["pos"]),
        negative=float(scores["neg"]),
    )


def polarity(text: str) -> Polarity:
    words = text.split()
    if len(words) <= CHUNK_WORDS:
        return _score(text)
    chunks = [words[i : i + CHUNK_WORDS] for i in range(0, len(words), CHUNK_WORDS)]
    parts = [(len(chunk), _score(" ".join(chunk))) for chunk in chunks]
    total = sum(size for size, _ in parts)
    return Polarity(
        compound=sum(size * p.compound for size, p in parts) / total,
        positive=sum(size * p.positive for size, p in parts) / total,
        negative=sum(size * p.negative for size, p in parts) / total,
    )


def split_sentences(text: str) -> list[str]:
    return [part.strip() for part in _SENTENCE_END.split(text) if part.strip()]
