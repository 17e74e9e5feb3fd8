"""Subscription streams mapped to their GraphQL types, for every subscription module."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Generic, TypeVar

S = TypeVar("S")
T = TypeVar("T")


class MappedStream(Generic[S, T]):
    """`convert` applied to each item of `source`, which is closed with it.

    Not an async generator: every idle subscription holds one, and a generator (with its
    frame and an `aclosing` around the source) weighs several times more. Graphql-core's
    consumer closes it on every exit path, which closes the source.
    """

    __slots__ = ("_convert", "_source")

    def __init__(self, source: AsyncIterator[S], convert: Callable[[S], T]) -> None:
        self._source = source
        self._convert = convert

    def __aiter__(self) -> MappedStream[S, T]:
        return self

    async def __anext__(self) -> T:
        return self._convert(await anext(self._source))

    async def aclose(self) -> None:
        close = getattr(self._source, "aclose", None)
        if close is not None:
            await close()
