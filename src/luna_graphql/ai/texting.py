"""Spell out texting shorthand so one pattern reads "u disgust me" and "you disgust me".

"ur" is "you're" before what describes someone ("ur not going", "ur such a flake") and
"your" before what belongs to them ("ur phone"); the rest is a plain word list.
"""

from __future__ import annotations

import re

_WORDS = {
    "u": "you",
    "ya": "you",
    "yu": "you",
    "u'll": "you'll",
    "u'd": "you'd",
    "u've": "you've",
    "u're": "you're",
    "youre": "you're",
    "urself": "yourself",
    "abt": "about",
    "bc": "because",
    "cuz": "because",
    "coz": "because",
    "rn": "right now",
    "tho": "though",
    "idk": "i don't know",
    "dont": "don't",
    "cant": "can't",
    "wont": "won't",
    "didnt": "didn't",
    "doesnt": "doesn't",
    "isnt": "isn't",
    "im": "i'm",
    "ive": "i've",
    "thats": "that's",
    "whats": "what's",
    "ppl": "people",
    "pls": "please",
    "plz": "please",
    "wtv": "whatever",
    "whatevs": "whatever",
    "gonna": "going to",
    "wanna": "want to",
    "gotta": "got to",
}
# Words after which "ur" means "you're".
_UR_IS_YOU_ARE = frozenset(
    [
        "not",
        "so",
        "such",
        "a",
        "an",
        "the",
        "being",
        "going",
        "gonna",
        "always",
        "never",
        "just",
        "really",
        "actually",
        "lucky",
        "too",
        "literally",
        "like",
        "on",
        "in",
        "at",
        "out",
        "home",
        "welcome",
        "right",
        "wrong",
        "kidding",
        "joking",
        "overreacting",
        "quitting",
        "staying",
        "coming",
        "leaving",
        "acting",
        "making",
        "twisting",
        "reading",
    ]
)
_TOKEN = re.compile(r"[a-z']+")


def _expand(match: re.Match[str]) -> str:
    word = match.group(0)
    if word == "ur":
        following = match.string[match.end() :].split(maxsplit=1)
        nxt = following[0] if following else ""
        return "you're" if nxt in _UR_IS_YOU_ARE or nxt.endswith("ing") else "your"
    return _WORDS.get(word, word)


def spell_out(text: str) -> str:
    """`text` (lower case, straight apostrophes) with shorthand written out."""
    return _TOKEN.sub(_expand, text)
