"""The realtime collaborators one process shares across all its sockets."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from luna_graphql.api.context import LunaContext
from luna_graphql.realtime.bus import EventBus
from luna_graphql.services.clock import Clock, SystemClock
from luna_graphql.services.delivery import DeliveryTracker
from luna_graphql.services.identity_memo import IdentityMemo
from luna_graphql.services.message_loader import MessageLoader
from luna_graphql.services.message_view import MessageView
from luna_graphql.services.presence_node import PresenceNode


@dataclass
class Realtime:
    bus: EventBus
    loader: MessageLoader
    delivery: DeliveryTracker
    presence: PresenceNode
    clock: Clock = field(default_factory=SystemClock)
    # One view per (row, how the viewer sees it) across the process's subscribers.
    views: IdentityMemo[MessageView] = field(default_factory=IdentityMemo)
    # The asyncpg pool the loader and delivery marks use; the plain send path uses it too.
    row_pool: Any = None


def realtime_of(context: LunaContext) -> Realtime:
    realtime: Realtime | None = context.runtime.realtime
    if realtime is None:  # pragma: no cover - the lifespan always builds it
        raise RuntimeError("the realtime runtime is not started")
    return realtime
