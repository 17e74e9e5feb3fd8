"""Async Alembic environment; the URL comes from the caller (CLI or tests), not from a file."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from luna_graphql.db.engine import to_sqlalchemy_url
from luna_graphql.db.migrate import MIGRATION_LOCK
from luna_graphql.db.models import Base

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    url = config.attributes.get("database_url") or config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("no database URL given to Alembic")
    return to_sqlalchemy_url(str(url))


def _run_sync(connection: Connection) -> None:
    # Concurrent runs (containers migrating at start, `serve` beside `migrate`) take turns:
    # without the lock both create alembic_version on a fresh database and one fails. The
    # lock is the session's, taken and committed before Alembic's own transaction, so
    # whoever waited reads the version the first one wrote and has nothing left to do.
    lock = {"key": MIGRATION_LOCK}
    connection.execute(text("SELECT pg_advisory_lock(:key)"), lock)
    connection.commit()
    try:
        context.configure(connection=connection, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()
    finally:
        connection.rollback()  # a failed migration leaves its transaction aborted
        connection.execute(text("SELECT pg_advisory_unlock(:key)"), lock)
        connection.commit()


async def _run_async() -> None:
    engine = create_async_engine(_url())
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run_sync)
    finally:
        await engine.dispose()  # closing the connection also drops any lock it still holds


if context.is_offline_mode():
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    asyncio.run(_run_async())
