"""`schema.graphql` at the repo root is the public contract; it must match the code."""

from __future__ import annotations

from pathlib import Path

from luna_graphql.api.schema import build_schema

SCHEMA_FILE = Path(__file__).resolve().parents[1] / "schema.graphql"


def test_schema_graphql_matches_the_code() -> None:
    generated = build_schema().as_str() + "\n"
    committed = SCHEMA_FILE.read_text(encoding="utf-8")
    assert generated == committed, (
        "schema.graphql is out of date: run `.venv/bin/luna-graphql export-schema "
        "--output schema.graphql` and review the diff (it is the public API)."
    )


def test_served_schema_has_the_same_sdl_in_every_mode() -> None:
    from luna_graphql.settings import Settings

    for env, secret in (("development", None), ("production", "x" * 40)):
        extra = {} if secret is None else {"jwt_secret": secret}
        settings = Settings(_env_file=None, env=env, database_url="postgresql://x/y", **extra)  # type: ignore[call-arg]
        assert build_schema(settings).as_str() == build_schema().as_str()
