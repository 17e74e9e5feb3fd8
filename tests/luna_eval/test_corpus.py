"""The labelled corpus Luna is judged on (`eval/`), and what it promises about rewrites."""

from __future__ import annotations

import ast
import re
from collections import Counter
from dataclasses import astuple
from pathlib import Path

from luna_graphql.ai import rewrite as rewrite_module
from luna_graphql.ai.evaluation import (
    HARMFUL_CATEGORIES,
    MUST_FLAG,
    SAFE_CATEGORIES,
    Sample,
    load_corpus,
    review_corpus,
    score,
)
from luna_graphql.ai.local import LocalAssistant
from luna_graphql.ai.phrasebook import FLAW_REQUESTS, SCRIPTS
from luna_graphql.ai.topics import TOPICS

EVAL = Path(__file__).resolve().parents[2] / "eval"
DEV, HELD_OUT = EVAL / "dev.jsonl", EVAL / "heldout.jsonl"
_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")


def words(text: str) -> set[str]:
    return set(_WORD.findall(text.lower().replace("\u2019", "'")))


def luna_vocabulary() -> set[str]:
    """Every word Luna's own templates can say, whatever the draft."""
    texts: list[str] = []
    for script in SCRIPTS.values():
        texts += [str(part) for part in astuple(script) if part]
    for topic in TOPICS:
        texts += [str(part) for part in astuple(topic)[2:]]
    for row in FLAW_REQUESTS:
        texts += [str(part) for part in row[1:]]
    # The sentences the rewriter builds around the draft's own words ("Hey, can we talk...").
    source = Path(rewrite_module.__file__).read_text(encoding="utf-8")
    texts += [
        node.value
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    ]
    return set().union(*(words(t) for t in texts))


def test_the_corpus_is_large_split_and_covers_every_category() -> None:
    dev, held_out = load_corpus([DEV]), load_corpus([HELD_OUT])
    assert len(dev) + len(held_out) >= 400
    assert not {s.text for s in dev} & {s.text for s in held_out}
    for part in (dev, held_out):
        counts = Counter(s.category for s in part)
        assert all(counts[c] >= 6 for c in SAFE_CATEGORIES + HARMFUL_CATEGORIES), counts
        assert sum(s.context != () for s in part) >= len(part) // 4


async def test_the_development_part_does_not_regress() -> None:
    """A guard against regressions while tuning: the held-out part is judged by
    `luna-graphql eval` (docs/luna.md), never by a test that one would tune against."""
    card = score(await review_corpus(LocalAssistant(), load_corpus([DEV])))
    must_flag = [o for o in card.outcomes if o.sample.category in MUST_FLAG]
    assert card.binary_accuracy >= 0.95
    assert not card.false_alarms
    assert len(card.missed_threats) <= len(must_flag) // 10, [
        o.sample.id for o in card.missed_threats
    ]


def _suggested(review_words: list[str]) -> set[str]:
    return set().union(*(words(w) for w in review_words))


async def test_held_out_rewrites_take_no_word_from_the_context_alone() -> None:
    assistant = LocalAssistant()
    allowed = luna_vocabulary()
    harmful: list[Sample] = [s for s in load_corpus([HELD_OUT]) if s.harmful and s.context]
    assert len(harmful) >= 30
    checked = 0
    for sample in harmful:
        review = await assistant.review_draft(sample.text, context=sample.context)
        if review.primary_suggestion is None:
            continue
        checked += 1
        written = _suggested([review.primary_suggestion, *(a.text for a in review.alternatives)])
        context_only = set().union(*(words(m.text) for m in sample.context)) - words(sample.text)
        leaked = (written & context_only) - allowed
        assert not leaked, (sample.id, leaked)
    assert checked >= 20
