"""Equal subscription texts arriving on different sockets end up as one string."""

from __future__ import annotations

from luna_graphql.api.realtime_ws import SHARED_QUERY_MAX_CHARS, shared_query


def test_equal_texts_share_one_string_and_huge_ones_are_not_kept() -> None:
    first = "".join(["subscription { messageAdded", "(conversationId: 1) { id } }"])
    second = "".join(["subscription { messageAdded", "(conversationId: 1) { id } }"])
    assert first is not second
    assert shared_query(first) is first
    assert shared_query(second) is first
    huge = "#" * (SHARED_QUERY_MAX_CHARS + 1)
    again = "".join(["#" * SHARED_QUERY_MAX_CHARS, "#"])
    assert shared_query(huge) is huge
    assert shared_query(again) is again
