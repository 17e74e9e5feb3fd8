"""Two real `luna-graphql serve` processes on one PostgreSQL (the realtime tests' harness,
whose limits are generous for every kind of write)."""

from __future__ import annotations

from tests.realtime_ws.conftest import (  # noqa: F401 - fixtures, re-exported for this package
    couple,
    http,
    servers,
    shared_database_url,
    shared_sessionmaker,
)
