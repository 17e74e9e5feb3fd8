"""Identity comes only from a verified token; anything else is UNAUTHENTICATED."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy.ext.asyncio import AsyncSession

from tests.api.conftest import TEST_SECRET, make_settings, serve
from tests.api.helpers import CONVERSATION, GraphQLClient, forged_token, token_for
from tests.factories import make_couple, make_user

ZERO = "00000000-0000-4000-8000-000000000000"

# Every operation of the API, with variables that would be valid for a member.
OPERATIONS: list[tuple[str, str, dict[str, Any]]] = [
    ("viewer", "{ viewer { id } }", {}),
    ("conversation", "{ conversation { id } }", {}),
    (
        "messages",
        "query($c: ID!) { messages(conversationId: $c) { edges { cursor } } }",
        {"c": ZERO},
    ),
    ("message", "query($id: ID!) { message(id: $id) { id } }", {"id": ZERO}),
    ("messagingPreferences", "{ messagingPreferences { suggestionMode } }", {}),
    (
        "sendMessage",
        'mutation($c: ID!) { sendMessage(input: {conversationId: $c, content: "hi"}) { __typename } }',
        {"c": ZERO},
    ),
    (
        "markDelivered",
        "mutation($id: ID!) { markDelivered(messageIds: [$id]) { changedCount } }",
        {"id": ZERO},
    ),
    (
        "markRead",
        "mutation($c: ID!) { markRead(conversationId: $c, upToSeq: 1) { changedCount } }",
        {"c": ZERO},
    ),
    ("deleteMessage", "mutation($id: ID!) { deleteMessage(id: $id) { seq } }", {"id": ZERO}),
    (
        "updateMessagingPreferences",
        "mutation { updateMessagingPreferences(input: {showReadReceipts: false}) { showReadReceipts } }",
        {},
    ),
    (
        "reviewMessage",
        'mutation($c: ID!) { reviewMessage(input: {conversationId: $c, draft: "hi"}) { riskAssessment } }',
        {"c": ZERO},
    ),
    (
        "respondToSuggestion",
        "mutation($id: ID!) { respondToSuggestion(input: {suggestionId: $id, action: IGNORED}) { __typename } }",
        {"id": ZERO},
    ),
    (
        "mySuggestions",
        "query($c: ID!) { mySuggestions(conversationId: $c) { edges { cursor } } }",
        {"c": ZERO},
    ),
    (
        "setTyping",
        "mutation($c: ID!) { setTyping(conversationId: $c, isTyping: true) }",
        {"c": ZERO},
    ),
    ("setPresence", "mutation { setPresence(status: AWAY) { __typename } }", {}),
    ("messagingInsights", "{ messagingInsights { days } }", {}),
    ("pendingGestures", "{ pendingGestures { id } }", {}),
    ("recentGestures", "{ recentGestures { id } }", {}),
    ("gesture", "query($id: ID!) { gesture(id: $id) { id } }", {"id": ZERO}),
    (
        "sendGesture",
        "mutation { sendGesture(input: {gestureType: HUG}) { recipientOnline } }",
        {},
    ),
    (
        "acknowledgeGesture",
        "mutation($id: ID!) { acknowledgeGesture(input: {gestureId: $id}) { acknowledged } }",
        {"id": ZERO},
    ),
    (
        "generateGestureMessage",
        "mutation { generateGestureMessage(input: {gestureType: HUG}) { message } }",
        {},
    ),
]


@pytest.mark.parametrize(("name", "query", "variables"), OPERATIONS, ids=[o[0] for o in OPERATIONS])
async def test_every_operation_needs_a_token(
    anonymous: GraphQLClient, name: str, query: str, variables: dict[str, Any]
) -> None:
    result = await anonymous.execute(query, variables)
    assert result.status_code == 200
    assert result.codes == ["UNAUTHENTICATED"], result
    assert result["data"] is None


async def test_typename_and_introspection_need_no_token_in_development(
    anonymous: GraphQLClient,
) -> None:
    result = await anonymous.execute("{ __typename __schema { queryType { name } } }")
    assert result["data"] == {"__typename": "Query", "__schema": {"queryType": {"name": "Query"}}}


async def test_refused_tokens(anonymous: GraphQLClient, session: AsyncSession) -> None:
    user = await make_user(session)
    await session.commit()
    refused = {
        "bad signature": forged_token(user.id),
        "expired": forged_token(user.id, secret=TEST_SECRET, exp=1_600_000_000),
        "no exp": forged_token(user.id, secret=TEST_SECRET, exp=None),
        "no sub": jwt.encode({"exp": 4_000_000_000}, TEST_SECRET, algorithm="HS256"),
        "sub not a uuid": forged_token(user.id, secret=TEST_SECRET, sub="alice"),
        "sub a number": forged_token(user.id, secret=TEST_SECRET, sub=12345),
        "exp a numeric string": forged_token(user.id, secret=TEST_SECRET, exp="4000000000"),
        "exp true": forged_token(user.id, secret=TEST_SECRET, exp=True),
        "exp past any float": forged_token(user.id, secret=TEST_SECRET, exp=10**400),
        "nbf a numeric string": forged_token(user.id, secret=TEST_SECRET, nbf="1600000000"),
        "iat a numeric string": forged_token(user.id, secret=TEST_SECRET, iat="1600000000"),
        "alg none": jwt.encode({"sub": str(user.id), "exp": 4_000_000_000}, None, algorithm="none"),
        "HS512 not allowed": jwt.encode(
            {"sub": str(user.id), "exp": 4_000_000_000}, TEST_SECRET * 2, algorithm="HS512"
        ),
        "garbage": "not.a.jwt",
    }
    for reason, token in refused.items():
        result = await anonymous.with_token(token).execute("{ viewer { id } }")
        assert result.codes == ["UNAUTHENTICATED"], reason
        assert result["data"] is None, reason
    expired = await anonymous.with_token(refused["expired"]).execute("{ viewer { id } }")
    assert expired.messages == ["Token expired"]
    # RFC 7519's NumericDate is any JSON number, fractions included.
    fractional = forged_token(user.id, secret=TEST_SECRET, exp=4_000_000_000.5, iat=1.5)
    viewer = await anonymous.with_token(fractional).data("{ viewer { id } }")
    assert viewer["viewer"]["id"] == str(user.id)


async def test_non_bearer_header_is_no_token(
    anonymous: GraphQLClient, settings: Any, session: AsyncSession
) -> None:
    user = await make_user(session)
    await session.commit()
    token = token_for(settings, user.id)
    response = await anonymous.http.post(
        "/graphql", json={"query": "{ viewer { id } }"}, headers={"Authorization": f"Basic {token}"}
    )
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    response = await anonymous.http.post(
        "/graphql",
        json={"query": "{ viewer { id } }"},
        headers={"Authorization": f"bearer {token}"},
    )
    assert response.json()["data"]["viewer"]["id"] == str(user.id)


async def test_audience_and_issuer_are_checked_when_configured(
    database_url: str, session: AsyncSession
) -> None:
    couple = await make_couple(session)
    settings = make_settings(
        database_url, jwt_audience="authenticated", jwt_issuer="https://auth.example/v1"
    )
    uid = couple.partner_a.id
    good = token_for(settings, uid)  # minted with the configured aud and iss
    cases = {
        "wrong audience": forged_token(
            uid, secret=TEST_SECRET, aud="anon", iss="https://auth.example/v1"
        ),
        "no audience": forged_token(uid, secret=TEST_SECRET, iss="https://auth.example/v1"),
        "wrong issuer": forged_token(
            uid, secret=TEST_SECRET, aud="authenticated", iss="https://evil.example"
        ),
    }
    async with serve(settings) as http:
        client = GraphQLClient(http)
        ok = await client.with_token(good).data("{ viewer { partnerRole } }")
        assert ok["viewer"]["partnerRole"] == "PARTNER_A"
        for reason, token in cases.items():
            result = await client.with_token(token).execute("{ viewer { id } }")
            assert result.codes == ["UNAUTHENTICATED"], reason


async def test_supabase_style_token_without_configured_audience_is_accepted(
    anonymous: GraphQLClient, session: AsyncSession
) -> None:
    user = await make_user(session)
    await session.commit()
    token = forged_token(user.id, secret=TEST_SECRET, aud="authenticated", role="authenticated")
    data = await anonymous.with_token(token).data("{ viewer { id relationship { id } } }")
    assert data["viewer"] == {"id": str(user.id), "relationship": None}


async def test_user_without_relationship_sees_itself_and_nothing_else(
    anonymous: GraphQLClient, settings: Any, session: AsyncSession
) -> None:
    user = await make_user(session, display_name="Solo")
    await session.commit()
    client = anonymous.with_token(token_for(settings, user.id))
    viewer = (await client.data("{ viewer { user { displayName } partnerRole partner { id } } }"))[
        "viewer"
    ]
    assert viewer == {"user": {"displayName": "Solo"}, "partnerRole": None, "partner": None}
    assert await client.error_code(CONVERSATION) == "NOT_FOUND"
    assert await client.error_code("{ messagingPreferences { suggestionMode } }") == "NOT_FOUND"
    unknown = anonymous.with_token(token_for(settings, uuid.uuid4()))
    assert (await unknown.data("{ viewer { user { id } } }"))["viewer"]["user"] is None


@pytest.fixture
def jwks_server() -> Iterator[tuple[str, rsa.RSAPrivateKey]]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    body = json.dumps({"keys": [{**jwk, "kid": "k1", "use": "sig", "alg": "RS256"}]}).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/jwks.json", key
    finally:
        server.shutdown()
        server.server_close()


async def test_rs256_tokens_verified_with_jwks(
    database_url: str, session: AsyncSession, jwks_server: tuple[str, rsa.RSAPrivateKey]
) -> None:
    url, key = jwks_server
    couple = await make_couple(session)
    settings = make_settings(database_url, jwt_algorithms=["HS256", "RS256"], jwt_jwks_url=url)
    claims = {"sub": str(couple.partner_b.id), "exp": 4_000_000_000}
    good = jwt.encode(claims, key, algorithm="RS256", headers={"kid": "k1"})
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = jwt.encode(claims, other_key, algorithm="RS256", headers={"kid": "k1"})
    async with serve(settings) as http:
        client = GraphQLClient(http)
        data = await client.with_token(good).data("{ viewer { partnerRole } }")
        assert data["viewer"]["partnerRole"] == "PARTNER_B"
        assert (await client.with_token(forged).execute("{ viewer { id } }")).codes == [
            "UNAUTHENTICATED"
        ]
        # HS256 still works with the shared secret alongside JWKS.
        hs = token_for(settings, couple.partner_a.id)
        assert (await client.with_token(hs).data("{ viewer { partnerRole } }"))["viewer"][
            "partnerRole"
        ] == "PARTNER_A"
