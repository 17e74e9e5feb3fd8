"""Warm, short notes to go with a hug, a kiss or a thinking-of-you gesture.

Deterministic: the template is chosen by a stable hash of the inputs (not Python's
`hash()`, which is salted per process), so the same gesture gets the same note on every
server and in every test run, while different partners and moments get some variety.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from typing import Any

from luna_graphql.ai.models import GESTURE_NOTE_MAX_CHARS, GestureType

_OPENERS: dict[GestureType, tuple[str, ...]] = {
    "hug": (
        "Sending you the biggest hug{name}. 🤗",
        "Here's a hug{name}, the long kind where neither of us lets go first.",
        "Wrapping you up in a hug from here{name}. 💛",
    ),
    "kiss": (
        "A little kiss for you{name}. 😘",
        "Sending a kiss your way{name}, with more saved for later. 💋",
        "Just a kiss{name}, because I can't stop thinking about you. 😘",
    ),
    "thinking_of_you": (
        "Thinking of you{name}. 💭",
        "You popped into my head again{name}, and now I'm smiling. 💛",
        "Just wanted you to know you're on my mind{name}.",
    ),
}
_WITH_MOMENT = (
    'Still smiling about "{moment}".',
    'I keep coming back to "{moment}".',
    'Remember "{moment}"? That made my day.',
)
_CLOSERS: dict[GestureType, tuple[str, ...]] = {
    "hug": ("Can't wait to hold you for real.", "I'm here for you, always.", "Love you."),
    "kiss": ("Can't wait to see you.", "You're my favourite person.", "Love you."),
    "thinking_of_you": ("Hope your day is going well.", "Lucky to have you.", "Love you."),
}
_MOMENT_CHARS = 80
_NAME_CHARS = 40
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


def _pick(options: Sequence[str], seed: bytes, salt: str) -> str:
    digest = hashlib.sha256(seed + salt.encode()).digest()
    return options[int.from_bytes(digest[:4], "big") % len(options)]


def _clip(text: str, limit: int) -> str:
    text = " ".join(_CONTROL.sub(" ", text).split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0] if " " in text[: limit - 1] else text[: limit - 1]
    return cut.rstrip(" ,.;:!?") + "…"


def write_note(
    *, gesture_type: GestureType, partner_name: str | None, positive_context: Sequence[str]
) -> tuple[str, dict[str, Any]]:
    name = _clip(partner_name, _NAME_CHARS) if partner_name else ""
    # The most recent positive moment that isn't blank; quoting it makes the note personal.
    moment = next((m for m in (_clip(c, _MOMENT_CHARS) for c in positive_context) if m), "")
    moment = moment.replace('"', "'")
    seed = f"{gesture_type}\x00{name}\x00{moment}".encode()
    parts = [_pick(_OPENERS[gesture_type], seed, "open").format(name=f", {name}" if name else "")]
    if moment:
        parts.append(_pick(_WITH_MOMENT, seed, "moment").format(moment=moment))
    parts.append(_pick(_CLOSERS[gesture_type], seed, "close"))
    message = _clip(" ".join(parts), GESTURE_NOTE_MAX_CHARS)
    context_used: dict[str, Any] = {
        "gesture_type": gesture_type,
        "partner_name_used": bool(name),
        "positive_context_available": len(positive_context),
        "positive_context_used": 1 if moment else 0,
    }
    return message, context_used
