from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.ai.openai_server import FakeOpenAI, ServerThread


@pytest.fixture(scope="module")
def openai_server() -> Iterator[FakeOpenAI]:
    fake = FakeOpenAI()
    thread = ServerThread(fake)
    thread.start()
    try:
        yield fake
    finally:
        thread.stop()
