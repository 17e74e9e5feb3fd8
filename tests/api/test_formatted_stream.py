"""`FormattedStream` formats every ExecutionResult of its source and closes the source."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any

from strawberry.types import ExecutionResult

from luna_graphql.api.schema import FormattedStream


async def test_results_are_formatted_and_closing_closes_the_source() -> None:
    closed: list[bool] = []
    formatted: list[tuple[Any, Any]] = []

    async def source() -> AsyncGenerator[Any, None]:
        try:
            yield ExecutionResult(data={"n": 1}, errors=None)
            yield "incremental frame"
            yield ExecutionResult(data={"n": 2}, errors=None)
        finally:
            closed.append(True)

    stream = FormattedStream(source(), lambda r, c: formatted.append((r.data, c)), "ctx")
    first = await anext(stream)
    assert isinstance(first, ExecutionResult)
    assert await anext(stream) == "incremental frame"
    assert formatted == [({"n": 1}, "ctx")]
    assert closed == []
    await stream.aclose()
    assert closed == [True]


async def test_a_finished_stream_stops() -> None:
    async def source() -> AsyncGenerator[Any, None]:
        yield ExecutionResult(data=None, errors=None)

    seen = [item async for item in FormattedStream(source(), lambda r, c: None, None)]
    assert len(seen) == 1
