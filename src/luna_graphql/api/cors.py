"""Browser origins: CORS for those in LUNA_ALLOWED_ORIGINS, and a clear refusal for others.

Starlette's CORSMiddleware answers a preflight from an unlisted origin with a bare
"Disallowed CORS origin", and without any listed origin there is no middleware at all and
the preflight reaches the GraphQL view, which answers 405. Either way the developer whose
browser shows a CORS failure learns nothing about the setting to change.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from luna_graphql.api.http import json_error


class RefuseUnlistedPreflights:
    def __init__(self, app: ASGIApp, *, allowed_origins: list[str]) -> None:
        self.app = app
        self.allowed = frozenset(allowed_origins)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "OPTIONS":
            headers = Headers(scope=scope)
            origin = headers.get("origin")
            preflight = origin is not None and "access-control-request-method" in headers
            if preflight and origin not in self.allowed and "*" not in self.allowed:
                message = (
                    f"Origin {origin!r} is not allowed: add it to LUNA_ALLOWED_ORIGINS "
                    "(comma-separated, e.g. LUNA_ALLOWED_ORIGINS=http://localhost:3000)"
                )
                await json_error(message, 403, "FORBIDDEN")(scope, receive, send)
                return
        await self.app(scope, receive, send)


def cors_middleware(allowed_origins: list[str]) -> list[Middleware]:
    """Outermost first: the refusal, then (with any origin listed) Starlette's CORS."""
    middleware = [Middleware(RefuseUnlistedPreflights, allowed_origins=allowed_origins)]
    if allowed_origins:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=allowed_origins,
                allow_methods=["GET", "POST", "OPTIONS"],
                allow_headers=["Authorization", "Content-Type", "X-Request-ID"],
                expose_headers=["X-Request-ID"],
                max_age=600,
            )
        )
    return middleware
