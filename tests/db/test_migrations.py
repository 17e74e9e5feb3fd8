"""The migration builds the whole model, tears it down and builds it again."""

from __future__ import annotations

import asyncio
import os

import asyncpg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from luna_graphql.db.engine import build_engine
from luna_graphql.db.migrate import (
    MIGRATION_LOCK,
    build_alembic_config,
    downgrade_database,
    upgrade_database,
)
from luna_graphql.db.models import Base
from tests import pg
from tests.procs import LUNA

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


async def test_concurrent_migrate_commands_take_turns(empty_database_url: str) -> None:
    """Containers that migrate as they start may do it at once: both succeed, one schema.

    The test holds the migration lock until both commands wait on it, so they do run at
    once (without the lock they raced, and one failed creating alembic_version)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LUNA_")}
    env["LUNA_DATABASE_URL"] = empty_database_url
    holder = await asyncpg.connect(empty_database_url)
    try:
        await holder.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK)
        processes = [
            await asyncio.create_subprocess_exec(
                LUNA,
                "migrate",
                env=env,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
            )
            for _ in range(2)
        ]
        waiting = "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
        deadline = asyncio.get_running_loop().time() + 60
        while await holder.fetchval(waiting) < 2:
            assert asyncio.get_running_loop().time() < deadline, "migrate never waited"
            assert all(p.returncode is None for p in processes)
            await asyncio.sleep(0.05)
        await holder.execute("SELECT pg_advisory_unlock($1)", MIGRATION_LOCK)
        results = [await p.communicate() for p in processes]
        assert [p.returncode for p in processes] == [0, 0], results
        versions = await holder.fetch("SELECT version_num FROM alembic_version")
    finally:
        await holder.close()
    assert await _tables(empty_database_url) >= EXPECTED_TABLES
    head = ScriptDirectory.from_config(build_alembic_config(empty_database_url)).get_current_head()
    assert [row["version_num"] for row in versions] == [head]
