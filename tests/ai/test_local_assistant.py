"""The offline assistant on realistic partner messages.

The table is the product's yardstick: calm, loving and practical messages must go through
untouched; the four horsemen, threats and sarcasm must be caught. A few misses are
tolerated (>= 90%), but a warm or practical message must never be called high risk.
"""

from __future__ import annotations

import re

import pytest

from luna_graphql.ai.local import LocalAssistant
from luna_graphql.ai.models import ContextMessage, DraftReview

SAFE, FLAG = True, False

# (category, message, expected to be safe)
TABLE: list[tuple[str, str, bool]] = [
    # calm
    ("calm", "I had a long day, can we have a quiet night in?", SAFE),
    ("calm", "I feel a bit overwhelmed with work this week.", SAFE),
    ("calm", "I was hurt when plans changed last minute. Can we talk about it tonight?", SAFE),
    ("calm", "I'm really sad today, work was awful.", SAFE),
    ("calm", "I need some help with the laundry this weekend, could you take the towels?", SAFE),
    ("calm", "Sorry I snapped earlier. I was stressed and it wasn't fair to you.", SAFE),
    ("calm", "I don't care where we eat tonight, you pick!", SAFE),
    # affectionate
    ("affectionate", "I love you so much ❤️", SAFE),
    ("affectionate", "You always make me laugh 😂", SAFE),
    ("affectionate", "I miss you, can't wait to see you tonight", SAFE),
    ("affectionate", "Thank you for making dinner, it was amazing", SAFE),
    ("affectionate", "You're the best thing that ever happened to me", SAFE),
    ("affectionate", "Good morning beautiful ☀️ love you baby", SAFE),
    ("affectionate", "I'll never forget last night 🥰", SAFE),
    ("affectionate", "You're such a dork 😂 love you", SAFE),
    # neutral logistics
    ("logistics", "Can you grab milk on the way home?", SAFE),
    ("logistics", "I'm done with work, heading home now", SAFE),
    ("logistics", "Running 10 min late, traffic is awful", SAFE),
    ("logistics", "Don't forget the dentist at 3 tomorrow", SAFE),
    ("logistics", "What time does your mom's flight land?", SAFE),
    ("logistics", "Whatever you want for dinner is fine with me", SAFE),
    ("logistics", "Can you pick up the kids at 5? I have a meeting", SAFE),
    ("logistics", "The plumber is coming Thursday between 9 and 12", SAFE),
    ("logistics", "Oh great, see you at 6!", SAFE),
    # criticism
    ("criticism", "You never help with the dishes!", FLAG),
    ("criticism", "You're always on your phone when I'm talking to you", FLAG),
    ("criticism", "What's wrong with you? Why would you say that?", FLAG),
    ("criticism", "You're so selfish, you only think about yourself", FLAG),
    ("criticism", "Why can't you just listen to me for once?", FLAG),
    ("criticism", "You never call me back", FLAG),
    # contempt
    ("contempt", "You're pathetic", FLAG),
    ("contempt", "Oh great, thanks a lot.", FLAG),
    ("contempt", "Yeah right, like you'd ever do that", FLAG),
    ("contempt", "You're such an idiot", FLAG),
    ("contempt", "🙄 sure you did", FLAG),
    ("contempt", "Wow, real mature. Grow up.", FLAG),
    # defensiveness
    ("defensiveness", "It's not my fault the bill was late", FLAG),
    ("defensiveness", "I didn't do anything wrong!", FLAG),
    ("defensiveness", "Well you didn't tell me either, so don't blame me", FLAG),
    ("defensiveness", "What about when you forgot my birthday?", FLAG),
    # stonewalling
    ("stonewalling", "whatever", FLAG),
    ("stonewalling", "I'm done.", FLAG),
    ("stonewalling", "Leave me alone", FLAG),
    ("stonewalling", "Fine.", FLAG),
    ("stonewalling", "I don't care anymore", FLAG),
    # threats, triggers, escalation
    ("threat", "I can't do this anymore. I want a divorce.", FLAG),
    ("threat", "Maybe we should just break up", FLAG),
    ("trigger", "Calm down, you're overreacting", FLAG),
    ("escalation", "WHY DO YOU ALWAYS DO THIS", FLAG),
    # phrases that are harmless here but hurtful elsewhere
    ("affectionate", "Are you kidding me?! That's amazing news!!!", SAFE),
    ("affectionate", "You never fail to make me smile", SAFE),
    ("affectionate", "Poor baby, feel better soon 😘", SAFE),
    ("affectionate", "I'll always be here for you", SAFE),
    ("logistics", "Sure, whatever works for you", SAFE),
    ("logistics", "Go away for the weekend with me?", SAFE),
    ("logistics", "I'm leaving work now, see you soon", SAFE),
    ("logistics", "We're out of everything, can you stop by the store?", SAFE),
    ("calm", "I'm such an idiot, I left my phone at home 😅", SAFE),
    ("calm", "Ugh, my boss is such an idiot today", SAFE),
    ("calm", "It's not a big deal, don't worry about the glass 😊", SAFE),
    # more of the hurtful kind
    ("criticism", "You're always late. Every single time.", FLAG),
    ("criticism", "Nobody in this house ever helps me", FLAG),
    ("criticism", "Are you even listening to me???", FLAG),
    ("contempt", "Must be nice to sleep in while I do everything", FLAG),
    ("contempt", "Oh wonderful, another night alone", FLAG),
    ("defensiveness", "Why is everything always my fault?", FLAG),
    ("stonewalling", "Do whatever you want, I don't care.", FLAG),
    ("trigger", "you're just like your mother", FLAG),
    ("escalation", "What the hell is wrong with you", FLAG),
    # mixed
    ("mixed", "I love you but you never listen to me", FLAG),
    ("mixed", "Thanks for the flowers, but you forgot our anniversary again", FLAG),
    ("mixed", "Had a great day! Work was tough but the kids were sweet", SAFE),
]

WARM = {"affectionate", "logistics"}
SWEEPING = re.compile(r"\byou(?:'?re| are)? (?:always|never)\b", re.IGNORECASE)


@pytest.fixture(scope="module")
def assistant() -> LocalAssistant:
    return LocalAssistant()


async def _reviews(assistant: LocalAssistant) -> list[tuple[str, str, bool, DraftReview]]:
    return [
        (category, text, expected, await assistant.review_draft(text, context=[]))
        for category, text, expected in TABLE
    ]


def test_table_is_big_and_varied() -> None:
    assert len(TABLE) >= 40
    assert {c for c, _, _ in TABLE} >= {
        "calm",
        "affectionate",
        "logistics",
        "criticism",
        "contempt",
        "defensiveness",
        "stonewalling",
        "mixed",
    }


async def test_safe_versus_flagged_is_at_least_90_percent_right(
    assistant: LocalAssistant,
) -> None:
    reviews = await _reviews(assistant)
    wrong = [
        (text, review.risk_assessment, review.detected_issues)
        for _, text, expected, review in reviews
        if (review.risk_assessment == "safe") != expected
    ]
    accuracy = 1 - len(wrong) / len(reviews)
    assert accuracy >= 0.9, wrong


async def test_warm_and_practical_messages_are_never_high_risk(
    assistant: LocalAssistant,
) -> None:
    for category, text, _, review in await _reviews(assistant):
        if category in WARM:
            assert review.risk_assessment != "high_risk", text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("You're such an idiot, I can't do this anymore", "high_risk"),
        ("I want a divorce", "high_risk"),
        ("You never help with the dishes!", "risky"),
    ],
)
async def test_severity_bands(assistant: LocalAssistant, text: str, expected: str) -> None:
    review = await assistant.review_draft(text, context=[])
    assert review.risk_assessment == expected


async def test_flagged_drafts_get_useful_rewrites(assistant: LocalAssistant) -> None:
    for _, text, _, review in await _reviews(assistant):
        if review.risk_assessment == "safe":
            assert review.primary_suggestion is None
            assert review.suggestion_rationale is None
            assert review.alternatives == []
            assert review.underlying_need is None
            continue
        assert review.primary_suggestion, text
        assert review.suggestion_rationale, text
        assert review.underlying_need, text
        assert review.primary_suggestion.strip().lower() != text.strip().lower()
        assert not SWEEPING.search(review.primary_suggestion), review.primary_suggestion
        assert 2 <= len(review.alternatives) <= 3, text
        tones = [alt.tone for alt in review.alternatives]
        assert len(set(tones)) == len(tones), tones
        for alt in review.alternatives:
            assert alt.text and alt.rationale
            assert alt.text != text
            assert not SWEEPING.search(alt.text), alt.text


async def test_rewrite_keeps_the_topic(assistant: LocalAssistant) -> None:
    review = await assistant.review_draft("You never help with the dishes!", context=[])
    assert review.primary_suggestion is not None
    assert "dishes" in review.primary_suggestion
    assert review.primary_suggestion.startswith("I feel")
    assert review.underlying_need == "support"
    assert {"gottman_criticism", "absolute_language"} <= set(review.detected_issues)


async def test_rewrite_of_unknown_topic_reuses_the_speakers_words(
    assistant: LocalAssistant,
) -> None:
    review = await assistant.review_draft("You always leave your shoes in the hallway", context=[])
    assert review.primary_suggestion is not None
    assert "shoes in the hallway" in review.primary_suggestion


async def test_a_reply_is_never_rewritten_about_the_contexts_topic(
    assistant: LocalAssistant,
) -> None:
    """Issue #12: after "thanks for dinner", "Whatever." must not become a talk about cooking."""
    context = [
        ContextMessage(author="partner", text="The dishes have been sitting there for two days"),
        ContextMessage(author="partner", text="Thanks for cooking dinner, it was lovely"),
    ]
    review = await assistant.review_draft("Whatever.", context=context)
    alone = await assistant.review_draft("Whatever.", context=[])
    assert review.risk_assessment != "safe"
    assert review.primary_suggestion == alone.primary_suggestion
    assert review.alternatives == alone.alternatives
    written = " ".join([review.primary_suggestion or "", *(a.text for a in review.alternatives)])
    assert "dish" not in written.lower() and "cook" not in written.lower()
    assert review.underlying_need == "space"


async def test_tense_context_raises_the_score(assistant: LocalAssistant) -> None:
    tense = [
        ContextMessage(author="partner", text="You never listen to me"),
        ContextMessage(author="viewer", text="Whatever, it's not my fault"),
        ContextMessage(author="partner", text="You're unbelievable"),
    ]
    calm = await assistant.review_draft("It's not my fault", context=[])
    heated = await assistant.review_draft("It's not my fault", context=tense)
    assert heated.escalation_score > calm.escalation_score
    assert "escalation_pattern" in heated.detected_issues
    kind = await assistant.review_draft("I'm sorry, I love you", context=tense)
    assert kind.risk_assessment == "safe"


async def test_analysis_fields_are_in_range(assistant: LocalAssistant) -> None:
    for _, text, _ in TABLE:
        analysis = await assistant.analyze_message(text, context=[])
        assert -1.0 <= analysis.sentiment_score <= 1.0
        assert 0.0 <= analysis.escalation_score <= 1.0
        assert set(analysis.gottman_markers) == {
            "criticism",
            "contempt",
            "defensiveness",
            "stonewalling",
        }
        assert analysis.source == "local"
        assert all(e and e == e.lower() for e in analysis.emotions)


@pytest.mark.parametrize(
    ("text", "label", "risk", "marker"),
    [
        ("I love you so much ❤️", "positive", "low", None),
        ("Can you grab milk on the way home?", "neutral", "low", None),
        ("You never help with the dishes!", "negative", "high", "criticism"),
        ("Oh great, thanks a lot.", "negative", "medium", "contempt"),
        ("It's not my fault", "negative", "medium", "defensiveness"),
        ("Leave me alone", "negative", "medium", "stonewalling"),
        ("You're an idiot and I want a divorce", "negative", "critical", "contempt"),
    ],
)
async def test_analysis_reads_the_message(
    assistant: LocalAssistant, text: str, label: str, risk: str, marker: str | None
) -> None:
    analysis = await assistant.analyze_message(text, context=[])
    assert analysis.sentiment_label == label
    assert analysis.escalation_risk == risk
    flagged = {k for k, v in analysis.gottman_markers.items() if v}
    assert flagged == ({marker} if marker else set()) or (marker in flagged)


async def test_analysis_triggers_and_severity(assistant: LocalAssistant) -> None:
    criticism = await assistant.analyze_message("You always forget to text me back", context=[])
    assert "you always" in criticism.detected_triggers
    assert not criticism.severe_trigger
    threat = await assistant.analyze_message("I'm done with you. We're over.", context=[])
    assert threat.severe_trigger
    assert threat.escalation_risk == "critical"
    assert "hopeless" in threat.emotions


async def test_sarcasm_is_not_read_as_gratitude(assistant: LocalAssistant) -> None:
    analysis = await assistant.analyze_message("Oh great, thanks a lot.", context=[])
    assert analysis.sentiment_score < 0
    assert "grateful" not in analysis.emotions


async def test_results_are_deterministic(assistant: LocalAssistant) -> None:
    other = LocalAssistant()
    context = [ContextMessage(author="partner", text="You forgot again")]
    for _, text, _ in TABLE:
        assert await assistant.review_draft(text, context=context) == await other.review_draft(
            text, context=context
        )
        assert await assistant.analyze_message(
            text, context=context
        ) == await other.analyze_message(text, context=context)


async def test_empty_and_huge_drafts(assistant: LocalAssistant) -> None:
    empty = await assistant.review_draft("   ", context=[])
    assert empty.risk_assessment == "safe"
    huge = await assistant.review_draft("You never listen. " * 2000, context=[])
    assert huge.risk_assessment != "safe"


@pytest.mark.parametrize("gesture", ["hug", "kiss", "thinking_of_you"])
async def test_gesture_notes(assistant: LocalAssistant, gesture: str) -> None:
    note = await assistant.write_gesture_note(
        gesture_type=gesture,  # type: ignore[arg-type]
        partner_name="Sam",
        positive_context=["the picnic by the lake was perfect"],
    )
    again = await assistant.write_gesture_note(
        gesture_type=gesture,  # type: ignore[arg-type]
        partner_name="Sam",
        positive_context=["the picnic by the lake was perfect"],
    )
    assert note == again
    assert 0 < len(note.message) <= 280
    assert "Sam" in note.message
    assert "picnic by the lake" in note.message
    assert note.source == "local"
    assert note.context_used["gesture_type"] == gesture
    assert note.context_used["positive_context_used"] == 1


async def test_gesture_note_stays_short_without_name_or_context(
    assistant: LocalAssistant,
) -> None:
    bare = await assistant.write_gesture_note(
        gesture_type="hug", partner_name=None, positive_context=[]
    )
    assert bare.message and "None" not in bare.message
    long = await assistant.write_gesture_note(
        gesture_type="kiss",
        partner_name="A" * 500,
        positive_context=["word " * 500],
    )
    assert len(long.message) <= 280
