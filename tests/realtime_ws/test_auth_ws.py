"""Socket authentication and authorization, with graphql-transport-ws close codes."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from luna_graphql.settings import Settings
from tests.api.helpers import forged_token
from tests.procs import ServerProcess
from tests.realtime_ws.client import MESSAGE_ADDED, Closed, GqlWs, send_message
from tests.realtime_ws.conftest import Couple, make_partners

pytestmark = pytest.mark.asyncio(loop_scope="session")


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"token": "not-a-jwt"},
        {"Authorization": "Bearer eyJhbGciOiJIUzI1NiJ9.e30.x"},
        {"Authorization": "Basic abc"},
    ],
    ids=["no-token", "garbage", "bad-signature", "wrong-scheme"],
)
async def test_bad_credentials_are_refused_with_4403(
    servers: list[ServerProcess], params: dict[str, str]
) -> None:
    with pytest.raises(Closed) as refused:
        await GqlWs.open(servers[1].base_url, params)
    assert refused.value.code == 4403


async def test_subscribe_before_connection_init_is_4401(
    servers: list[ServerProcess], couple: Couple
) -> None:
    ws = await GqlWs.open(servers[1].base_url, init=False)
    try:
        await ws.subscribe(MESSAGE_ADDED, {"c": couple.conversation_id})
        assert (await ws.wait_closed())[0] == 4401
    finally:
        await ws.close()


async def test_another_couples_conversation_is_not_found(
    servers: list[ServerProcess],
    couple: Couple,
    http: httpx.AsyncClient,
    shared_sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    other = await make_partners(shared_sessionmaker, http, servers[0].base_url)
    ws = await GqlWs.open(servers[1].base_url, {"token": other.a.token})
    try:
        op = await ws.subscribe(MESSAGE_ADDED, {"c": couple.conversation_id})
        message = await op.message()
        errors = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
        assert errors[0]["extensions"]["code"] == "NOT_FOUND"
    finally:
        await ws.close()


async def test_an_expiring_token_closes_the_socket(
    servers: list[ServerProcess],
    shared_sessionmaker: async_sessionmaker[AsyncSession],
    http: httpx.AsyncClient,
) -> None:
    short = await make_partners(shared_sessionmaker, http, servers[0].base_url, ttl_s=2)
    ws = await GqlWs.open(servers[1].base_url, {"token": short.b.token})
    try:
        await ws.subscribe(MESSAGE_ADDED, {"c": short.conversation_id})
        code, reason = await ws.wait_closed(timeout=10)
        assert (code, reason) == (4403, "Token expired")
    finally:
        await ws.close()


async def test_token_claims_are_checked_strictly_on_sockets(
    servers: list[ServerProcess], couple: Couple
) -> None:
    """As on HTTP: `exp` (and `nbf`, `iat`) must be JSON numbers, `sub` a UUID string. A
    string `exp` was once taken, and its socket then had no time to close at."""
    secret = Settings().jwt_secret.get_secret_value()
    user = couple.b.user_id
    for claims in (
        {"exp": str(int(time.time()) + 3600)},
        {"iat": str(int(time.time()))},
        {"sub": user.int},
    ):
        token = forged_token(user, secret=secret, **claims)
        with pytest.raises(Closed) as refused:
            await GqlWs.open(servers[1].base_url, {"token": token})
        assert refused.value.code == 4403, claims


async def test_a_fractional_exp_closes_the_socket_too(
    servers: list[ServerProcess], couple: Couple
) -> None:
    secret = Settings().jwt_secret.get_secret_value()
    token = forged_token(couple.b.user_id, secret=secret, exp=time.time() + 2.5)
    ws = await GqlWs.open(servers[1].base_url, {"token": token})
    try:
        await ws.subscribe(MESSAGE_ADDED, {"c": couple.conversation_id})
        assert await ws.wait_closed(timeout=10) == (4403, "Token expired")
    finally:
        await ws.close()


async def test_disallowed_origin_is_refused(servers: list[ServerProcess], couple: Couple) -> None:
    with pytest.raises(Exception):
        await GqlWs.open(
            servers[1].base_url, {"token": couple.b.token}, origin="https://evil.example"
        )


async def test_subscriptions_over_plain_http_are_refused(
    servers: list[ServerProcess], couple: Couple, http: httpx.AsyncClient
) -> None:
    """Subscriptions need a WebSocket; over HTTP they are refused before anything runs."""
    for headers in ({}, {"Authorization": f"Bearer {couple.b.token}"}):
        response = await http.post(
            f"{servers[0].base_url}/graphql",
            json={"query": MESSAGE_ADDED, "variables": {"c": couple.conversation_id}},
            headers=headers,
        )
        assert response.status_code == 400, response.text
        assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


async def test_connections_per_user_are_capped(
    servers: list[ServerProcess],
    shared_sessionmaker: async_sessionmaker[AsyncSession],
    http: httpx.AsyncClient,
) -> None:
    capped = await make_partners(shared_sessionmaker, http, servers[0].base_url)
    sockets = [await GqlWs.open(servers[1].base_url, {"token": capped.a.token}) for _ in range(10)]
    try:
        with pytest.raises(Closed) as refused:
            await GqlWs.open(servers[1].base_url, {"token": capped.a.token})
        assert refused.value.code == 4403
        other = await GqlWs.open(servers[0].base_url, {"token": capped.a.token})  # per process
        await other.close()
    finally:
        await asyncio.gather(*(ws.close() for ws in sockets))


async def test_subscriptions_per_connection_are_capped(
    servers: list[ServerProcess], couple: Couple
) -> None:
    ws = await GqlWs.open(servers[1].base_url, {"token": couple.b.token})
    try:
        for _ in range(20):  # LUNA_WS_MAX_SUBSCRIPTIONS_PER_CONNECTION's default
            await ws.subscribe(MESSAGE_ADDED, {"c": couple.conversation_id})
        extra = await ws.subscribe(MESSAGE_ADDED, {"c": couple.conversation_id})
        message = await extra.message()
        assert message["type"] == "error"
        assert "limit" in message["payload"][0]["message"]
    finally:
        await ws.close()


async def test_a_silent_socket_times_out_and_an_initialised_one_stays(
    servers: list[ServerProcess], couple: Couple, http: httpx.AsyncClient
) -> None:
    """No connection_init within the timeout (5 s by default): 4408. A socket that did
    init keeps working past it (its timeout task is dropped once cancelled)."""
    silent = await GqlWs.open(servers[1].base_url, init=False)
    ready = await GqlWs.open(servers[1].base_url, {"token": couple.b.token})
    try:
        code, reason = await silent.wait_closed(timeout=15)
        assert (code, reason) == (4408, "Connection initialisation timeout")
        op = await ready.subscribe(MESSAGE_ADDED, {"c": couple.conversation_id})
        await asyncio.sleep(0.3)
        await send_message(http, servers[0].base_url, couple.a.token, couple.conversation_id, "x")
        assert (await op.next())["messageAdded"]["content"] == "x"
    finally:
        await silent.close()
        await ready.close()
