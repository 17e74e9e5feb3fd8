"""Execute a subscription event once per shape, not once per subscriber.

One message wakes every subscriber of the couple at once, and they mostly run the same
document with the same variables as one of two viewers on the same row: graphql-core would
execute the same selection for each of them and build the same result. The subscription's
executor keeps each event's result for a moment instead, keyed by everything that decides
it:

- the parsed operation (one object per distinct query text, thanks to the parser cache),
- the variables as coerced,
- the viewer: results are never shared between partners, whose privacy rules differ,
- the payload's share key: a frozen value of what the viewer may see of the row
  (`MessageView`), set by the subscription that yields it (`shareable`).

`encode_next_frame` then serialises a shared result's data once for all its subscribers.

Payloads without a share key are executed as usual. A result with errors, or one that is
still being computed (an async field such as `analysis` was selected), is not kept: such
subscribers execute for themselves, as before.
"""

from __future__ import annotations

import json
import time
from collections import OrderedDict
from collections.abc import Hashable
from contextvars import ContextVar
from functools import partial
from typing import Any, TypeVar

from graphql import ExecutionResult, OperationDefinitionNode, OperationType
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from luna_graphql.services.identity_memo import IdentityMemo

T = TypeVar("T")

_SHARE_KEY = "_luna_share_key"
# Long enough for one event's fan-out to every local subscriber, short enough that nothing
# read at execution time (an async field's data) could be served stale.
TTL_S = 1.0
MAX_ENTRIES = 1024


def shareable(payload: T, key: Hashable) -> T:
    """Mark a subscription payload: subscribers with equal keys may share its result."""
    setattr(payload, _SHARE_KEY, key)
    return payload


class SharedResults:
    """A small process-wide map of recent event results; bounded in size and age."""

    def __init__(self, *, ttl_s: float = TTL_S, max_entries: int = MAX_ENTRIES) -> None:
        self._ttl_s = ttl_s
        self._max_entries = max_entries
        self._entries: OrderedDict[
            Hashable, tuple[float, OperationDefinitionNode, ExecutionResult]
        ] = OrderedDict()

    def get(self, key: Hashable, operation: OperationDefinitionNode) -> ExecutionResult | None:
        entry = self._entries.get(key)
        # The key holds the operation's id(); the entry holds the operation itself, so an id
        # reused by another document can never match.
        if entry is None or entry[1] is not operation:
            return None
        if time.monotonic() - entry[0] > self._ttl_s:
            del self._entries[key]
            return None
        return entry[2]

    def put(
        self, key: Hashable, operation: OperationDefinitionNode, result: ExecutionResult
    ) -> None:
        self._entries[key] = (time.monotonic(), operation, result)
        self._entries.move_to_end(key)
        while len(self._entries) > self._max_entries:
            self._entries.popitem(last=False)


SHARED_RESULTS = SharedResults()


class _Replay:
    """Stands in for a per-event executor whose result is already known."""

    __slots__ = ("_result",)

    def __init__(self, result: ExecutionResult) -> None:
        self._result = result

    def execute_operation(self, serially: bool | None = None) -> ExecutionResult:
        return self._result


class SharingExecutor(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's executor, sharing per-event results between identical subscribers."""

    _event_key: Hashable | None = None
    _variables_key: str | None = None
    # Set on a per-event copy: the subscription's executor it was copied from.
    _subscription: SharingExecutor | None = None
    # On a subscription's executor, once its first event ran: whether its events execute
    # synchronously (no async field selected), so `direct_frames` can run them in a fan-out.
    events_sync: bool | None = None

    @classmethod
    def build(cls, *args: Any, **kwargs: Any) -> Any:
        executor = super().build(*args, **kwargs)
        if isinstance(executor, SharingExecutor) and (
            executor.operation.operation is OperationType.SUBSCRIPTION
        ):
            # The operation's own task runs its resolver next; see `direct_frames`.
            slot = CURRENT_OPERATION.get()
            if slot is not None:
                slot.executor = executor
        return executor

    def build_per_event_executor(self, payload: Any) -> Any:
        share = getattr(payload, _SHARE_KEY, None)
        viewer = getattr(getattr(self.context_value, "viewer", None), "user_id", None)
        if share is None or viewer is None:
            return super().build_per_event_executor(payload)
        key = (id(self.operation), self._variables(), viewer, share)
        shared = SHARED_RESULTS.get(key, self.operation)
        if shared is not None:
            if self.events_sync is None:
                self.events_sync = True  # only results computed synchronously are shared
            return _Replay(shared)  # no per-event copy of this executor to build
        executor = super().build_per_event_executor(payload)
        assert isinstance(executor, SharingExecutor)  # a copy of this one
        executor._event_key = key
        executor._subscription = self
        return executor

    def execute_operation(self, serially: bool | None = None) -> Any:
        result = super().execute_operation(serially)
        key = self._event_key
        synchronous = isinstance(result, ExecutionResult)
        if key is not None and isinstance(result, ExecutionResult) and not result.errors:
            SHARED_RESULTS.put(key, self.operation, result)
        subscription = self._subscription
        if subscription is not None and subscription.events_sync is None:
            subscription.events_sync = synchronous
        return result

    def _variables(self) -> str:
        # Once per subscription (this is the subscription's executor, events copy it).
        if self._variables_key is None:
            self._variables_key = json.dumps(
                self.variable_values.coerced, sort_keys=True, default=str
            )
        return self._variables_key


class OperationSlot:
    """The WebSocket operation the current task runs, and the subscription executor it built
    last, for its resolver (see `direct_frames`). Emptied when the operation ends.

    A ContextVar holds the slot, not the objects: every timer, callback or connection
    created in the operation's task keeps a copy of its contextvars, some for minutes
    (asyncpg's statement cache) or for the life of a pooled connection opened there, and an
    emptied slot keeps nothing of the socket (which ~6% of closed sockets were, whole).
    """

    __slots__ = ("executor", "operation")

    def __init__(self, operation: Any) -> None:
        self.operation = operation
        self.executor: SharingExecutor | None = None

    def clear(self) -> None:
        self.operation = None
        self.executor = None


CURRENT_OPERATION: ContextVar[OperationSlot | None] = ContextVar("luna_operation", default=None)


# The JSON of recent `next` payloads' data: a shared result's data is one object for all its
# subscribers.
_ENCODED: IdentityMemo[str] = IdentityMemo(64)


def _compact_json(data: object) -> str:
    return json.dumps(data, separators=(",", ":"))


def encode_next_frame(message: object) -> str | None:
    """A graphql-transport-ws `next` frame carrying only data, as Strawberry would encode it
    (compact, keys in its order), its data serialised once per shared result; None for any
    other message."""
    if not isinstance(message, dict) or message.get("type") != "next" or len(message) != 3:
        return None
    payload = message.get("payload")
    if not isinstance(payload, dict) or payload.keys() != {"data"}:
        return None
    return next_frame(message["id"], payload["data"])


def next_frame(operation_id: object, data: object) -> str:
    """The `next` frame of an operation whose result carries only `data`."""
    encoded = _ENCODED.get(data, None, partial(_compact_json, data))
    return f'{{"id":{json.dumps(operation_id)},"type":"next","payload":{{"data":{encoded}}}}}'
