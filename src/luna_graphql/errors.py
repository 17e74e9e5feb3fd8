"""Expected failures, each with a machine-readable code clients can switch on."""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"
    NOT_FOUND = "NOT_FOUND"
    BAD_USER_INPUT = "BAD_USER_INPUT"
    CONFLICT = "CONFLICT"
    RATE_LIMITED = "RATE_LIMITED"
    SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"
    INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"


class LunaError(Exception):
    """Base of expected failures: the message is safe to show to the client."""

    code: ErrorCode = ErrorCode.INTERNAL_SERVER_ERROR

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class Unauthenticated(LunaError):
    code = ErrorCode.UNAUTHENTICATED


class Forbidden(LunaError):
    code = ErrorCode.FORBIDDEN


class NotFound(LunaError):
    code = ErrorCode.NOT_FOUND


class BadUserInput(LunaError):
    code = ErrorCode.BAD_USER_INPUT


class Conflict(LunaError):
    code = ErrorCode.CONFLICT


class RateLimited(LunaError):
    code = ErrorCode.RATE_LIMITED

    def __init__(self, message: str, *, retry_after_s: float | None = None) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class ServiceUnavailable(LunaError):
    """A dependency (the database) does not answer: nothing is wrong with the request, and
    the same request may succeed after `retry_after_s`."""

    code = ErrorCode.SERVICE_UNAVAILABLE

    def __init__(self, message: str, *, retry_after_s: float) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s
