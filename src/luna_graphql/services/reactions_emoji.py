"""What counts as an emoji reaction, checked with the standard library's Unicode data."""

from __future__ import annotations

import unicodedata

from luna_graphql.db.models import EMOJI_MAX_CHARS
from luna_graphql.errors import BadUserInput
from luna_graphql.services.storable_text import require_storable

_ZWJ = "\u200d"
_EMOJI_PRESENTATION = "\ufe0f"
# Subdivision flags (🏴 + tag letters + cancel tag) are built from these format characters.
_TAG_CHARS = range(0xE0020, 0xE0080)


def _is_allowed_char(char: str) -> bool:
    category = unicodedata.category(char)
    if category == "Cf":
        return char == _ZWJ or ord(char) in _TAG_CHARS
    # Whitespace, separators, controls, surrogates, private use and unassigned code points.
    return not category.startswith(("Z", "C"))


def _is_symbol_char(char: str) -> bool:
    # Emoji are non-ASCII symbols (❤ 👍), punctuation (‼ ⁉), or enclosing marks (the keycap
    # of 1️⃣); an emoji presentation selector makes any preceding character an emoji (ℹ️).
    if char == _EMOJI_PRESENTATION:
        return True
    return not char.isascii() and unicodedata.category(char).startswith(("S", "P", "Me"))


def clean_emoji(raw: str) -> str:
    """The emoji trimmed, or BAD_USER_INPUT: 1..32 characters, no words, no blanks."""
    emoji = require_storable(raw, field="emoji").strip()
    if not 1 <= len(emoji) <= EMOJI_MAX_CHARS:
        raise BadUserInput(f"emoji must be 1 to {EMOJI_MAX_CHARS} characters", field="emoji")
    if not all(_is_allowed_char(char) for char in emoji):
        raise BadUserInput("emoji must not contain spaces or control characters", field="emoji")
    # No emoji contains an ASCII letter; this refuses words ("lol") and words with emoji.
    if any(char.isascii() and char.isalpha() for char in emoji) or not any(
        _is_symbol_char(char) for char in emoji
    ):
        raise BadUserInput("emoji must be an emoji, not text", field="emoji")
    return emoji
