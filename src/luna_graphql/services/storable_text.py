"""The one rule every text input passes before it is stored: PostgreSQL `text` holds it.

A UTF-8 database cannot store NUL, nor a lone UTF-16 surrogate (U+D800..U+DFFF), which a JSON
string can carry as a `\\ud83d` escape but UTF-8 cannot encode. Either would fail in the
driver, whose error quotes the value; refused here, it is the client's error, named by field.
"""

from __future__ import annotations

import re

from luna_graphql.errors import BadUserInput

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def require_storable(text: str, *, field: str) -> str:
    """`text` itself, or BAD_USER_INPUT on `field` (the message never quotes the text)."""
    if _UNSTORABLE.search(text) is not None:
        raise BadUserInput(
            f"{field} must not contain NUL characters or unpaired surrogates", field=field
        )
    return text
