"""The fan-out floor: the same server stack (uvicorn, Starlette WebSockets, no deflate) with
no GraphQL, no bus and no database, writing one `next` frame to every socket it holds.

Run by the benchmark as `uvicorn bench.bare_ws:app`; `POST /fire?seq=N` broadcasts.
"""

from __future__ import annotations

import json

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

_sockets: set[WebSocket] = set()


async def socket_endpoint(websocket: WebSocket) -> None:
    await websocket.accept(subprotocol="graphql-transport-ws")
    _sockets.add(websocket)
    try:
        while True:
            message = json.loads(await websocket.receive_text())
            if message.get("type") == "connection_init":  # what the bench's client expects
                await websocket.send_text('{"type":"connection_ack"}')
    except WebSocketDisconnect:
        pass
    finally:
        _sockets.discard(websocket)


async def fire(request: Request) -> PlainTextResponse:
    seq = int(request.query_params["seq"])
    frame = json.dumps(
        {
            "id": "1",
            "type": "next",
            "payload": {"data": {"messageAdded": {"id": "m", "seq": seq, "content": "fan"}}},
        },
        separators=(",", ":"),
    )
    for websocket in list(_sockets):
        await websocket.send_text(frame)
    return PlainTextResponse(str(len(_sockets)))


async def healthz(_request: Request) -> PlainTextResponse:
    return PlainTextResponse("ok")


app = Starlette(
    routes=[
        WebSocketRoute("/graphql", socket_endpoint),
        Route("/fire", fire, methods=["POST"]),
        Route("/healthz", healthz),
    ]
)
