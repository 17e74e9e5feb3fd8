"""Who is speaking, and how: reported speech, play, conditions, and one-word replies.

These decide whether a phrase is the writer's own words to the partner. "My boss said
'you always miss deadlines'" quotes somebody else; "keep stealing the duvet and see what
happens 😂" is a game; "k" is an answer to a grocery list or a wall put up against "can we
talk? I'm hurt", depending on what the partner just said.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from luna_graphql.ai.lexicon import phrase
from luna_graphql.ai.models import ContextMessage

# A span in quotes. An opening quote follows a non-letter (so "don't" is never one) and a
# closing one is followed by one, so plural possessives ("the dogs' bowls") stay text;
# apostrophes between letters ("'I'm done'") stay inside the span.
_QUOTED = re.compile(r"(?<![\w'])['\"]((?:[^'\"\n]|(?<=\w)'(?=\w)){2,240}?)['\"](?![\w])")
# One or two words in quotes are scare quotes ("your 'quick drink'"): the writer's own sneer,
# not somebody else's words, so they stay for the sarcasm markers.
_SCARE_WORDS = 2
# "he goes / she was like / my boss said: <what they said>" up to the end of the sentence,
# when the reporter is somebody else and no quotes mark where the words stop.
_REPORTED = phrase(
    r"\b(?:(?:he|she|they|my \w+|his \w+|her \w+|[a-z]+'s \w+)(?: literally| just| actually"
    r"| apparently)? (?:said|says|texted|wrote|told (?:me|him|her|us|them)|was like"
    r"|is like|keeps saying|kept saying|yelled|shouted|screamed)):?\s+[^.!?\n]+"
)
QUOTE_MASK = " … "

_PLAYFUL_WORDS = phrase(
    r"\b(?:lol|lmao|haha\w*|hehe\w*|jk|just kidding|kidding|love you|love u|ily|xoxo|xx+|asdf\w*"
    r"|kiss|kisses|hugs|cuddles)\b"
    r"|\bx\s*$"
)
# Emoji and other pictographs, except the ones people use to look cold or cutting.
_EMOJI = re.compile(r"[\u2600-\u27bf\U0001f000-\U0001faff]")
_COLD_EMOJI = frozenset("🙂🙃😐😑😒🙄😤😠😡🤬👏👍👌🤷🖕⚠🤔🍿💔")

CONDITION = phrase(
    r"\bif (?:you|u|nothing|this|things|that)\b|\bunless\b|\bone more \w+\b|\bcarry on\b"
    r"|\bkeep (?:it|this|that|talking|pushing|going|on|doing|choosing|ignoring"
    r"|lying|testing|acting|stealing)\b|\bnext time (?:you|u)\b|\bor else\b|\botherwise\b"
    r"|\bthe (?:next|minute|second|moment|day)\b|\b(?:again|one more time) "
    r"(?:and|&)\b|\bor (?:i'm|i'll|we're|you'll)\b"
)

# What a one-word reply is made of: "k", "fine.", "whatever", a thumbs-up.
_MINIMAL = phrase(
    r"^\s*(?:k+|kk|ok(?:ay)?|fine|sure|whatever|right|noted|cool|yep|yup|mhm+|great|wow|no|nope"
    r"|nothing|busy|bye|later|i don't know|don't care|going offline|night|not now"
    r"|👍|👌|🙂|🙃|😐|🤷\S*|\.+)(?:\s*[.!]*\s*(?:👍|👌|🙂|🙃)?)*\s*$"
)
# A partner's bid for connection or repair: feelings named, a request to talk, a plea.
_BID = phrase(
    r"\b(?:hurt|upset|sad|lonely|alone|distant|worried|scared|sorry|miss|talk|please|feel"
    r"|felt|are we ok|are you ok|say something|love you|angry|mad|fight)\b"
)


def _mask_quote(match: re.Match[str]) -> str:
    return match.group(0) if len(match.group(1).split()) <= _SCARE_WORDS else QUOTE_MASK


def mask_reported_speech(text: str) -> str:
    """`text` (normalised) with what others said replaced by a neutral mark."""
    masked = _QUOTED.sub(_mask_quote, text)
    return _REPORTED.sub(lambda m: m.group(0)[: m.group(0).find(" ") + 1] + QUOTE_MASK, masked)


@lru_cache(maxsize=256)
def is_playful(text: str) -> bool:
    """Laughter, affection or a warm pictograph: threats and demands rarely carry a 🥟."""
    if _PLAYFUL_WORDS.search(text):
        return True
    return any(ch not in _COLD_EMOJI for ch in _EMOJI.findall(text))


def shuts_down_a_bid(draft: str, context: Sequence[ContextMessage]) -> bool:
    """A bare "k" / "fine" / 👍 in answer to a partner who just reached out."""
    if not _MINIMAL.match(draft.lower()):
        return False
    last = next((m for m in reversed(context) if m.author == "partner"), None)
    return last is not None and _BID.search(last.text.lower()) is not None
