"""Find the communication patterns in one message: the four horsemen, triggers, threats.

Matching is phrase-based and deterministic. Sentence-level sentiment is used only to
gate phrases that are also said kindly, never as a detector on its own.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from luna_graphql.ai.lexicon import (
    ABSOLUTE_WORDS,
    FIRST_PERSON_FRAME,
    I_STATEMENT,
    MARKERS,
    OH_GREAT,
    SARCASTIC_TAIL,
    SECOND_PERSON,
    Gate,
    Kind,
    Marker,
)
from luna_graphql.ai.lexicon_control import CONTROL_MARKERS
from luna_graphql.ai.lexicon_covert import COVERT_MARKERS
from luna_graphql.ai.lexicon_threats import THREAT_MARKERS
from luna_graphql.ai.models import ContextMessage
from luna_graphql.ai.sentiment import Polarity, polarity
from luna_graphql.ai.speech import CONDITION, is_playful, mask_reported_speech, shuts_down_a_bid
from luna_graphql.ai.texting import spell_out

# Threats first: the rewriter and the policy look at the most severe kind found.
ALL_MARKERS: tuple[Marker, ...] = THREAT_MARKERS + CONTROL_MARKERS + MARKERS + COVERT_MARKERS

# Long pastes are judged on their beginning: the patterns are linear, but sentiment and
# the number of sentences are not worth paying for on a novel-length draft.
MAX_CHARS = 4000
GATED_MATCHES = 8
# A sentence at or above this VADER compound reads as warm; gated phrases don't count in it.
WARM = 0.3

_SPACES = re.compile(r"[ \t\u00a0]+")
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})
_SENTENCE = re.compile(r"[^.!?\n]+[.!?]*|[.!?]+")
_CLAUSE_BREAK = re.compile(r"[,;]\s*|\s+but\s+|\s+-+\s+")
_CAPS_WORD = re.compile(r"\b[A-Z]{3,}\b")
# "I don't think you're lazy", "I never said you were selfish": a verdict denied.
_DENIED = re.compile(
    r"\b(?:don'?t|do not|didn'?t|never|not|wouldn'?t) (?:think|thought|say|said|mean|meant|believe"
    r"|call(?:ed)?|saying)\b[^.!?]*$"
)
_VERDICTS: frozenset[Kind] = frozenset(
    {"criticism", "name_calling", "contempt", "accusatory", "sweeping", "known_trigger"}
)
# "I'm done. like completely drained. not at you, just life": the writer says who it is not for.
_NOT_FOR_YOU = re.compile(
    r"\bnot (?:at|about|because of|aimed at|with) (?:you|u)\b|\bjust life\b"
    r"|\bnothing to do with (?:you|u)\b"
)
# "I don't need to see your phone, I trust you": a demand disowned in the same clause.
_DISOWNED = re.compile(
    r"\b(?:don'?t|do not|won'?t|will never|would never|never) (?:need|want|ask|expect|have)\b"
    r"[^.!?]*$|\b(?:don'?t|do not|never|won'?t|not going to|not gonna)\s*$"
)
_MISSING_YOU = re.compile(r"\bmiss(?:ing)? (?:you|u|ur|your)\b")
_WORD = re.compile(r"\b[A-Za-z]{3,}\b")


@dataclass(frozen=True, slots=True)
class Hit:
    kind: Kind
    trigger: str | None
    severe: bool


@dataclass(frozen=True, slots=True)
class Detection:
    """Everything the scorer and the rewriter need to know about one message."""

    text: str  # normalised (lower case) text the patterns ran on
    hits: tuple[Hit, ...]
    polarity: Polarity  # of the original text, case kept (VADER reads caps as emphasis)
    addressed: bool  # speaks to the partner ("you", "your")
    i_statement: bool  # opens with how the speaker feels or what they need
    shouting: bool
    kind_counts: Counter[Kind] = field(default_factory=Counter)

    @property
    def kinds(self) -> frozenset[Kind]:
        return frozenset(self.kind_counts)

    @property
    def triggers(self) -> list[str]:
        seen: dict[str, None] = {}
        for hit in self.hits:
            if hit.trigger:
                seen.setdefault(hit.trigger, None)
        return list(seen)

    @property
    def severe(self) -> bool:
        return any(hit.severe for hit in self.hits)


def normalise(text: str) -> str:
    return spell_out(_SPACES.sub(" ", text[:MAX_CHARS].translate(_QUOTES)).strip().lower())


def _sentence_at(sentences: list[tuple[int, int]], position: int) -> tuple[int, int]:
    # Sentences are in order and disjoint: the last one starting at or before `position`.
    index = bisect.bisect_right(sentences, (position, len(sentences) and sentences[-1][1])) - 1
    if index >= 0 and sentences[index][0] <= position < sentences[index][1]:
        return sentences[index]
    return 0, 0


def _clause_around(text: str, span: tuple[int, int], start: int) -> str:
    # "I love you but you never listen": the warmth of one clause must not excuse the other.
    sentence = text[span[0] : span[1]]
    offset = start - span[0]
    cuts = [m.end() for m in _CLAUSE_BREAK.finditer(sentence) if m.end() <= offset]
    begin = cuts[-1] if cuts else 0
    after = _CLAUSE_BREAK.search(sentence, offset)
    return sentence[begin : after.start() if after else len(sentence)]


def _passes_gate(marker: Marker, text: str, span: tuple[int, int], start: int) -> bool:
    sentence = text[span[0] : span[1]]
    if marker.kind in _VERDICTS and _DENIED.search(text, span[0], start):
        return False
    if marker.kind in ("coercion", "crisis") and _DISOWNED.search(text, span[0], start):
        return False
    if marker.kind in ("stonewalling", "escalation") and _NOT_FOR_YOU.search(text):
        return False
    if marker.gate is Gate.NOT_POSITIVE:
        clause = _clause_around(text, span, start)
        return polarity(clause).compound < WARM and not _MISSING_YOU.search(clause)
    if marker.gate is Gate.MESSAGE_NOT_POSITIVE:
        return polarity(text).compound < WARM
    if marker.gate is Gate.NOT_PLAYFUL:
        return not is_playful(text)
    if marker.gate is Gate.AFTER_CONDITION:
        return CONDITION.search(text, 0, start) is not None and not is_playful(text)
    if marker.gate is Gate.AT_PARTNER:
        if SECOND_PERSON.search(sentence):
            return True
        before = text[span[0] : start]
        if FIRST_PERSON_FRAME.search(before):
            return False
        return len(sentence.split()) <= 3
    return True


def _oh_great_is_sarcastic(text: str) -> bool:
    match = OH_GREAT.search(text)
    if match is None:
        return False
    rest = text[match.end() :].strip(" ,.!")
    if not rest or SARCASTIC_TAIL.search(rest):
        return True
    return polarity(rest).compound <= -0.05


def _absolute_hit(text: str, sentences: list[tuple[int, int]]) -> bool:
    # "Always" and "never" are harmless in "I'll always love you"; they become sweeping
    # generalisations in a sentence that is sour and aimed at someone.
    for start, end in sentences:
        for clause in _CLAUSE_BREAK.split(text[start:end]):
            if not ABSOLUTE_WORDS.search(clause):
                continue
            compound = polarity(clause).compound
            if compound < WARM and (SECOND_PERSON.search(clause) or compound <= -0.05):
                return True
    return False


def _is_shouting(original: str) -> bool:
    words = _WORD.findall(original)
    caps = _CAPS_WORD.findall(original)
    return len(caps) >= 2 and len(caps) >= 0.6 * len(words)


def detect(original: str) -> Detection:
    text = mask_reported_speech(normalise(original))
    sentences = [(m.start(), m.end()) for m in _SENTENCE.finditer(text)]
    hits: list[Hit] = []
    for marker in ALL_MARKERS:
        # A gate may refuse every match of a phrase repeated a thousand times; looking at the
        # first few keeps the cost of a hostile paste linear in its length.
        for match in itertools.islice(marker.pattern.finditer(text), GATED_MATCHES):
            span = _sentence_at(sentences, match.start())
            if _passes_gate(marker, text, span, match.start()):
                # One hit per marker: saying "you never" twice is not twice the evidence.
                hits.append(Hit(marker.kind, marker.trigger, marker.severe))
                break
    if _oh_great_is_sarcastic(text):
        hits.append(Hit("sarcasm", None, False))
    if _absolute_hit(text, sentences):
        hits.append(Hit("absolute", None, False))
    whole = polarity(original[:MAX_CHARS])
    shouting = _is_shouting(original[:MAX_CHARS])
    if shouting and whole.compound < WARM:
        hits.append(Hit("escalation", None, False))
    return Detection(
        text=text,
        hits=tuple(hits),
        polarity=whole,
        addressed=bool(SECOND_PERSON.search(text)),
        i_statement=bool(I_STATEMENT.search(text)),
        shouting=shouting,
        kind_counts=Counter(hit.kind for hit in hits),
    )


def detect_reply(original: str, context: Sequence[ContextMessage]) -> Detection:
    """`detect`, plus what only the conversation shows: a bare "k" or 👍 in answer to a
    partner who just asked to talk is a wall, not an answer."""
    found = detect(original)
    if not context or not shuts_down_a_bid(original, context) or "stonewalling" in found.kinds:
        return found
    hits = (*found.hits, Hit("stonewalling", "whatever", False))
    return replace(found, hits=hits, kind_counts=Counter(hit.kind for hit in hits))
