"""Lexicon sentiment (VADER) for whole messages and for their sentences.

VADER is built for short social text, ships its lexicon inside the wheel (so it works
offline) and takes well under a millisecond per ordinary message. It is not built for
hostile input: it spells every emoji out as words ("face with tears of joy") and rescans the
whole text for every word, so its cost grows with the square of the spelled-out length
(5,000 emoji in a row took it half a minute). This module is the only way to VADER, and it
bounds what VADER sees:

- an ordinary message (at most `CHUNK_WORDS` words and `MESSAGE_COST` once spelled out)
  goes to VADER exactly as written, as it always has;
- anything else is cut into tokens, an emoji starting a token of its own (VADER breaks the
  word there anyway when it spells the emoji out, so the tokens read the same words); a run
  of one token is cut to `RUN_LIMIT` (a wall of "😂" feels like a few of them); a token
  longer than `TOKEN_CHARS` keeps its two ends; tokens are scored in chunks of at most
  `CHUNK_WORDS` words and `CHUNK_COST` spelled-out words, averaged by size in words; and of
  more than `MAX_CHUNKS` chunks only the first and last halves are scored (how a message
  opens and ends carries its tone; the middle of a long paste adds cost, not signal).

Whatever the input, VADER sees one ordinary message or at most `MAX_CHUNKS` texts of at
most `CHUNK_COST` spelled-out words each. Long text of plain words (no emoji, no word over
`TOKEN_CHARS` characters or `RUN_LIMIT` times in a row) of up to `MAX_CHUNKS * CHUNK_WORDS`
words, more than the detectors' 4,000 characters, is chunked and weighed as it always was.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache, lru_cache

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

# Sentences end at ., !, ? or a line break; emoji and ellipses stay with their sentence.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
# Marks, inside a word, where VADER will break it to spell an emoji out.
_BREAK = "\x00"

# VADER's negation and idiom checks rescan the whole text for every word: its cost grows
# with the square of a text's length in words, spelled-out emoji included. So:
CHUNK_WORDS = 60  # words per chunk (a word may hold several tokens: "you😂", "😂😂")
CHUNK_COST = 60  # words per chunk once VADER has spelled its emoji out (up to six each)
MESSAGE_COST = 120  # a message up to this is scored whole, as it always was
MAX_CHUNKS = 16  # chunks scored at most: the first and the last half of them
RUN_LIMIT = 5  # the same token this many times in a row says all a longer run says
# No lexicon entry is longer than 19 characters; a longer token keeps its two ends, where
# VADER looks for punctuation to strip.
TOKEN_CHARS = 64


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


@cache
def _spelled_words() -> dict[str, int]:
    """How many words VADER spells each emoji out as. VADER looks emoji up one character
    at a time, so its multi-character entries (ZWJ sequences, skin tones) never match as a
    whole; their single characters do."""
    return {
        char: len(description.split())
        for char, description in _analyzer().emojis.items()
        if len(char) == 1
    }


@cache
def _marks() -> dict[int, str]:
    """A `str.translate` table putting a NUL before every emoji, where VADER will break the
    word; a NUL already in the text becomes a SOH, so that only ours split."""
    table = {ord(char): _BREAK + char for char in _spelled_words()}
    table[ord(_BREAK)] = "\x01"
    return table


def _score(text: str) -> Polarity:
    scores = _analyzer().polarity_scores(text)
    return Polarity(
        compound=float(scores["compound"]),
        positive=float(scores["pos"]),
        negative=float(scores["neg"]),
    )


def _is_ordinary(text: str) -> bool:
    """At most `CHUNK_WORDS` words and `MESSAGE_COST` once spelled out (counting each
    emoji's words in full, an upper bound); stops counting as soon as the answer is no."""
    words = text.split()
    if len(words) > CHUNK_WORDS:
        return False
    spelled = _spelled_words()
    cost = len(words)
    # Each piece after a break starts with its emoji: at most MESSAGE_COST turns.
    for piece in text.translate(_marks()).split(_BREAK)[1:]:
        cost += spelled[piece[0]]
        if cost > MESSAGE_COST:
            return False
    return True


def _tokens(text: str) -> Iterator[tuple[str, bool]]:
    """The text's tokens, each with whether it starts a word; runs shortened, long cut."""
    half = TOKEN_CHARS // 2
    previous, run = "", 0
    for word in text.translate(_marks()).split():
        starts_word = True
        for token in word.split(_BREAK) if _BREAK in word else (word,):
            if not token:
                continue
            run = run + 1 if token == previous else 1
            previous = token
            if run <= RUN_LIMIT:
                cut = token if len(token) <= TOKEN_CHARS else token[:half] + token[-half:]
                yield cut, starts_word
                starts_word = False


def _chunks(text: str) -> list[tuple[int, str]]:
    """Chunks of the text, each with its size in words (its weight in the average).

    Chunks end between words, as they always have, so a long message of plain words is
    chunked and weighed as before; only a word that VADER would spell out past
    `CHUNK_COST` (a wall of emoji) is cut inside.
    """
    spelled = _spelled_words()
    chunks: list[tuple[int, str]] = []
    tokens: list[str] = []
    words = cost = 0
    for token, starts_word in _tokens(text):
        token_cost = spelled.get(token[0], 1)
        full = starts_word and words == CHUNK_WORDS
        if tokens and (full or cost + token_cost > CHUNK_COST):
            chunks.append((words, " ".join(tokens)))
            tokens, words, cost = [], 0, 0
        # A chunk that opens inside a word counts that word again.
        words += starts_word or not tokens
        tokens.append(token)
        cost += token_cost
    if tokens:
        chunks.append((words, " ".join(tokens)))
    if len(chunks) > MAX_CHUNKS:
        half = MAX_CHUNKS // 2
        chunks = chunks[:half] + chunks[-half:]
    return chunks


# The detectors ask about the same text or clause again for every phrase they find in it;
# a repeated phrase must not mean repeated scoring.
@lru_cache(maxsize=64)
def _polarity(text: str) -> Polarity:
    if _is_ordinary(text):
        return _score(text)
    chunks = _chunks(text)
    if len(chunks) <= 1:
        return _score(chunks[0][1] if chunks else "")
    parts = [(size, _score(chunk)) for size, chunk in chunks]
    total = sum(size for size, _ in parts)
    return Polarity(
        compound=sum(size * p.compound for size, p in parts) / total,
        positive=sum(size * p.positive for size, p in parts) / total,
        negative=sum(size * p.negative for size, p in parts) / total,
    )


def polarity(text: str) -> Polarity:
    """VADER's scores for `text`; for long or emoji-dense text, of a bounded sample of it."""
    return _polarity(text)


def clear_cache() -> None:
    """Forget recent scores (a benchmark measuring cold scoring calls this between runs)."""
    _polarity.cache_clear()


def split_sentences(text: str) -> list[str]:
    return [part.strip() for part in _SENTENCE_END.split(text) if part.strip()]
