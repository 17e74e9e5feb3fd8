"""Request JSON as this API reads it, over HTTP and in WebSocket frames alike."""

from __future__ import annotations

import json
from json import JSONDecodeError

# Deeper than any request of this API (variables are objects of scalars and short lists);
# what lies past it only costs recursion, here or in whatever walks it next.
MAX_JSON_DEPTH = 32
_TOO_DEEP = f"JSON nested deeper than {MAX_JSON_DEPTH} levels"


class RefusedJSON(JSONDecodeError):
    """JSON this API will not read, well-formed or not; `msg` says why."""

    def __init__(self, why: str) -> None:
        super().__init__(why, "", 0)


def decode_request_json(data: str | bytes) -> object:
    """UTF-8 JSON no deeper than MAX_JSON_DEPTH, or RefusedJSON.

    Bytes are decoded strictly: `json.loads` would also take UTF-16 and UTF-8-encoded
    surrogates (it decodes with "surrogatepass"), and RFC 8259 says a body is UTF-8.
    """
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
    except UnicodeDecodeError:
        raise RefusedJSON("The request body is not valid UTF-8") from None
    try:
        value = json.loads(text)
    except RecursionError:  # json.loads ran out of stack: far deeper than we allow
        raise RefusedJSON(_TOO_DEEP) from None
    # Fewer brackets than the limit cannot nest past it: most bodies skip the walk.
    if text.count("[") + text.count("{") > MAX_JSON_DEPTH and not _within_depth(value):
        raise RefusedJSON(_TOO_DEEP)
    return value


def _within_depth(value: object) -> bool:
    pending: list[tuple[object, int]] = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict | list):
            if depth > MAX_JSON_DEPTH:
                return False
            children = item.values() if isinstance(item, dict) else item
            pending.extend((child, depth + 1) for child in children)
    return True
