"""Subscribers of one event share its execution only when viewer, document, variables and
payload all match; anything else executes for itself."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from types import SimpleNamespace
from typing import Any

import pytest
import strawberry
from strawberry.extensions import ParserCache

from luna_graphql.api.shared_results import (
    SHARED_RESULTS,
    SharingExecutor,
    encode_next_frame,
    shareable,
)

calls: list[str] = []


@strawberry.type
class Item:
    value: int

    @strawberry.field
    def owner(self, info: strawberry.Info) -> str:
        calls.append(info.context.viewer.user_id)
        return f"{info.context.viewer.user_id}:{self.value}"

    @strawberry.field
    def broken(self) -> str:
        calls.append("broken")
        raise ValueError("no")


@strawberry.type
class Query:
    ok: bool = True


@strawberry.type
class Subscription:
    @strawberry.subscription
    async def items(self, scale: int = 1) -> AsyncIterator[Item]:
        for value in (1, 2):
            yield shareable(Item(value=value * scale), ("item", value * scale))


# As in the served schema, the parser cache makes one query text one document object.
schema = strawberry.Schema(
    Query,
    subscription=Subscription,
    execution_context_class=SharingExecutor,
    extensions=[lambda: ParserCache(maxsize=16)],
)
DOCUMENT = "subscription($s: Int) { items(scale: $s) { value owner } }"


def viewer(user_id: str) -> Any:
    return SimpleNamespace(viewer=SimpleNamespace(user_id=user_id))


async def collect(user_id: str, document: str = DOCUMENT, scale: int = 1) -> list[Any]:
    stream = await schema.subscribe(
        document, variable_values={"s": scale}, context_value=viewer(user_id)
    )
    return [(result.data, result.errors) async for result in stream]


@pytest.fixture(autouse=True)
def fresh() -> None:
    calls.clear()
    SHARED_RESULTS._entries.clear()


async def test_same_viewer_document_and_payload_execute_once() -> None:
    first = await collect("alex")
    second = await collect("alex")
    assert (
        first
        == second
        == [
            ({"items": {"value": 1, "owner": "alex:1"}}, None),
            ({"items": {"value": 2, "owner": "alex:2"}}, None),
        ]
    )
    assert calls == ["alex", "alex"]  # one execution per event, not per subscriber


async def test_partners_never_share_a_result() -> None:
    alex = await collect("alex")
    blair = await collect("blair")
    assert [data["items"]["owner"] for data, _ in alex] == ["alex:1", "alex:2"]
    assert [data["items"]["owner"] for data, _ in blair] == ["blair:1", "blair:2"]
    assert calls == ["alex", "alex", "blair", "blair"]


async def test_other_variables_or_documents_execute_for_themselves() -> None:
    await collect("alex", scale=1)
    await collect("alex", scale=3)
    await collect("alex", document="subscription { items { owner value } }")
    assert len(calls) == 6


async def test_results_with_errors_are_not_kept() -> None:
    document = "subscription { items { value broken } }"
    first = await collect("alex", document=document)
    await collect("alex", document=document)
    assert first[0][1] is not None  # the field error reaches the subscriber
    assert calls.count("broken") == 4


def test_next_frames_encode_as_strawberry_would() -> None:
    data = {"messageAdded": {"id": "m1", "content": 'quote " and emoji 🫶'}}
    frames = [
        {"id": "1", "type": "next", "payload": {"data": data}},
        {"id": "sub-2", "type": "next", "payload": {"data": data}},  # shares the data's JSON
        {"id": "3", "type": "next", "payload": {"data": None, "errors": [{"message": "x"}]}},
        {"type": "connection_ack"},
    ]
    encoded = [encode_next_frame(frame) for frame in frames]
    assert encoded[:2] == [json.dumps(frame, separators=(",", ":")) for frame in frames[:2]]
    assert encoded[2:] == [None, None]  # anything else is Strawberry's to encode
