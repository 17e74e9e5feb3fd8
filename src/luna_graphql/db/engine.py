"""Engine and session factory; sessions keep attributes after commit for async safety."""

from __future__ import annotations

from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)


def to_sqlalchemy_url(url: str) -> str:
    """Accept plain ``postgresql://`` URLs (as libpq and asyncpg spell them) for SQLAlchemy."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres", "postgresql+asyncpg"):
        parsed = parsed.set(drivername="postgresql+asyncpg")
    return parsed.render_as_string(hide_password=False)


def to_asyncpg_dsn(url: str) -> str:
    """The same server as a DSN asyncpg accepts directly (no ``+driver``)."""
    parsed = make_url(url).set(drivername="postgresql")
    return parsed.render_as_string(hide_password=False)


def build_engine(
    url: str, *, pool_size: int = 10, max_overflow: int = 10, pre_ping: bool = True
) -> AsyncEngine:
    """`pre_ping=False` saves a round trip (~0.5 ms of CPU) per checkout; after a database
    restart the first statement on a dead connection then fails once and SQLAlchemy
    invalidates the whole pool, so callers must tolerate one retried request."""
    return create_async_engine(
        to_sqlalchemy_url(url),
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_pre_ping=pre_ping,
    )


def build_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)
