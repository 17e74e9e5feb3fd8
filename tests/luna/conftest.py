"""Luna end to end: the app on real PostgreSQL over HTTP, with the offline assistant unless a
test serves its own app against the local OpenAI-compatible server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from luna_graphql.settings import Settings
from tests.ai.openai_server import FakeOpenAI, ServerThread
from tests.api.conftest import (  # noqa: F401 - fixtures, re-exported for this package
    app,
    http,
    make_settings,
    outsiders,
    pair,
)
from tests.luna.helpers import LUNA_SETTINGS


@pytest.fixture
def settings(database_url: str) -> Settings:
    return make_settings(database_url, **LUNA_SETTINGS)


@pytest.fixture(scope="module")
def model_server() -> Iterator[FakeOpenAI]:
    fake = FakeOpenAI()
    thread = ServerThread(fake)
    thread.start()
    try:
        yield fake
    finally:
        thread.stop()
