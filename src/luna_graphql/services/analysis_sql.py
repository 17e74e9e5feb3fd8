"""The statements behind the analysis queue (see `services.analysis` for the job lifecycle)."""

from __future__ import annotations

from sqlalchemy import ARRAY, bindparam, text
from sqlalchemy.dialects.postgresql import UUID

UUIDS = ARRAY(UUID(as_uuid=True))

# One statement: pick due jobs nobody else holds, lease them, and say who sent them and
# whether that partner consents (no preferences row = the configured default).
CLAIM = text(
    """
    WITH picked AS (
        SELECT id FROM partner_messages
         WHERE analysis_status = 'pending' AND analysis_available_at <= now()
         ORDER BY analysis_available_at
         LIMIT :limit
         FOR UPDATE SKIP LOCKED
    )
    UPDATE partner_messages AS m
       SET analysis_attempts = m.analysis_attempts + 1,
           analysis_available_at = now() + make_interval(secs => :lease_s)
      FROM picked, partner_conversations AS c
     WHERE m.id = picked.id AND c.id = m.conversation_id
    RETURNING m.id, m.conversation_id, c.relationship_id, m.sender_id, m.seq, m.content,
              m.analysis_attempts AS attempts, m.deleted_at IS NOT NULL AS deleted,
              COALESCE((SELECT p.analysis_enabled FROM partner_messaging_preferences AS p
                         WHERE p.relationship_id = c.relationship_id
                           AND p.partner_id = m.sender_id), :consent_default) AS consent
    """
)

# The last `n` live messages before each job's message, oldest first.
CONTEXT = text(
    """
    SELECT j.id AS job_id, ctx.sender_id, ctx.content
      FROM partner_messages AS j
     CROSS JOIN LATERAL (
           SELECT p.sender_id, p.content, p.seq FROM partner_messages AS p
            WHERE p.conversation_id = j.conversation_id AND p.seq < j.seq
              AND p.deleted_at IS NULL
            ORDER BY p.seq DESC
            LIMIT :n
     ) AS ctx
     WHERE j.id = ANY(:ids)
     ORDER BY j.id, ctx.seq
    """
).bindparams(bindparam("ids", type_=UUIDS))
