"""A small OpenAI-compatible chat-completions server for tests, served by real uvicorn.

openai 3.x talks through httpx2, which respx cannot intercept, and mocking the SDK would
test our mock. So the real client talks real HTTP to this app; each test scripts what the
next request gets and reads back what the server received.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

Behaviour = Callable[[dict[str, Any]], Awaitable[Response]]


def completion(content: str, model: str = "test-model") -> dict[str, Any]:
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": 1_700_000_000,
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content, "refusal": None},
                "finish_reason": "stop",
                "logprobs": None,
            }
        ],
        "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
    }


def error(status: int, message: str, kind: str) -> Response:
    body = {"error": {"message": message, "type": kind, "param": None, "code": None}}
    return JSONResponse(body, status_code=status)


def answer(payload: dict[str, Any]) -> Behaviour:
    async def behave(body: dict[str, Any]) -> Response:
        return JSONResponse(completion(json.dumps(payload), body.get("model", "")))

    return behave


def raw(content: str) -> Behaviour:
    async def behave(body: dict[str, Any]) -> Response:
        return JSONResponse(completion(content, body.get("model", "")))

    return behave


def status(code: int) -> Behaviour:
    async def behave(body: dict[str, Any]) -> Response:
        kind = "rate_limit_exceeded" if code == 429 else "server_error"
        return error(code, "try again later", kind)

    return behave


def slow(seconds: float, then: Behaviour) -> Behaviour:
    async def behave(body: dict[str, Any]) -> Response:
        await asyncio.sleep(seconds)
        return await then(body)

    return behave


def json_mode_only(then: Behaviour) -> Behaviour:
    """Like servers that support JSON mode but reject strict json_schema with a 400."""

    async def behave(body: dict[str, Any]) -> Response:
        if body.get("response_format", {}).get("type") == "json_schema":
            return error(
                400, "response_format 'json_schema' is not supported", "invalid_request_error"
            )
        return await then(body)

    return behave


@dataclass
class FakeOpenAI:
    port: int = 0
    behaviour: Behaviour = field(default_factory=lambda: status(500))
    received: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def reset(self, behaviour: Behaviour) -> None:
        self.behaviour = behaviour
        self.received.clear()
        self.headers.clear()

    async def _chat(self, request: Request) -> Response:
        body = await request.json()
        self.received.append(body)
        self.headers.append(dict(request.headers))
        return await self.behaviour(body)

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/v1/chat/completions", self._chat, methods=["POST"])])


class ServerThread:
    """uvicorn in a background thread on a free 127.0.0.1 port."""

    def __init__(self, fake: FakeOpenAI) -> None:
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        fake.port = self._sock.getsockname()[1]
        config = uvicorn.Config(
            fake.app(), log_level="warning", lifespan="off", timeout_graceful_shutdown=1
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._sock]}, daemon=True
        )

    def start(self) -> None:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("test OpenAI server did not start")
            time.sleep(0.01)

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._sock.close()
