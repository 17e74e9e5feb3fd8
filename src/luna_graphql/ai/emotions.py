"""Name the emotions a message expresses, from a small word list of our own.

The NRC lexicon (nrclex) would need a corpus download at run time; a short, curated list
tuned to how partners text each other is enough for the dashboard's emotion tags.
"""

from __future__ import annotations

import re

from luna_graphql.ai.detectors import Detection

_EMOTION_WORDS: tuple[tuple[str, str], ...] = (
    ("angry", r"angry|furious|mad at|pissed|livid|rage|hate|seething"),
    ("frustrated", r"frustrat\w*|annoy\w*|irritat\w*|fed up|sick of|tired of|ugh+|again\?*!"),
    ("hurt", r"hurt\w*|wounded|ignored|invisible|unappreciated|taken for granted|left out"),
    ("sad", r"sad|upset|crying|cried|tears|heartbroken|miserable|down today|feel down"),
    ("lonely", r"lonely|alone|by myself|on my own"),
    ("anxious", r"worried|anxious|nervous|scared|afraid|stressed|panick\w*|on edge"),
    ("overwhelmed", r"overwhelm\w*|exhausted|swamped|drained|too much|burn(?:ed|t) out"),
    ("disappointed", r"disappoint\w*|let down|let me down"),
    ("tired", r"tired|sleepy|worn out|wiped"),
    ("sorry", r"sorry|apologi[sz]e|my bad|i messed up|my fault"),
    ("love", r"love|adore|❤️|❤|💕|💖|😘|😍|🥰|<3|xoxo"),
    ("grateful", r"thank\w*|grateful|appreciate\w*|thx"),
    ("happy", r"happy|glad|yay|great day|😊|😄|😁|🙂"),
    ("excited", r"excited|can't wait|cant wait|pumped|thrilled|🎉"),
    ("hopeful", r"hope|hopeful|hopefully|looking forward"),
    ("longing", r"miss you|missing you|wish you were here"),
    ("playful", r"haha\w*|lol|lmao|😂|🤣|😜|😉"),
)
_POSITIVE = frozenset({"love", "grateful", "happy", "excited", "hopeful", "playful"})
_PATTERNS = tuple(
    (name, re.compile(rf"(?<![\w])(?:{words})(?![\w])")) for name, words in _EMOTION_WORDS
)
# "not happy", "don't love", "never grateful": the emotion is negated, not expressed.
_NEGATED = re.compile(
    r"\b(?:not|never|no|isn't|wasn't|don't|didn't|can't|won't|n't)\s+(?:\w+\s+)?$"
)

# What the horsemen themselves say about the speaker's state.
_FROM_KINDS: dict[str, str] = {
    "contempt": "contempt",
    "name_calling": "contempt",
    "defensiveness": "defensive",
    "stonewalling": "withdrawn",
    "threat_to_leave": "hopeless",
    "crisis": "hopeless",
    "violence": "angry",
    "escalation": "angry",
    "criticism": "frustrated",
    "accusatory": "frustrated",
}

MAX_EMOTIONS = 4


def emotions_for(detection: Detection) -> list[str]:
    found: dict[str, None] = dict.fromkeys(expressed_emotions(detection.text))
    # Iterate hits, not the kinds set: set order of strings changes between processes and
    # the result must be deterministic.
    for hit in detection.hits:
        if hit.kind in _FROM_KINDS:
            found.setdefault(_FROM_KINDS[hit.kind], None)
    # Sarcasm says "thanks"; it doesn't mean it. Drop warm words once hostility is found.
    hostile = detection.kinds & {"sarcasm", "contempt", "name_calling", "criticism"}
    names = [n for n in found if not (hostile and n in _POSITIVE)]
    return sorted(names, key=_order)[:MAX_EMOTIONS]


def _order(name: str) -> int:
    # Negative emotions first: they are what the dashboard and the rewrite act on.
    return 1 if name in _POSITIVE else 0


def expressed_emotions(text: str) -> list[str]:
    """Emotions named by the words of a (normalised) text, ignoring what the horsemen imply."""
    found: list[str] = []
    for name, pattern in _PATTERNS:
        for match in pattern.finditer(text):
            if not _NEGATED.search(text[max(0, match.start() - 24) : match.start()]):
                found.append(name)
                break
    return found
