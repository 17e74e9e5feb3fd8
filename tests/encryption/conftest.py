"""The app with encryption at rest turned on, over HTTP on real PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest

from luna_graphql.crypto import generate_encryption_key
from luna_graphql.db.engine import to_asyncpg_dsn
from luna_graphql.settings import Settings
from tests.api.conftest import (  # noqa: F401 - fixtures, re-exported for this package
    app,
    http,
    make_settings,
    pair,
)
from tests.luna.helpers import LUNA_SETTINGS

# One pair of keys for the run: "old" was put first once, "new" is first now.
OLD_KEY = generate_encryption_key("old")
NEW_KEY = generate_encryption_key("new")


def encrypted_settings(database_url: str, keys: str = NEW_KEY, **overrides: Any) -> Settings:
    return make_settings(database_url, encryption_keys=keys, **{**LUNA_SETTINGS, **overrides})


@pytest.fixture
def settings(database_url: str) -> Settings:
    return encrypted_settings(database_url)


@pytest.fixture
async def raw(database_url: str) -> AsyncIterator[asyncpg.Connection]:
    """A connection that sees what a dump would: the stored values, untouched by the app."""
    connection = await asyncpg.connect(to_asyncpg_dsn(database_url))
    yield connection
    await connection.close()
