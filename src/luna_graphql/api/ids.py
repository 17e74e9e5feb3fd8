"""Client-supplied identifiers: UUID ids and opaque history cursors, checked at the edge."""

from __future__ import annotations

import base64
import binascii
import uuid
from collections.abc import Iterable

from luna_graphql.errors import BadUserInput

_CURSOR_PREFIX = "seq:"


def parse_id(value: str, *, field: str = "id") -> uuid.UUID:
    """A UUID, or BAD_USER_INPUT (a well-formed id that is not visible is NOT_FOUND later)."""
    try:
        return uuid.UUID(value)
    except (ValueError, TypeError, AttributeError) as exc:
        raise BadUserInput(f"{field} is not a valid id", field=field) from exc


def parse_ids(values: Iterable[str], *, field: str) -> list[uuid.UUID]:
    return [parse_id(value, field=field) for value in values]


_MAX_SEQ = 2**63 - 1


def encode_cursor(seq: int) -> str:
    """Opaque to clients; keyed on the message's seq so pages stay stable under inserts."""
    return base64.urlsafe_b64encode(f"{_CURSOR_PREFIX}{seq}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str, *, field: str) -> int:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        text = base64.urlsafe_b64decode(padded.encode("ascii")).decode("ascii")
        if not text.startswith(_CURSOR_PREFIX):
            raise ValueError(text)
        seq = int(text.removeprefix(_CURSOR_PREFIX))
    except (ValueError, UnicodeError, binascii.Error) as exc:
        raise BadUserInput(f"{field} is not a valid cursor", field=field) from exc
    # seq is a PostgreSQL bigint: a larger number would fail in the driver, not as bad input.
    if not 0 <= seq <= _MAX_SEQ:
        raise BadUserInput(f"{field} is not a valid cursor", field=field)
    return seq
