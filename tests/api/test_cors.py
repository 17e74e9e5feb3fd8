"""Browsers: listed origins get CORS, a preflight from any other gets a JSON answer that
names the setting to change."""

from __future__ import annotations

import pytest

from luna_graphql.settings import Settings
from tests.api.conftest import TEST_SECRET, serve


def settings_from_env(database_url: str) -> Settings:
    return Settings(_env_file=None, database_url=database_url, jwt_secret=TEST_SECRET)  # type: ignore[call-arg]


PREFLIGHT = {
    "access-control-request-method": "POST",
    "access-control-request-headers": "content-type",
}


async def test_listed_origins_from_a_comma_separated_setting(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LUNA_ALLOWED_ORIGINS", "http://localhost:3000,https://app.example")
    settings = settings_from_env(database_url)
    async with serve(settings) as http:
        for origin in ("http://localhost:3000", "https://app.example"):
            allowed = await http.options("/graphql", headers={"origin": origin, **PREFLIGHT})
            assert allowed.status_code == 200, allowed.text
            assert allowed.headers["access-control-allow-origin"] == origin
            posted = await http.post(
                "/graphql", json={"query": "{ __typename }"}, headers={"origin": origin}
            )
            assert posted.headers["access-control-allow-origin"] == origin
        refused = await http.options(
            "/graphql", headers={"origin": "https://evil.example", **PREFLIGHT}
        )
        assert refused.status_code == 403
        error = refused.json()["errors"][0]
        assert error["extensions"]["code"] == "FORBIDDEN"
        assert "LUNA_ALLOWED_ORIGINS" in error["message"]
        assert "access-control-allow-origin" not in refused.headers


async def test_without_listed_origins_a_preflight_says_which_setting(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LUNA_ALLOWED_ORIGINS", raising=False)
    settings = settings_from_env(database_url)
    async with serve(settings) as http:
        refused = await http.options(
            "/graphql", headers={"origin": "http://localhost:3000", **PREFLIGHT}
        )
        assert refused.status_code == 403
        assert (
            "LUNA_ALLOWED_ORIGINS=http://localhost:3000" in refused.json()["errors"][0]["message"]
        )
        # Not a preflight: what it always was.
        plain = await http.options("/graphql")
        assert plain.status_code == 405
        assert plain.json()["errors"][0]["extensions"]["code"] == "METHOD_NOT_ALLOWED"
