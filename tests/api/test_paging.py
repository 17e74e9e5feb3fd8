"""History paging: Relay cursors keyed on seq, every message exactly once, constant SQL."""

from __future__ import annotations

import base64
import uuid
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from starlette.applications import Starlette

from luna_graphql.services.history import PageRequest, page_statement
from tests.api.helpers import HISTORY, CoupleClients, counting_statements

TOTAL = 250
DELETED = {10, 100, 101}
VISIBLE = [seq for seq in range(1, TOTAL + 1) if seq not in DELETED]


async def fill(session: AsyncSession, conversation_id: str, total: int = TOTAL) -> None:
    # One INSERT … SELECT: the trigger numbers the rows in order, as separate sends would.
    await session.execute(
        text(
            "INSERT INTO partner_messages (conversation_id, sender_id, content) "
            "SELECT CAST(:c AS uuid), CASE WHEN i % 2 = 1 THEN 'partner_a' ELSE 'partner_b' END, "
            "'message ' || i FROM generate_series(1, :n) AS i ORDER BY i"
        ),
        {"c": conversation_id, "n": total},
    )
    await session.execute(
        text("UPDATE partner_messages SET deleted_at = now() WHERE seq = ANY(:s)"),
        {"s": sorted(DELETED)},
    )
    await session.commit()


@pytest.fixture
async def history(pair: CoupleClients, session: AsyncSession) -> CoupleClients:
    await fill(session, pair.conversation_id)
    return pair


def seqs(connection: dict[str, Any]) -> list[int]:
    return [edge["node"]["seq"] for edge in connection["edges"]]


@pytest.mark.parametrize("size", [50, 33, 100])
async def test_forward_walk_visits_every_message_once_in_order(
    history: CoupleClients, size: int
) -> None:
    visited: list[int] = []
    after = None
    pages = 0
    while True:
        page = await history.history(history.b, first=size, after=after)
        pages += 1
        visited += seqs(page)
        assert all(e["node"]["content"] == f"message {e['node']['seq']}" for e in page["edges"])
        assert page["pageInfo"]["hasPreviousPage"] is (after is not None)
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
        assert pages < 20
    assert visited == VISIBLE


@pytest.mark.parametrize("size", [50, 33, 100])
async def test_backward_walk_visits_every_message_once_in_order(
    history: CoupleClients, size: int
) -> None:
    pages: list[list[int]] = []
    before = None
    while True:
        page = await history.history(history.a, last=size, before=before)
        pages.append(seqs(page))
        assert page["pageInfo"]["hasNextPage"] is (before is not None)
        if not page["pageInfo"]["hasPreviousPage"]:
            break
        before = page["pageInfo"]["startCursor"]
        assert len(pages) < 20
    visited = [seq for page in reversed(pages) for seq in page]
    assert visited == VISIBLE
    for page in pages:
        assert page == sorted(page)  # each page is chronological


async def test_no_arguments_means_the_newest_fifty(history: CoupleClients) -> None:
    page = await history.history(history.a)
    assert seqs(page) == VISIBLE[-50:]
    assert page["pageInfo"]["hasPreviousPage"] is True
    assert page["pageInfo"]["hasNextPage"] is False
    nodes = [edge["node"] for edge in page["edges"]]
    assert nodes[-1]["content"] == f"message {TOTAL}"


async def test_after_alone_pages_forwards_and_cursors_are_opaque(history: CoupleClients) -> None:
    first = await history.history(history.a, first=5)
    cursor = first["pageInfo"]["endCursor"]
    assert not cursor.isdigit()
    page = await history.history(history.a, after=cursor)
    assert seqs(page) == VISIBLE[5:55]
    between = await history.history(
        history.a, after=first["edges"][0]["cursor"], before=first["edges"][-1]["cursor"]
    )
    assert seqs(between) == [2, 3, 4]


async def test_new_messages_do_not_shift_pages(history: CoupleClients) -> None:
    page = await history.history(history.a, first=10)
    await history.send(history.b, "a new one")
    following = await history.history(history.a, first=10, after=page["pageInfo"]["endCursor"])
    assert seqs(following) == VISIBLE[10:20]


async def test_history_page_runs_a_constant_number_of_queries(
    history: CoupleClients, app: Starlette
) -> None:
    engine: AsyncEngine = app.state.engine
    newest = await history.history(history.a)
    middle_cursor = newest["edges"][0]["cursor"]
    counts: dict[str, int] = {}
    pages = {
        "newest": {},
        "first": {"first": 50},
        "middle forwards": {"first": 50, "after": middle_cursor},
        "middle backwards": {"last": 50, "before": middle_cursor},
        "oldest backwards": {
            "last": 50,
            "before": (await history.history(history.a, first=3))["pageInfo"]["endCursor"],
        },
        "past the end": {"first": 50, "after": newest["pageInfo"]["endCursor"]},
    }
    for name, args in pages.items():
        with counting_statements(engine) as statements:
            await history.history(history.a, **args)
        counts[name] = len(statements)
    # membership + page, and one EXISTS for the other direction when a cursor is given.
    assert counts == {
        "newest": 2,
        "first": 2,
        "middle forwards": 3,
        "middle backwards": 3,
        "oldest backwards": 3,
        "past the end": 3,
    }


async def test_page_query_uses_the_not_deleted_seq_index(
    history: CoupleClients, session: AsyncSession
) -> None:
    await session.execute(text("ANALYZE partner_messages"))
    conversation_id = uuid.UUID(history.conversation_id)
    for request, forward in (
        (PageRequest(last=50), False),
        (PageRequest(first=50, after_seq=120), True),
        (PageRequest(last=50, before_seq=120), False),
    ):
        statement = page_statement(conversation_id, request, forward=forward, limit=51)
        sql = str(
            statement.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True})
        )
        plan = "\n".join(row[0] for row in await session.execute(text(f"EXPLAIN {sql}")))
        assert "ix_partner_messages_not_deleted" in plan, plan
        assert "Sort" not in plan, plan


BAD_PAGES = [
    ({"first": 1000}, "first"),
    ({"last": 1000}, "last"),
    ({"first": 101}, "first"),
    ({"first": -1}, "first"),
    ({"first": 5, "last": 5}, "first"),
    ({"after": "garbage"}, "after"),
    ({"after": ""}, "after"),
    ({"before": "%%%"}, "before"),
    ({"after": base64.urlsafe_b64encode(b"seq:abc").decode()}, "after"),
    ({"after": base64.urlsafe_b64encode(b"seq:-4").decode()}, "after"),
    ({"before": base64.urlsafe_b64encode(b"id:12").decode()}, "before"),
    ({"after": "ü"}, "after"),
    ({"after": base64.urlsafe_b64encode(b"seq:99999999999999999999").decode()}, "after"),
    ({"before": base64.urlsafe_b64encode(b"seq:9223372036854775808").decode()}, "before"),
    ({"after": base64.urlsafe_b64encode(b"seq:9223372036854775808").decode()}, "after"),
    ({"first": 2**31 - 1}, "first"),
    ({"last": 2**31 - 1}, "last"),
    ({"last": -(2**31)}, "last"),
]


@pytest.mark.parametrize(("args", "field"), BAD_PAGES)
async def test_bad_page_arguments_are_bad_user_input(
    pair: CoupleClients, args: dict[str, Any], field: str
) -> None:
    result = await pair.a.execute(HISTORY, {"id": pair.conversation_id, **args})
    assert result.status_code == 200
    assert result.codes == ["BAD_USER_INPUT"], result
    assert result["errors"][0]["extensions"]["field"] == field


def cursor(seq: int) -> str:
    return base64.urlsafe_b64encode(f"seq:{seq}".encode()).decode().rstrip("=")


async def test_cursors_at_the_ends_of_bigint(history: CoupleClients) -> None:
    """seq is a bigint: the largest cursor, and 0, are valid and page correctly (a
    `seq + 1` there used to overflow in the driver)."""
    largest = 2**63 - 1
    past_the_end = await history.history(history.a, after=cursor(largest))
    assert past_the_end["edges"] == []
    assert past_the_end["pageInfo"]["hasPreviousPage"] is True
    assert past_the_end["pageInfo"]["hasNextPage"] is False
    newest = await history.history(history.a, before=cursor(largest), last=3)
    assert seqs(newest) == VISIBLE[-3:]
    assert newest["pageInfo"]["hasNextPage"] is False
    forwards = await history.history(history.a, after=cursor(largest - 1), first=5)
    assert forwards["edges"] == [] and forwards["pageInfo"]["hasPreviousPage"] is True
    before_all = await history.history(history.a, before=cursor(0))
    assert before_all["edges"] == []
    assert before_all["pageInfo"]["hasNextPage"] is True
    oldest = await history.history(history.a, after=cursor(0), first=2)
    assert seqs(oldest) == VISIBLE[:2]
    assert oldest["pageInfo"]["hasPreviousPage"] is False
