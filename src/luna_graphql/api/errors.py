"""One error style: every error leaves with `extensions.code`; unexpected ones are masked.

- LunaError raised by a service → its message and code (plus `field`, `retryAfter`).
- The database not answering (stopped, restarting, unreachable) → SERVICE_UNAVAILABLE with
  `retryAfter`: the request was fine and may be sent again; logged as one line, no traceback.
- Syntax errors → GRAPHQL_PARSE_FAILED; document validation (unknown fields, depth, alias
  and token limits, disabled introspection) → GRAPHQL_VALIDATION_FAILED; variable values
  that fail coercion (wrong type, unknown enum value) → BAD_USER_INPUT. These keep their
  message, minus every "Did you mean …?" in production.
- Anything else → "Internal server error", INTERNAL_SERVER_ERROR and a `requestId` that
  matches the log line carrying the traceback (only the error types when the database layer
  failed: its messages quote values). No stack trace or SQL reaches a client.

This runs on the final result (see `LunaSchema`), not in a schema extension, because parse
errors raised through the parser cache skip the extensions' post-operation hooks.
"""

from __future__ import annotations

import logging
import re
import uuid
from typing import Any

import asyncpg
from graphql import GraphQLError, GraphQLSyntaxError
from sqlalchemy.exc import SQLAlchemyError

from luna_graphql.db.outage import database_unavailable, unavailable
from luna_graphql.errors import ErrorCode, LunaError

log = logging.getLogger("luna_graphql.api")

PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
MASKED_MESSAGE = "Internal server error"

# graphql-core phrases suggestions as "Did you mean 'x'?", "Did you mean 'x' or 'y'?",
# "Did you mean the enum value 'X'?"; names never contain '?'.
_SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?")

_DATABASE_ERRORS = (SQLAlchemyError, asyncpg.PostgresError, asyncpg.InterfaceError)


def strip_suggestions(message: str) -> str:
    return _SUGGESTION.sub("", message)


def new_request_id() -> str:
    return uuid.uuid4().hex[:16]


def _rebuilt(error: GraphQLError, message: str, extensions: dict[str, Any]) -> GraphQLError:
    # original_error is dropped on purpose: nothing of it may reach the client.
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        extensions=extensions,
    )


def format_error(
    error: GraphQLError, *, pre_execution: bool, production: bool, request_id: str
) -> GraphQLError:
    original = error.original_error
    if (
        original is not None
        and not isinstance(original, LunaError | GraphQLError)
        and database_unavailable(original)
    ):
        log.warning(
            "database unavailable at %s [requestId=%s]: %s",
            _where(error),
            request_id,
            type(original).__name__,
        )
        original = unavailable()
    if isinstance(original, LunaError) and original.code != ErrorCode.INTERNAL_SERVER_ERROR:
        extensions: dict[str, Any] = {"code": str(original.code)}
        if original.field:
            extensions["field"] = original.field
        retry_after: float | None = getattr(original, "retry_after_s", None)
        if retry_after is not None:
            extensions["retryAfter"] = round(retry_after, 3)
        return _rebuilt(error, original.message, extensions)

    if original is None or isinstance(original, GraphQLError):
        if isinstance(error, GraphQLSyntaxError) or isinstance(original, GraphQLSyntaxError):
            code = PARSE_FAILED
        elif pre_execution and original is None:
            code = VALIDATION_FAILED
        elif error.path is None:
            # Raised by graphql-core while coercing variables, before any resolver runs. A
            # subscription's arrive as pre-execution errors (its subscribe() returns them);
            # each wraps the coercion's own error, which no validation rule's error does.
            code = ErrorCode.BAD_USER_INPUT
        else:
            return _masked(error, request_id)
        message = strip_suggestions(error.message) if production else error.message
        return _rebuilt(error, message, {"code": str(code)})

    return _masked(error, request_id)


def _masked(error: GraphQLError, request_id: str) -> GraphQLError:
    cause = error.original_error or error
    log_unexpected(cause, _where(error), request_id)
    return _rebuilt(
        error,
        MASKED_MESSAGE,
        {"code": str(ErrorCode.INTERNAL_SERVER_ERROR), "requestId": request_id},
    )


def _where(error: GraphQLError) -> str:
    return ".".join(str(part) for part in error.path or ()) or "<operation>"


def log_unexpected(cause: BaseException, where: str, request_id: str) -> None:
    """One log line with the request id; a traceback unless the database layer failed.

    Errors of the driver and SQLAlchemy quote what they were given: the value a parameter
    could not encode, SQL with its parameters, a constraint's "Failing row contains (…)".
    Any of them in the chain and only types (and SQLSTATEs, which are codes) are logged.
    """
    chain = _chain(cause)
    if not any(isinstance(link, _DATABASE_ERRORS) for link in chain):
        log.error(
            "unexpected error at %s [requestId=%s]",
            where,
            request_id,
            exc_info=(type(cause), cause, cause.__traceback__),
        )
        return
    log.error(
        "unexpected database error at %s [requestId=%s]: %s",
        where,
        request_id,
        " <- ".join(_described(link) for link in chain),
    )


def _chain(error: BaseException) -> list[BaseException]:
    chain: list[BaseException] = []
    link: BaseException | None = error
    while link is not None and not any(link is seen for seen in chain):
        chain.append(link)
        link = link.__cause__ or link.__context__
    return chain


def _described(error: BaseException) -> str:
    sqlstate = getattr(error, "sqlstate", None)
    name = type(error).__name__
    return f"{name} (SQLSTATE {sqlstate})" if isinstance(sqlstate, str) else name


def format_errors(
    errors: list[GraphQLError],
    *,
    pre_execution: bool,
    production: bool,
    request_id: str | None,
) -> list[GraphQLError]:
    rid = request_id or new_request_id()
    return [
        format_error(error, pre_execution=pre_execution, production=production, request_id=rid)
        for error in errors
    ]
