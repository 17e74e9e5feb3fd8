"""Column types for text kept encrypted at rest (see `luna_graphql.crypto`).

They seal on bind and open on result with the process's installed cipher, so ORM code reads
and writes plain strings. Two consequences for queries: comparing such a column with a value
never matches (a fresh nonce per seal), and SQL over it sees ciphertext; raw SQL readers
(the asyncpg row pool, `text()` statements) open values themselves or type their columns.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Dialect, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.types import TypeDecorator

from luna_graphql.crypto import PREFIX, current_cipher

# As the insert trigger and soft delete cut a plain preview (`luna_message_preview`).
PREVIEW_CHARS = 100


class EncryptedText(TypeDecorator[str]):
    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return current_cipher().seal_optional(value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> str | None:
        return current_cipher().open_optional(value)


class EncryptedPreview(EncryptedText):
    """`last_message_preview`: the database copies an encrypted message whole (it cannot cut
    ciphertext), so the preview is cut here, to the same length as a plain one."""

    cache_ok = True

    def process_result_value(self, value: str | None, dialect: Dialect) -> str | None:
        text = super().process_result_value(value, dialect)
        return None if text is None else text[:PREVIEW_CHARS]


class EncryptedJSON(TypeDecorator[Any]):
    """A JSONB column whose value, when encryption is on, is stored as one JSON string holding
    the sealed JSON text; a stored array or object (written with encryption off) reads as is."""

    impl = JSONB
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        cipher = current_cipher()
        if value is None or not cipher.enabled:
            return value
        return cipher.seal(json.dumps(value, separators=(",", ":"), ensure_ascii=False))

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        if isinstance(value, str) and value.startswith(PREFIX):
            return json.loads(current_cipher().open(value))
        return value
