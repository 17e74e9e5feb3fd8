"""The migration builds the whole model, tears it down and builds it again."""

from __future__ import annotations

import asyncio
import os

import asyncpg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from luna_graphql.db.engine import build_engine
from luna_graphql.db.migrate import build_alembic_config, downgrade_database, upgrade_database
from luna_graphql.db.models import Base
from tests import pg

EXPECTED_TABLES = {
    "users",
    "relationships",
    "partner_conversations",
    "partner_messages",
    "partner_messaging_preferences",
    "message_suggestions",
    "connection_gestures",
    "escalation_events",
}


async def _tables(url: str) -> set[str]:
    connection = await asyncpg.connect(url)
    try:
        rows = await connection.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
        )
        functions = await connection.fetch(
            "SELECT proname FROM pg_proc WHERE proname LIKE 'luna_%'"
        )
    finally:
        await connection.close()
    return {r["tablename"] for r in rows} | {f["proname"] for f in functions}


@pytest.fixture
async def empty_database_url(pg_server_url: str):
    name = f"luna_empty_{os.getpid()}"
    await pg._admin_execute(
        pg_server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"'
    )
    url = pg.with_database(pg_server_url, name)
    yield url
    await pg.drop_database(pg_server_url, url)


async def test_upgrade_downgrade_upgrade(empty_database_url: str) -> None:
    url = empty_database_url
    await asyncio.to_thread(upgrade_database, url)
    built = await _tables(url)
    assert built >= EXPECTED_TABLES
    assert {"luna_assign_message_seq", "luna_touch_updated_at"} <= built

    await asyncio.to_thread(downgrade_database, url, "base")
    assert await _tables(url) == set()

    await asyncio.to_thread(upgrade_database, url)
    assert await _tables(url) == built


async def test_models_match_migration(database_url: str) -> None:
    """Autogenerate finds nothing to add: the models and the migration agree."""
    engine = build_engine(database_url)
    try:
        async with engine.connect() as connection:
            diff = await connection.run_sync(
                lambda sync: compare_metadata(MigrationContext.configure(sync), Base.metadata)
            )
    finally:
        await engine.dispose()
    assert diff == []


def test_alembic_config_points_at_the_repo_scripts() -> None:
    config = build_alembic_config("postgresql://unused/db")
    assert config.get_main_option("script_location", "").endswith("alembic")
