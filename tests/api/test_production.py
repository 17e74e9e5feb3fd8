"""Production mode: no explorer, no introspection, no queries over GET, no suggestions."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from luna_graphql.settings import Settings
from tests.api.conftest import make_settings, serve
from tests.api.helpers import GraphQLClient, token_for
from tests.factories import make_couple

# Each of these draws a "Did you mean …?" from graphql-core in development.
SUGGESTING: list[tuple[str, str, dict[str, Any] | None]] = [
    ("field", "{ viewr { id } }", None),
    ("argument", '{ conversation(relationshipID: "x") { id } }', None),
    ("type", "query($x: Strin) { viewer { id } }", None),
    (
        "enum literal",
        "mutation { updateMessagingPreferences(input: {suggestionMode: ALWAY}) { partnerId } }",
        None,
    ),
    (
        "enum variable",
        "mutation($m: SuggestionMode) { updateMessagingPreferences(input: {suggestionMode: $m}) { partnerId } }",
        {"m": "ALWAY"},
    ),
    (
        "input field",
        "mutation { updateMessagingPreferences(input: {showReadReceipt: true}) { partnerId } }",
        None,
    ),
    ("subfield", "{ viewer { user { displayNam } } }", None),
]


@pytest.fixture
async def production(database_url: str, session: AsyncSession) -> AsyncIterator[GraphQLClient]:
    couple = await make_couple(session)
    settings = make_settings(database_url, env="production")
    async with serve(settings) as http:
        yield GraphQLClient(http, token_for(settings, couple.partner_a.id))


async def test_graphiql_only_in_development(
    production: GraphQLClient, http: httpx.AsyncClient
) -> None:
    html = {"accept": "text/html"}
    dev = await http.get("/graphql", headers=html)
    assert dev.status_code == 200 and "graphiql" in dev.text.lower()
    prod = await production.http.get("/graphql", headers=html)
    assert prod.status_code == 404
    assert "graphiql" not in prod.text.lower()


async def test_queries_over_get_only_in_development(
    production: GraphQLClient, http: httpx.AsyncClient
) -> None:
    params = {"query": "{ __typename }"}
    dev = await http.get("/graphql", params=params)
    assert dev.json() == {"data": {"__typename": "Query"}}
    prod = await production.http.get("/graphql", params=params)
    assert 400 <= prod.status_code < 500
    assert prod.json()["errors"][0]["extensions"]["code"] in {"BAD_REQUEST", "METHOD_NOT_ALLOWED"}
    mutation = await http.get(
        "/graphql",
        params={"query": 'mutation { markRead(conversationId: "x", upToSeq: 1) { changedCount } }'},
    )
    assert 400 <= mutation.status_code < 500  # never mutations over GET, in any mode


async def test_introspection_only_in_development(
    production: GraphQLClient, anonymous: GraphQLClient
) -> None:
    for query in (
        "{ __schema { types { name } } }",
        '{ __type(name: "Message") { fields { name } } }',
    ):
        dev = await anonymous.execute(query)
        assert "errors" not in dev
        prod = await production.execute(query)
        assert set(prod.codes) == {"GRAPHQL_VALIDATION_FAILED"}, prod
        assert prod["data"] is None
    # __typename is not introspection: union clients need it.
    assert (await production.data("{ __typename viewer { __typename } }"))["viewer"] == {
        "__typename": "Viewer"
    }


@pytest.mark.parametrize(("kind", "query", "variables"), SUGGESTING, ids=[s[0] for s in SUGGESTING])
async def test_no_suggestions_in_production(
    production: GraphQLClient,
    anonymous: GraphQLClient,
    kind: str,
    query: str,
    variables: dict[str, Any] | None,
) -> None:
    dev = await anonymous.with_token(production.token).execute(query, variables)
    assert any("Did you mean" in m for m in dev.messages), (kind, dev)
    prod = await production.execute(query, variables)
    assert prod.status_code == 200
    assert prod.codes and all(
        code in {"GRAPHQL_VALIDATION_FAILED", "BAD_USER_INPUT"} for code in prod.codes
    )
    text = str(prod)
    assert "Did you mean" not in text and "ALWAYS" not in text, (kind, prod)
    assert "viewer'" not in text or kind != "field"


def test_production_refuses_the_default_secret() -> None:
    with pytest.raises(ValueError, match="LUNA_JWT_SECRET"):
        Settings(_env_file=None, env="production", database_url="postgresql://x/y")  # type: ignore[call-arg]
