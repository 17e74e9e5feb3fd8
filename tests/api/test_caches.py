"""Parsing and validation are cached across requests (the limits must not defeat the cache)."""

from __future__ import annotations

from luna_graphql.api.guards import cached_parse, cached_validate
from luna_graphql.api.schema import build_schema
from luna_graphql.settings import Settings


async def test_repeated_documents_hit_both_caches() -> None:
    settings = Settings(_env_file=None, database_url="postgresql://unused/db")  # type: ignore[call-arg]
    schema = build_schema(settings)
    query = "query CacheProbe { __typename }"
    validate, parse = cached_validate, cached_parse
    await schema.execute(query)
    before = (validate.cache_info().hits, parse.cache_info().hits)
    for _ in range(3):
        result = await schema.execute(query)
        assert result.data == {"__typename": "Query"}
    after = (validate.cache_info().hits, parse.cache_info().hits)
    assert after == (before[0] + 3, before[1] + 3)
