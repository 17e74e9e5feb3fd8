"""How `serve` logs: uvicorn's own configuration, with query strings cut from every path.

uvicorn writes each request's and socket's path with its query string. A query string can
hold what must never reach a log: a GET operation's text and variables (messages, drafts),
or a token a client put in the URL. The path alone says which endpoint was hit.
"""

from __future__ import annotations

import copy
import logging
from typing import Any

from uvicorn.config import LOGGING_CONFIG


class DropQueryStrings(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(_path_only(arg) for arg in record.args)
        return True


def _path_only(arg: object) -> object:
    # uvicorn passes the path (after any root path) as one argument: "/graphql?query=…".
    if isinstance(arg, str) and arg.startswith("/"):
        return arg.partition("?")[0]
    return arg


def uvicorn_log_config() -> dict[str, Any]:
    """uvicorn's default configuration with `DropQueryStrings` on both of its handlers
    (workers are processes of their own and apply it again from this dict)."""
    config: dict[str, Any] = copy.deepcopy(LOGGING_CONFIG)
    config["filters"] = {"drop_query_strings": {"()": DropQueryStrings}}
    for handler in config["handlers"].values():
        handler["filters"] = ["drop_query_strings"]
    return config
