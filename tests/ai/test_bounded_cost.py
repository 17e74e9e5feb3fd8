"""Bounded cost for any input: hostile text is scored, and scored away from the event loop.

No timings here (bench/luna_bench.py measures them): these tests check that every
adversarial input gets a normal answer, that VADER only ever sees bounded pieces of it,
that ordinary messages score exactly as VADER scores them, and that large inputs run in a
worker process that is replaced when it dies.
"""

from __future__ import annotations

import asyncio
import math
import os
import signal
import time
from collections.abc import Callable, Iterator
from functools import cache
from typing import Any

import pytest
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from luna_graphql.ai import offload, sentiment
from luna_graphql.ai.local import (
    INLINE_CHARS,
    LocalAssistant,
    analyze_message_sync,
    review_draft_sync,
    runs_inline,
)
from luna_graphql.ai.models import ContextMessage, DraftReview, MessageAnalysis

EMOJI_KINDS = [
    "😂",
    "❤️",  # with a variation selector
    "👍🏽",  # with a skin tone
    "🇫🇷",  # a flag: two regional indicators
    "👨‍👩‍👧‍👦",  # a ZWJ sequence
    "🥰",
    "😡",
]

ADVERSARIAL: dict[str, str] = {
    "5000 laughing emoji": "😂" * 5000,
    "5000 emoji of several kinds": "".join(EMOJI_KINDS[i % 7] for i in range(5000))[:5000],
    "emoji between spaces": "😂 😭 " * 1250,
    "emoji glued to words": "ha😂" * 1250,
    "5000 one-letter words": " ".join("abcdefghij"[i % 10] for i in range(5000)),
    "one 5000-char word": "a" * 5000,
    "mixed scripts, RTL, combining marks": (
        "Hello мир שלום עולם مرحبا 你好 e\u0301\u0302 नमस्ते \u202eevil\u202c 🙂 " * 100
    )[:5000],
    "a lone surrogate": "\ud83d",
    "lone surrogates": "\ud83d\ude02\udc00" * 1666,
    "punctuation": "!?" * 2500,
    "hostile phrases": "you never listen, you idiot! poor baby 😘 " * 120,
    "NULs and SOHs": "\x00\x01" * 2500,
}

CONTEXT = (
    ContextMessage(author="partner", text="You never listen to me."),
    ContextMessage(author="viewer", text="😡" * 2000),
)


def _old_polarity(text: str) -> tuple[float, float, float]:
    """`polarity` of a long text as it was before its bounds: 60-word chunks, by size."""
    analyzer = SentimentIntensityAnalyzer()
    words = text.split()
    assert len(words) > 60
    chunks = [" ".join(words[i : i + 60]) for i in range(0, len(words), 60)]
    parts = [(len(chunk.split()), analyzer.polarity_scores(chunk)) for chunk in chunks]
    total = sum(size for size, _ in parts)
    return (
        sum(size * p["compound"] for size, p in parts) / total,
        sum(size * p["pos"] for size, p in parts) / total,
        sum(size * p["neg"] for size, p in parts) / total,
    )


@pytest.fixture
def vader_inputs(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every text handed to VADER while the test runs."""
    seen: list[str] = []
    original: Callable[..., Any] = SentimentIntensityAnalyzer.polarity_scores

    def spy(self: SentimentIntensityAnalyzer, text: str) -> Any:
        seen.append(text)
        return original(self, text)

    monkeypatch.setattr(SentimentIntensityAnalyzer, "polarity_scores", spy)
    yield seen


@cache
def _emojis() -> dict[str, str]:
    emojis: dict[str, str] = SentimentIntensityAnalyzer().emojis
    return emojis


def _spelled_words(text: str) -> int:
    """Words VADER reads once it has spelled the emoji out (an upper bound)."""
    emojis = _emojis()
    return len(text.split()) + sum(len(emojis[c].split()) for c in text if c in emojis)


@pytest.mark.parametrize("text", ADVERSARIAL.values(), ids=ADVERSARIAL.keys())
def test_vader_sees_bounded_pieces_of_any_input(text: str, vader_inputs: list[str]) -> None:
    sentiment.clear_cache()
    scores = sentiment.polarity(text)
    assert all(math.isfinite(v) for v in (scores.compound, scores.positive, scores.negative))
    assert -1 <= scores.compound <= 1 and 0 <= scores.positive <= 1 and 0 <= scores.negative <= 1
    assert 1 <= len(vader_inputs) <= sentiment.MAX_CHUNKS
    for piece in vader_inputs:
        assert len(piece.split()) <= sentiment.CHUNK_WORDS
        assert _spelled_words(piece) <= sentiment.MESSAGE_COST


@pytest.mark.parametrize("text", ADVERSARIAL.values(), ids=ADVERSARIAL.keys())
def test_screen_review_and_analysis_answer_any_input(text: str) -> None:
    review = review_draft_sync(text, ())
    assert isinstance(review, DraftReview) and 0 <= review.escalation_score <= 1
    assert isinstance(review_draft_sync(text, CONTEXT), DraftReview)
    analysis = analyze_message_sync(text, CONTEXT)
    assert isinstance(analysis, MessageAnalysis) and -1 <= analysis.sentiment_score <= 1


def test_a_run_of_one_emoji_reads_as_a_few_of_them() -> None:
    few = sentiment.polarity("😂" * sentiment.RUN_LIMIT)
    assert sentiment.polarity("😂" * 5000) == few
    assert few.compound > 0.5


@pytest.mark.parametrize(
    "text",
    [
        "I love you so much ❤️",
        "You never help with the dishes!",
        "WHY DO YOU ALWAYS DO THIS",
        "😂😂😂😂😂😂😂😂😂😂 stop it",
        "Oh great, thanks a lot.",
        "",
        "   ",
    ],
)
def test_ordinary_messages_score_exactly_as_vader_does(text: str) -> None:
    scores = SentimentIntensityAnalyzer().polarity_scores(text)
    got = sentiment.polarity(text)
    assert (got.compound, got.positive, got.negative) == (
        scores["compound"],
        scores["pos"],
        scores["neg"],
    )


def test_long_plain_text_is_chunked_as_before() -> None:
    sentence = "You never listen to me, and I am so tired of it... but I love you anyway! "
    text = " ".join((sentence * 50).split()[:700])
    got = sentiment.polarity(text)
    assert (got.compound, got.positive, got.negative) == _old_polarity(text)


def test_only_short_drafts_without_context_run_inline() -> None:
    assert runs_inline("x" * INLINE_CHARS, ())
    assert not runs_inline("x" * (INLINE_CHARS + 1), ())
    assert not runs_inline("hi", [ContextMessage(author="partner", text="hi")])


async def test_large_inputs_run_in_a_worker_process(monkeypatch: pytest.MonkeyPatch) -> None:
    offloaded: list[tuple[str, str]] = []
    original = offload.run

    async def spy(function: Callable[..., Any], *args: Any, lane: offload.Lane = "review") -> Any:
        offloaded.append((function.__name__, lane))
        return await original(function, *args, lane=lane)

    monkeypatch.setattr(offload, "run", spy)
    assistant = LocalAssistant()
    big = ADVERSARIAL["5000 emoji of several kinds"]
    review = await assistant.review_draft(big, context=())
    analysis = await assistant.analyze_message(big, context=CONTEXT)
    assert offloaded == [("review_draft_sync", "review"), ("analyze_message_sync", "analysis")]
    # The worker's answers are the same functions' answers.
    assert review == review_draft_sync(big, ())
    assert analysis == analyze_message_sync(big, CONTEXT)
    await assistant.review_draft("See you at 7?", context=())
    assert len(offloaded) == 2
    review_worker, analysis_worker = (
        await offload.worker_pid(),
        await offload.worker_pid("analysis"),
    )
    assert len({review_worker, analysis_worker, os.getpid()}) == 3


def _pid_after(seconds: float) -> int:
    time.sleep(seconds)
    return os.getpid()


async def test_a_killed_worker_is_replaced_and_its_job_retried() -> None:
    first = await offload.worker_pid()
    job = asyncio.create_task(offload.run(_pid_after, 1.0))
    await asyncio.sleep(0.3)  # sequencing only: killed before or during the job, it is retried
    os.kill(first, signal.SIGKILL)
    replacement = await job
    assert replacement not in (first, os.getpid())
    assert await offload.worker_pid() not in (first, os.getpid())
    big = "😂" * 5000
    assert await LocalAssistant().analyze_message(big, context=CONTEXT) == analyze_message_sync(
        big, CONTEXT
    )


async def test_a_shut_down_pool_is_started_again_on_demand() -> None:
    before = await offload.worker_pid()
    await offload.ashutdown()
    offload.shutdown()  # twice is harmless
    after = await offload.worker_pid()
    assert after not in (before, os.getpid())
