"""Reaction tests reuse the API harness (real PostgreSQL, the app with its lifespan)."""

from __future__ import annotations

import pytest

from luna_graphql.settings import Settings
from tests.api.conftest import (  # noqa: F401 - fixtures, re-exported for this package
    anonymous,
    app,
    http,
    make_settings,
    outsiders,
    pair,
)
from tests.realtime_services.conftest import (  # noqa: F401 - fixtures of the stream tests
    bus,
    collect,
    sessionmaker,
    world,
)


@pytest.fixture
def settings(database_url: str) -> Settings:
    # Generous reaction limit; the rate-limit test serves an app with a tight one.
    return make_settings(database_url, rate_limit_reaction="10000/minute")
