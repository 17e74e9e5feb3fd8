"""GraphQL documents and small helpers shared by the gesture tests."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from luna_graphql.db.models import ConnectionGesture
from tests.api.helpers import GraphQLClient

GESTURE_FIELDS = """
  id relationshipId gestureType sentBy isMine message clientGestureId aiGenerated sentAt
  deliveredAt acknowledgedAt acknowledgedBy responseGestureId
"""

SEND_GESTURE = f"""
mutation($input: SendGestureInput!) {{
  sendGesture(input: $input) {{ recipientOnline gesture {{ {GESTURE_FIELDS} }} }}
}}
"""

ACKNOWLEDGE = f"""
mutation($input: AcknowledgeGestureInput!) {{
  acknowledgeGesture(input: $input) {{
    acknowledged gesture {{ {GESTURE_FIELDS} }} responseGesture {{ {GESTURE_FIELDS} }}
  }}
}}
"""

PENDING = f"{{ pendingGestures {{ {GESTURE_FIELDS} }} }}"
RECENT = f"query($limit: Int) {{ recentGestures(limit: $limit) {{ {GESTURE_FIELDS} }} }}"
ONE = f"query($id: ID!) {{ gesture(id: $id) {{ {GESTURE_FIELDS} }} }}"
GENERATE = """
mutation($input: GenerateGestureMessageInput!) {
  generateGestureMessage(input: $input) { message contextUsed }
}
"""


async def send_gesture(client: GraphQLClient, **fields: Any) -> dict[str, Any]:
    data = await client.data(SEND_GESTURE, {"input": {"gestureType": "HUG", **fields}})
    payload: dict[str, Any] = data["sendGesture"]
    return payload


async def acknowledge(client: GraphQLClient, gesture_id: str, **fields: Any) -> dict[str, Any]:
    data = await client.data(ACKNOWLEDGE, {"input": {"gestureId": gesture_id, **fields}})
    payload: dict[str, Any] = data["acknowledgeGesture"]
    return payload


async def pending_ids(client: GraphQLClient) -> list[str]:
    data = await client.data(PENDING)
    return [gesture["id"] for gesture in data["pendingGestures"]]


async def gesture_rows(session: AsyncSession) -> list[tuple[Any, ...]]:
    """Every gesture row as plain tuples (a snapshot to compare before and after)."""
    await session.rollback()
    rows = await session.scalars(select(ConnectionGesture).order_by(ConnectionGesture.id))
    return [
        (
            row.id,
            row.gesture_type,
            row.sent_by,
            row.message,
            row.client_gesture_id,
            row.delivered_at,
            row.acknowledged_at,
            row.acknowledged_by,
            row.response_gesture_id,
        )
        for row in rows
    ]
