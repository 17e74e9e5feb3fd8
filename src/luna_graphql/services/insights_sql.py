"""The statements behind `messagingInsights`: each aggregates in PostgreSQL and returns a
number of rows bounded by the window (days x partners), never by the number of messages.

Every statement takes :conversation_id (or :relationship_id), :since and :until.
"""

from __future__ import annotations

from sqlalchemy import text

# Counts, sentiment sums and marker counts per (day, partner): at most days x 2 rows, which
# the service rolls up into days, partners and the whole window. `OFFSET 0` keeps the inner
# select from being flattened: rows are reduced to booleans first and the planner, seeing
# few groups, hashes them instead of sorting (and spilling) every wide row.
MESSAGES = text(
    """
    SELECT day, sender_id,
           count(*) AS messages,
           count(*) FILTER (WHERE done) AS analysed,
           sum(sentiment_score) FILTER (WHERE done) AS sentiment_sum,
           count(*) FILTER (WHERE done AND criticism) AS criticism,
           count(*) FILTER (WHERE done AND contempt) AS contempt,
           count(*) FILTER (WHERE done AND defensiveness) AS defensiveness,
           count(*) FILTER (WHERE done AND stonewalling) AS stonewalling,
           count(*) FILTER (WHERE done AND escalated) AS escalated
      FROM (SELECT (m.sent_at AT TIME ZONE 'UTC')::date AS day, m.sender_id,
                   m.analysis_status = 'done' AS done, m.sentiment_score,
                   m.escalation_risk IN ('high', 'critical') AS escalated,
                   m.gottman_markers @> '{"criticism": true}' AS criticism,
                   m.gottman_markers @> '{"contempt": true}' AS contempt,
                   m.gottman_markers @> '{"defensiveness": true}' AS defensiveness,
                   m.gottman_markers @> '{"stonewalling": true}' AS stonewalling
              FROM partner_messages AS m
             WHERE m.conversation_id = :conversation_id AND m.deleted_at IS NULL
               AND m.sent_at >= :since AND m.sent_at < :until
            OFFSET 0) AS w
     GROUP BY day, sender_id
    """
)

# The most frequent emotions and triggers of analysed messages, :top of each, in one scan.
TAGS = text(
    """
    SELECT kind, tag, n FROM (
        SELECT x.kind, x.tag, count(*) AS n,
               row_number() OVER (PARTITION BY x.kind ORDER BY count(*) DESC, x.tag) AS rank
          FROM partner_messages AS m
         CROSS JOIN LATERAL (
               SELECT 'emotion' AS kind, e.tag
                 FROM jsonb_array_elements_text(m.emotions) AS e(tag)
               UNION ALL
               SELECT 'trigger' AS kind, t.tag
                 FROM jsonb_array_elements_text(m.detected_triggers) AS t(tag)
         ) AS x
         WHERE m.conversation_id = :conversation_id AND m.deleted_at IS NULL
           AND m.analysis_status = 'done'
           AND m.sent_at >= :since AND m.sent_at < :until
         GROUP BY x.kind, x.tag
    ) AS ranked
     WHERE rank <= :top
     ORDER BY kind, rank
    """
)

# A reply is a message whose predecessor (by seq) came from the other partner; its reply
# time is the gap between the two. Median per partner with percentile_cont.
REPLY_TIMES = text(
    """
    WITH w AS (
        SELECT m.sender_id, m.sent_at,
               lag(m.sender_id) OVER (ORDER BY m.seq) AS previous_sender,
               lag(m.sent_at) OVER (ORDER BY m.seq) AS previous_at
          FROM partner_messages AS m
         WHERE m.conversation_id = :conversation_id AND m.deleted_at IS NULL
           AND m.sent_at >= :since AND m.sent_at < :until
    )
    SELECT sender_id, count(*) AS replies,
           percentile_cont(0.5) WITHIN GROUP (
               ORDER BY greatest(0, extract(epoch FROM sent_at - previous_at))
           ) AS median_s
      FROM w
     WHERE previous_sender IS NOT NULL AND previous_sender <> sender_id
     GROUP BY sender_id
    """
)

# Messaging escalations, newest first (at most :limit), with totals over the whole window.
ESCALATIONS = text(
    """
    SELECT e.id, e.severity, e.created_at, e.message_id, m.sender_id,
           count(*) OVER () AS total,
           count(*) FILTER (WHERE e.severity = 'high') OVER () AS high,
           count(*) FILTER (WHERE e.severity = 'critical') OVER () AS critical
      FROM escalation_events AS e
      LEFT JOIN partner_messages AS m ON m.id = e.message_id
     WHERE e.relationship_id = :relationship_id AND e.source = 'partner_messaging'
       AND e.created_at >= :since AND e.created_at < :until
     ORDER BY e.created_at DESC, e.id
     LIMIT :limit
    """
)

# The viewer's own use of Luna (suggestions are private to their author, counts included).
LUNA_USAGE = text(
    """
    SELECT (SELECT coalesce(sum(t.reviews), 0)
              FROM luna_review_tallies AS t
             WHERE t.conversation_id = :conversation_id AND t.sender_id = :viewer_role
               AND t.day >= CAST(CAST(:since AS timestamptz) AT TIME ZONE 'UTC' AS date)
               AND t.day <= CAST(CAST(:until AS timestamptz) AT TIME ZONE 'UTC' AS date)
           ) AS reviews_requested,
           count(*) FILTER (WHERE risk_assessment <> 'safe') AS suggestions_shown,
           count(*) FILTER (WHERE user_action = 'accepted') AS accepted,
           count(*) FILTER (WHERE user_action = 'modified') AS modified,
           count(*) FILTER (WHERE user_action = 'rejected') AS rejected,
           count(*) FILTER (WHERE user_action = 'ignored') AS ignored
      FROM message_suggestions
     WHERE conversation_id = :conversation_id AND sender_id = :viewer_role
       AND created_at >= :since AND created_at < :until
    """
)
