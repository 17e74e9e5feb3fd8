"""Remember a pure function's result for an object many callers share, by its identity.

A fan-out hands the same row (or view, or result) to every subscriber of an event, and each
would otherwise rebuild the same derived value. Entries are keyed by `id()`, which is cheap
where hashing the object is not; each entry keeps its object alive, so that id cannot be
reused by another object while the entry exists. Bounded: the oldest entries go first, which
is all a burst of one event's fan-out needs.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class IdentityMemo(Generic[V]):
    __slots__ = ("_entries", "_max_entries")

    def __init__(self, max_entries: int = 1024) -> None:
        self._max_entries = max_entries
        self._entries: OrderedDict[tuple[int, Hashable], tuple[object, V]] = OrderedDict()

    def get(self, obj: object, qualifier: Hashable, compute: Callable[[], V]) -> V:
        """`compute()`'s value for (`obj`, `qualifier`), computed once while remembered."""
        key = (id(obj), qualifier)
        entry = self._entries.get(key)
        if entry is not None and entry[0] is obj:
            return entry[1]
        value = compute()
        self._entries[key] = (obj, value)
        if len(self._entries) > self._max_entries:
            self._entries.popitem(last=False)
        return value
