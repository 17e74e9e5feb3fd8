"""`LocalAssistant`: Luna without a model. Offline and deterministic.

It is the fallback whenever the model is slow or failing, the screen of every draft under
default preferences, and a complete assistant on its own for deployments without an API
key. All the knowledge lives in the helper modules; `review_draft_sync` and
`analyze_message_sync` compose them into the contract models.

They are plain synchronous functions because they are pure CPU: a short message takes well
under a millisecond and is scored inline, but a long or hostile one (5,000 characters of
emoji, words or scripts chosen to be slow) takes tens of milliseconds, which on the event
loop would stall every socket of the process. `LocalAssistant` therefore runs a text longer
than `INLINE_CHARS`, or one with context, in a worker process (`ai.offload`).
"""

from __future__ import annotations

from collections.abc import Sequence

from luna_graphql.ai import offload, scoring
from luna_graphql.ai.assessment import assess
from luna_graphql.ai.emotions import emotions_for
from luna_graphql.ai.gestures import write_note
from luna_graphql.ai.models import (
    ContextMessage,
    DraftReview,
    GestureNote,
    GestureType,
    MessageAnalysis,
)
from luna_graphql.ai.rewrite import rewrite

# A text up to this long, with no context, is scored inline; anything else in the pool.
# Measured on a 2-core machine (bench/luna_bench.py, docs/luna_cost.md): an analysis of up
# to 100 characters of the hostile inputs costs at most ~3 ms (emoji, which VADER spells
# out), an ordinary draft's screen ~0.3 ms; a draft that needs a rewrite 4-9 ms, whatever
# its length (the rewriter screens each of its candidates), so a shorter limit would not
# lower that. A round trip to the pool would add ~0.5-1 ms of latency to every send (more
# on a busy machine: the workers run at a lower priority; the realtime benchmark's p50 is
# ~2.2 ms) to save ~0.2 ms of event-loop time on an ordinary draft. Context is never
# inline: a draft with any issue costs one more detection per context message.
INLINE_CHARS = 100


def review_draft_sync(draft: str, context: Sequence[ContextMessage]) -> DraftReview:
    detection, streak, score = assess(draft, context)
    risk = scoring.draft_risk(score)
    issues = scoring.draft_issues(detection, streak=streak)
    if risk == "safe":
        return DraftReview(
            risk_assessment="safe",
            detected_issues=issues,
            primary_suggestion=None,
            suggestion_rationale=None,
            alternatives=[],
            underlying_need=None,
            escalation_score=score,
            source="local",
        )
    result = rewrite(detection, issues=issues, risk=risk)
    return DraftReview(
        risk_assessment=risk,
        detected_issues=issues,
        primary_suggestion=result.primary,
        suggestion_rationale=result.rationale,
        alternatives=result.alternatives,
        underlying_need=result.need,
        escalation_score=score,
        source="local",
    )


def screen_draft_sync(draft: str) -> bool:
    """The offline screen: whether a draft, seen without context, shows anything worth a full
    review (with context, and the model when one is configured). It needs no rewrite, which
    costs more than the detection itself. Without any issue the local score cannot reach
    RISKY, whatever the context, because context only sharpens drafts that have issues."""
    detection, _, score = assess(draft, ())
    return scoring.draft_risk(score) != "safe" or bool(detection.hits)


def analyze_message_sync(text: str, context: Sequence[ContextMessage]) -> MessageAnalysis:
    detection, _, score = assess(text, context)
    sentiment = scoring.adjusted_sentiment(detection)
    return MessageAnalysis(
        sentiment_score=sentiment,
        sentiment_label=scoring.sentiment_label(detection, sentiment),
        emotions=emotions_for(detection),
        detected_triggers=detection.triggers,
        escalation_risk=scoring.escalation_risk(score),
        escalation_score=score,
        gottman_markers=scoring.gottman_markers(detection),
        severe_trigger=detection.severe,
        source="local",
    )


def runs_inline(text: str, context: Sequence[ContextMessage]) -> bool:
    """Whether scoring `text` with `context` is cheap enough for the event loop."""
    return not context and len(text) <= INLINE_CHARS


class LocalAssistant:
    """Rule-based assistant built on VADER sentiment and our own pattern lexicon.

    Stateless: the worker pool it may use is process-wide (see `ai.offload`).
    """

    async def review_draft(self, draft: str, *, context: Sequence[ContextMessage]) -> DraftReview:
        if runs_inline(draft, context):
            return review_draft_sync(draft, context)
        return await offload.run(review_draft_sync, draft, tuple(context))

    async def screen_draft(self, draft: str) -> bool:
        """See `screen_draft_sync`: the check `sendMessage` runs on every draft under the
        default preferences."""
        if runs_inline(draft, ()):
            return screen_draft_sync(draft)
        return await offload.run(screen_draft_sync, draft)

    async def analyze_message(
        self, text: str, *, context: Sequence[ContextMessage]
    ) -> MessageAnalysis:
        if runs_inline(text, context):
            return analyze_message_sync(text, context)
        return await offload.run(analyze_message_sync, text, tuple(context), lane="analysis")

    async def write_gesture_note(
        self,
        *,
        gesture_type: GestureType,
        partner_name: str | None,
        positive_context: Sequence[str],
    ) -> GestureNote:
        message, context_used = write_note(
            gesture_type=gesture_type,
            partner_name=partner_name,
            positive_context=positive_context,
        )
        return GestureNote(message=message, context_used=context_used, source="local")

    async def aclose(self) -> None:
        """Nothing of its own to release (the shared pool ends with `offload.shutdown`);
        present so every assistant can be closed the same way."""
