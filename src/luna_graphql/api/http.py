"""The `/graphql` endpoint: Strawberry's Starlette view with our context, JSON errors for
transport failures, and a request body cap."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncGenerator, Sequence
from datetime import timedelta
from json import JSONDecodeError
from typing import Any

from cross_web import HTTPException
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState
from strawberry.asgi import ASGIWebSocketAdapter, GraphQL
from strawberry.http.exceptions import NonJsonMessageReceived, NonTextMessageReceived
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL, GRAPHQL_WS_PROTOCOL
from strawberry.types.unset import UnsetType

from luna_graphql.api.auth import bearer_token
from luna_graphql.api.context import AppRuntime, LunaContext
from luna_graphql.api.errors import MASKED_MESSAGE, log_unexpected, new_request_id
from luna_graphql.api.realtime_ws import TransportWSHandler, accept_socket, release_socket
from luna_graphql.api.request_json import RefusedJSON, decode_request_json
from luna_graphql.api.schema import LunaSchema
from luna_graphql.api.shared_results import encode_next_frame
from luna_graphql.errors import LunaError
from luna_graphql.settings import Settings

_SOCKET_CONTEXT = "luna.socket_context"
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_HTTP_CODES = {
    400: "BAD_REQUEST",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    413: "PAYLOAD_TOO_LARGE",
}


def json_error(
    message: str, status_code: int, code: str | None = None, **extensions: str
) -> Response:
    code = code or _HTTP_CODES.get(status_code, "BAD_REQUEST")
    body = {"errors": [{"message": message, "extensions": {"code": code, **extensions}}]}
    # ASCII JSON: a message may quote the request (an unknown operation's name), lone
    # surrogates included, which JSONResponse's UTF-8 could not encode.
    text = json.dumps(body, separators=(",", ":"))
    return Response(text, status_code=status_code, media_type="application/json")


def runtime_of(scope_holder: Request | WebSocket) -> AppRuntime:
    runtime: AppRuntime = scope_holder.app.state.runtime
    return runtime


class SocketAdapter(ASGIWebSocketAdapter):
    """Strawberry's WebSocket adapter, without a text frame kept per idle socket."""

    async def iter_json(
        self, *, ignore_parsing_errors: bool = False
    ) -> AsyncGenerator[object, None]:
        # As Strawberry's, except that the received text is not kept in a local: there it
        # stays, while the socket waits for its next message, for an idle socket's life
        # (its subscribe message, ~0.3 KiB).
        try:
            while self.ws.application_state != WebSocketState.DISCONNECTED:
                try:
                    yield self.view.decode_json(await self.ws.receive_text())
                except JSONDecodeError as e:
                    if not ignore_parsing_errors:
                        raise NonJsonMessageReceived from e
        except KeyError as e:
            raise NonTextMessageReceived from e
        except WebSocketDisconnect:  # pragma: no cover
            pass


class LunaGraphQL(GraphQL[LunaContext, None]):
    """Strawberry's ASGI view; the context carries the runtime and the token's viewer."""

    graphql_transport_ws_handler_class = TransportWSHandler
    websocket_adapter_class = SocketAdapter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            try:
                await super().__call__(scope, receive, send)
            finally:
                # However the socket ended: drop its presence row and expiry timer.
                await release_socket(scope.get(_SOCKET_CONTEXT))
            return
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope=scope, receive=receive)
        try:
            response = await self.run(request)
        except HTTPException as exc:
            # Strawberry answers transport failures in plain text; clients parse JSON.
            response = json_error(exc.reason, exc.status_code)
        except Exception as exc:
            # Past this, Starlette would answer a plain-text 500 and log a traceback with
            # whatever the exception says; the client gets the documented shape instead.
            request_id = new_request_id()
            log_unexpected(exc, "<transport>", request_id)
            response = json_error(
                MASKED_MESSAGE, 500, "INTERNAL_SERVER_ERROR", requestId=request_id
            )
            response.headers["x-request-id"] = request_id
        await response(scope, receive, send)

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> LunaContext:
        runtime = runtime_of(request)
        context = LunaContext(runtime=runtime, request=request, response=response)
        if isinstance(request, WebSocket):
            # One context per socket; the socket's viewer comes from connection_init.
            request.scope[_SOCKET_CONTEXT] = context
            return context
        incoming = request.headers.get("x-request-id", "")
        context.request_id = incoming if _REQUEST_ID.match(incoming) else new_request_id()
        if isinstance(response, Response):
            response.headers["x-request-id"] = context.request_id
        token = bearer_token(request.headers.get("authorization"))
        if token is not None:
            try:
                context.viewer = await runtime.verifier.verify(token)
            except LunaError as exc:
                context.auth_error = exc
        return context

    def decode_json(self, data: str | bytes) -> object:
        # Also every WebSocket frame's: a RefusedJSON closes the socket as bad JSON does.
        return decode_request_json(data)

    def parse_json(self, data: str | bytes) -> Any:
        try:
            value = self.decode_json(data)
        except RefusedJSON as exc:
            raise HTTPException(400, exc.msg) from None
        except JSONDecodeError:
            raise HTTPException(400, "Unable to parse request body as JSON") from None
        # Strawberry reads the body as an object (or a batch); `"x"`, `42` or `null` would
        # fail inside it. The GET parameters it parses here are objects too.
        if not isinstance(value, dict | list):
            raise HTTPException(400, "The request body must be a JSON object")
        return value

    def encode_json(self, data: object) -> str | bytes:
        frame = encode_next_frame(data)
        return frame if frame is not None else super().encode_json(data)

    async def on_ws_connect(self, context: LunaContext) -> UnsetType | dict[str, object] | None:
        await accept_socket(context)
        return await super().on_ws_connect(context)


def build_graphql_app(schema: LunaSchema, settings: Settings) -> LunaGraphQL:
    protocols: Sequence[str] = (GRAPHQL_TRANSPORT_WS_PROTOCOL,)
    if settings.graphql_ws_legacy:
        protocols = (GRAPHQL_TRANSPORT_WS_PROTOCOL, GRAPHQL_WS_PROTOCOL)
    return LunaGraphQL(
        schema,
        graphql_ide=None if settings.is_production else "graphiql",
        allow_queries_via_get=not settings.is_production,
        subscription_protocols=protocols,
        connection_init_wait_timeout=timedelta(seconds=settings.ws_connection_init_timeout_s),
        max_subscriptions_per_connection=settings.ws_max_subscriptions_per_connection,
        allowed_origins=settings.allowed_origins,
    )


class SocketsFirst(Starlette):
    """Starlette, except that WebSockets on the GraphQL path go straight to the GraphQL view.

    Through the middleware stack and the router, their frames would stay alive for each
    socket's whole life (~3 KiB per idle socket) and do nothing for it: CORS and the error
    middlewares act on HTTP, and the view checks a socket's origin itself.
    """

    def __init__(self, *args: Any, graphql: ASGIApp, graphql_path: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._graphql = graphql
        self._graphql_path = graphql_path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket" and scope["path"] == self._graphql_path:
            scope["app"] = self  # what Starlette sets; the view reads app.state through it
            await self._graphql(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


class BodySizeLimit:
    """Refuse HTTP bodies over `max_bytes` with 413 before the GraphQL layer reads them.

    A declared Content-Length is checked up front; a chunked body is buffered up to the cap
    (small by design) and replayed to the app.
    """

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None:
            try:
                too_large = int(declared) > self.max_bytes
            except ValueError:
                await json_error("Invalid Content-Length", 400)(scope, receive, send)
                return
            if too_large:
                await self._refuse(scope, receive, send)
                return
        body = bytearray()
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body.extend(message.get("body", b""))
            more = message.get("more_body", False)
            if len(body) > self.max_bytes:
                await self._refuse(scope, receive, send)
                return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": bytes(body), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = json_error(
            f"Request body exceeds {self.max_bytes} bytes", 413, code="PAYLOAD_TOO_LARGE"
        )
        await response(scope, receive, send)


__all__ = [
    "BodySizeLimit",
    "LunaGraphQL",
    "SocketsFirst",
    "build_graphql_app",
    "json_error",
    "runtime_of",
]
