"""GraphQL documents and small helpers for Luna's end-to-end tests."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from luna_graphql.db.models import MessageSuggestion
from tests.api.helpers import MESSAGE_FIELDS, CoupleClients, GraphQLClient

LUNA_SETTINGS: dict[str, Any] = {
    "assistant_provider": "local",
    "rate_limit_review": "1000/minute",
    # Tests write analysis results themselves; a worker must not race them.
    "analysis_worker_enabled": False,
}

# Drafts whose local reviews the tests rely on (checked in test_policy_inputs).
SAFE = "See you at 7 for dinner?"
PREDICTED = "It's your fault we were late"  # risky, accusatory only, score just under 0.4
KNOWN = "You never help with the dishes!"  # risky, a known trigger, score between 0.6 and 0.8
SEVERE = "You are such an idiot"  # high risk, name-calling: a severe trigger
HIGH_RISK = "You never listen and you always interrupt me, whatever."  # high risk, not severe

SUGGESTION_FIELDS = """
  id primarySuggestion suggestionRationale alternatives { text tone rationale } underlyingNeed
  conversationId originalMessage riskAssessment detectedIssues source interventionType
  userAction selectedAlternativeIndex finalMessageId createdAt respondedAt
"""

REVIEW_FIELDS = f"riskAssessment detectedIssues source suggestion {{ {SUGGESTION_FIELDS} }}"

REVIEW = f"""
mutation($input: ReviewMessageInput!) {{ reviewMessage(input: $input) {{ {REVIEW_FIELDS} }} }}
"""

SEND = f"""
mutation($input: SendMessageInput!) {{
  sendMessage(input: $input) {{
    __typename
    ... on MessageSent {{ message {{ {MESSAGE_FIELDS} }} }}
    ... on LunaReviewRequired {{ review {{ {REVIEW_FIELDS} }} }}
  }}
}}
"""

RESPOND = f"""
mutation($input: RespondToSuggestionInput!) {{
  respondToSuggestion(input: $input) {{
    suggestion {{ {SUGGESTION_FIELDS} }}
    message {{ {MESSAGE_FIELDS} }}
  }}
}}
"""

MY_SUGGESTIONS = f"""
query($id: ID!, $first: Int, $after: String) {{
  mySuggestions(conversationId: $id, first: $first, after: $after) {{
    edges {{ cursor node {{ {SUGGESTION_FIELDS} }} }}
    pageInfo {{ hasNextPage hasPreviousPage startCursor endCursor }}
  }}
}}
"""

PREFERENCES = """
mutation($input: UpdateMessagingPreferencesInput!) {
  updateMessagingPreferences(input: $input) { suggestionMode interventionEnabled }
}
"""


async def set_luna(client: GraphQLClient, **prefs: Any) -> None:
    await client.data(PREFERENCES, {"input": prefs})


async def send(pair: CoupleClients, client: GraphQLClient, content: str, **fields: Any) -> Any:
    """sendMessage's union result: {"__typename": ..., "message" | "review": ...}."""
    data = await client.data(
        SEND, {"input": {"conversationId": pair.conversation_id, "content": content, **fields}}
    )
    return data["sendMessage"]


async def review(pair: CoupleClients, client: GraphQLClient, draft: str) -> Any:
    data = await client.data(
        REVIEW, {"input": {"conversationId": pair.conversation_id, "draft": draft}}
    )
    return data["reviewMessage"]


async def respond(client: GraphQLClient, suggestion_id: str, action: str, **fields: Any) -> Any:
    data = await client.data(
        RESPOND, {"input": {"suggestionId": suggestion_id, "action": action, **fields}}
    )
    return data["respondToSuggestion"]


async def suggestion_rows(session: AsyncSession) -> list[MessageSuggestion]:
    session.expire_all()
    rows = await session.scalars(select(MessageSuggestion).order_by(MessageSuggestion.created_at))
    result = list(rows.all())
    await session.commit()  # end the read: the app's writes must not wait on this session
    return result


async def make_negative_streak(
    session: AsyncSession, pair: CoupleClients, client: GraphQLClient, count: int
) -> None:
    """`count` messages from `client`, analysed as negative (as the worker would mark them).

    Their text is neutral so the local review's own context reading stays out of the way.
    """
    for i in range(count):
        sent = await send(pair, client, f"ok {i}.")
        await session.execute(
            text(
                "UPDATE partner_messages SET analysis_status = 'done', "
                "sentiment_label = 'negative', sentiment_score = -0.6 WHERE id = :id"
            ),
            {"id": sent["message"]["id"]},
        )
    await session.commit()
