"""How a message looks to one viewer: the privacy rules, applied in memory.

Every read path (history, single message, send results, and the realtime streams that
re-read an event's rows once per process) builds its views here.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from luna_graphql.db.models import PartnerMessage


@dataclass(frozen=True)
class MessageView:
    """A message as one viewer may see it; every read path goes through `view_message`."""

    id: uuid.UUID
    conversation_id: uuid.UUID
    seq: int
    sender: str
    is_mine: bool
    content: str
    client_message_id: str | None
    status: str
    sent_at: datetime
    delivered_at: datetime | None
    read_at: datetime | None
    reply_to_id: uuid.UUID | None
    created_at: datetime
    luna_intervened: bool
    intervention_type: str | None
    intervention_accepted: bool | None
    original_content: str | None


# Exactly the columns `view_message` reads: read paths load these and nothing else (the
# analysis JSON columns stay in the database).
VIEW_COLUMNS = (
    PartnerMessage.id,
    PartnerMessage.conversation_id,
    PartnerMessage.seq,
    PartnerMessage.sender_id,
    PartnerMessage.content,
    PartnerMessage.client_message_id,
    PartnerMessage.status,
    PartnerMessage.sent_at,
    PartnerMessage.delivered_at,
    PartnerMessage.read_at,
    PartnerMessage.reply_to_id,
    PartnerMessage.created_at,
    PartnerMessage.deleted_at,
    PartnerMessage.luna_intervened,
    PartnerMessage.intervention_type,
    PartnerMessage.intervention_accepted,
    PartnerMessage.original_content,
)


class Perspective(Protocol):
    """What a message's look depends on besides the row: a `Membership`, or the slim copy a
    long-lived subscription keeps (`message_stream.StreamMember`)."""

    @property
    def role(self) -> str: ...

    @property
    def partner_shares_read_receipts(self) -> bool: ...


def view_message(message: PartnerMessage, membership: Perspective) -> MessageView:
    """Apply the privacy rules in memory (subscriptions reuse this per subscriber).

    - Luna's involvement is the author's business alone: for the partner the message looks
      exactly like one Luna never touched.
    - A partner who turned read receipts off is never seen to have read anything.
    """
    mine = message.sender_id == membership.role
    status, read_at = message.status, message.read_at
    if mine and status == "read" and not membership.partner_shares_read_receipts:
        status, read_at = "delivered", None
    return MessageView(
        id=message.id,
        conversation_id=message.conversation_id,
        seq=message.seq,
        sender=message.sender_id,
        is_mine=mine,
        content=message.content,
        client_message_id=message.client_message_id if mine else None,
        status=status,
        sent_at=message.sent_at,
        delivered_at=message.delivered_at,
        read_at=read_at,
        reply_to_id=message.reply_to_id,
        created_at=message.created_at,
        luna_intervened=message.luna_intervened if mine else False,
        intervention_type=message.intervention_type if mine else None,
        intervention_accepted=message.intervention_accepted if mine else None,
        original_content=message.original_content if mine else None,
    )
