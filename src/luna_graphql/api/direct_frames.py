"""`messageAdded` frames written by an event's fan-out, without waking each subscription.

A thousand subscribers of one conversation would each wake their operation's task and run
Strawberry's per-result pipeline to send one shared result. For a subscriber that is idle,
caught up and whose next message is already cached, the fan-out itself writes the frame:

- the subscription's own executor runs the event (`build_per_event_executor`, graphql-core's
  public per-event API), so the result is exactly what its task would compute, and
  `SharingExecutor` still executes each (document, variables, viewer, view) once;
- the frame goes to the subscription's own socket through `SEND_NOW`, an ASGI scope extension
  that `ws_protocol.LeanWebSocketProtocol` offers: it writes only when the transport takes it
  at once, so a slow socket never holds up the others.

Anything else returns False and the subscription's task delivers the event the usual way:
no `SEND_NOW` (another server), the operation completing, an event whose execution is not
synchronous (an async field such as `analysis` is selected) or has errors, a paused socket.
Results carry only `data`: our schema extensions add no result extensions.
"""

from __future__ import annotations

from typing import Any

from graphql import ExecutionResult
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import Operation

from luna_graphql.api.shared_results import (
    CURRENT_OPERATION,
    OperationSlot,
    SharingExecutor,
    next_frame,
)
from luna_graphql.api.types.messages import shared_message
from luna_graphql.services.message_view import MessageView

SEND_NOW = "luna.websocket.send_now"


def enter_operation(operation: Operation[Any, Any]) -> OperationSlot:
    """Called at the top of an operation's own task, before its resolver runs; the caller
    clears the slot when the operation ends."""
    slot = OperationSlot(operation)
    CURRENT_OPERATION.set(slot)
    return slot


class DirectFrames:
    """Sends one subscription's next result now, if it can go without its task."""

    __slots__ = ("_executor", "_operation", "_send_now")

    def __init__(
        self, operation: Operation[Any, Any], executor: SharingExecutor, send_now: Any
    ) -> None:
        self._operation = operation
        self._executor = executor
        self._send_now = send_now

    def __call__(self, view: MessageView) -> bool:
        operation, executor = self._operation, self._executor
        # Its first event always goes the usual way, which tells whether events run
        # synchronously; a completed operation must send nothing more.
        if not executor.events_sync or operation.handler.operations.get(operation.id) is not (
            operation
        ):
            return False
        result = executor.build_per_event_executor(shared_message(view)).execute_operation(False)
        if not isinstance(result, ExecutionResult):
            close = getattr(result, "close", None)
            if close is not None:  # not run, so never awaited: say so quietly
                close()
            return False
        if result.errors:
            return False
        sent: bool = self._send_now(next_frame(operation.id, result.data))
        return sent


def direct_frames(request: Any) -> DirectFrames | None:
    """For the subscription resolving now in this task, over a socket offering `SEND_NOW`."""
    slot = CURRENT_OPERATION.get()
    operation = slot.operation if slot is not None else None
    executor = slot.executor if slot is not None else None
    scope = getattr(request, "scope", None)
    send_now = scope.get("extensions", {}).get(SEND_NOW) if scope else None
    if operation is None or executor is None or send_now is None:
        return None
    return DirectFrames(operation, executor, send_now)
