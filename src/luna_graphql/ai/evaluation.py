"""Score an assistant on a labelled corpus of drafts (`eval/*.jsonl`): how Luna is judged.

A corpus line is one draft with its label (SAFE, RISKY, HIGH_RISK), the category it was
written for and, sometimes, the conversation before it. The figures that matter are the ones
a couple feels: a harmful draft passed as SAFE, and an affectionate or practical one called
HIGH_RISK. The bar (see `meets_bar`) is checked on the held-out part, which is never tuned on.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final, Literal, cast

from luna_graphql.ai.assistant import Assistant
from luna_graphql.ai.models import ContextMessage, DraftReview

Label = Literal["SAFE", "RISKY", "HIGH_RISK"]
LABELS: Final[tuple[Label, ...]] = ("SAFE", "RISKY", "HIGH_RISK")

SAFE_CATEGORIES: Final = (
    "affection",
    "logistics",
    "neutral",
    "playful_teasing",
    "calm_complaint",
    "repair_attempt",
    "venting_third_party",
    "negation",
    "quoted_speech",
    "sad_support",
)
HARMFUL_CATEGORIES: Final = (
    "criticism",
    "contempt",
    "defensiveness",
    "stonewalling",
    "passive_aggression",
    "absolutes",
    "threat_to_leave",
    "veiled_threat",
    "threat_of_harm",
    "coercive_control",
    "escalation",
)
# A threat or coercion passed as SAFE is the worst miss Luna can make: none is allowed.
MUST_FLAG: Final = frozenset(
    {"threat_to_leave", "veiled_threat", "threat_of_harm", "coercive_control"}
)
# Calling love or a grocery list HIGH_RISK is the false alarm that makes people turn Luna off.
NEVER_HIGH_RISK: Final = frozenset({"affection", "logistics"})
BINARY_BAR: Final = 0.95

# The issues a review names for each category: what per-category precision and recall count.
CATEGORY_ISSUES: Final[dict[str, frozenset[str]]] = {
    "criticism": frozenset({"gottman_criticism"}),
    "contempt": frozenset({"gottman_contempt", "name_calling"}),
    "defensiveness": frozenset({"gottman_defensiveness"}),
    "stonewalling": frozenset({"gottman_stonewalling"}),
    "passive_aggression": frozenset({"sarcasm"}),
    "absolutes": frozenset({"absolute_language"}),
    "threat_to_leave": frozenset({"threat_to_leave"}),
    "veiled_threat": frozenset({"veiled_threat"}),
    "threat_of_harm": frozenset({"threat_of_harm"}),
    "coercive_control": frozenset({"coercive_control"}),
    "escalation": frozenset({"escalation_pattern", "name_calling"}),
}


class CorpusError(ValueError):
    """A corpus line that does not follow the format (the message names the line)."""


@dataclass(frozen=True, slots=True)
class Sample:
    id: str
    text: str
    label: Label
    category: str
    context: tuple[ContextMessage, ...] = ()

    @property
    def harmful(self) -> bool:
        return self.label != "SAFE"


@dataclass(frozen=True, slots=True)
class Outcome:
    sample: Sample
    review: DraftReview

    @property
    def predicted(self) -> Label:
        return cast(Label, self.review.risk_assessment.upper())

    @property
    def flagged(self) -> bool:
        return self.predicted != "SAFE"


def _sample(raw: object, where: str) -> Sample:
    if not isinstance(raw, dict):
        raise CorpusError(f"{where}: not a JSON object")
    label, category = raw.get("label"), raw.get("category")
    if label not in LABELS:
        raise CorpusError(f"{where}: label must be one of {', '.join(LABELS)}")
    if category not in SAFE_CATEGORIES + HARMFUL_CATEGORIES:
        raise CorpusError(f"{where}: unknown category {category!r}")
    if (label == "SAFE") != (category in SAFE_CATEGORIES):
        raise CorpusError(f"{where}: category {category} does not fit label {label}")
    text, ident = raw.get("text"), raw.get("id")
    if not isinstance(text, str) or not text.strip() or not isinstance(ident, str):
        raise CorpusError(f"{where}: id and text must be non-empty strings")
    try:
        context = tuple(ContextMessage.model_validate(m) for m in raw.get("context") or ())
    except ValueError as exc:
        raise CorpusError(f"{where}: bad context") from exc
    return Sample(ident, text, cast(Label, label), cast(str, category), context)


def load_corpus(paths: Iterable[Path]) -> list[Sample]:
    samples: list[Sample] = []
    seen: set[str] = set()
    for path in paths:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            where = f"{path.name}:{number}"
            try:
                raw = json.loads(line)
            except json.JSONDecodeError as exc:
                raise CorpusError(f"{where}: not JSON") from exc
            sample = _sample(raw, where)
            if sample.id in seen:
                raise CorpusError(f"{where}: duplicate id {sample.id}")
            seen.add(sample.id)
            samples.append(sample)
    return samples


async def review_corpus(assistant: Assistant, samples: Sequence[Sample]) -> list[Outcome]:
    # One at a time: a model endpoint is rate limited, and the order keeps runs comparable.
    return [
        Outcome(sample, await assistant.review_draft(sample.text, context=sample.context))
        for sample in samples
    ]


@dataclass(frozen=True, slots=True)
class CategoryScore:
    category: str
    total: int
    correct_binary: int  # SAFE kept SAFE, or harmful flagged
    exact: int  # the very label
    issue_hits: int  # drafts of the category whose review names one of its issues
    issue_claims: int  # drafts of any category whose review names one of them
    has_issues: bool  # SAFE categories have no issue of their own

    @property
    def binary_rate(self) -> float:
        return self.correct_binary / self.total if self.total else 0.0

    @property
    def issue_recall(self) -> float | None:
        return self.issue_hits / self.total if self.has_issues and self.total else None

    @property
    def issue_precision(self) -> float | None:
        return self.issue_hits / self.issue_claims if self.issue_claims else None


@dataclass(frozen=True, slots=True)
class Scorecard:
    outcomes: list[Outcome]
    confusion: dict[Label, Counter[Label]] = field(default_factory=dict)
    categories: list[CategoryScore] = field(default_factory=list)

    @property
    def binary_accuracy(self) -> float:
        right = sum(o.flagged == o.sample.harmful for o in self.outcomes)
        return right / len(self.outcomes) if self.outcomes else 0.0

    @property
    def exact_accuracy(self) -> float:
        right = sum(o.predicted == o.sample.label for o in self.outcomes)
        return right / len(self.outcomes) if self.outcomes else 0.0

    @property
    def missed_threats(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.sample.category in MUST_FLAG and not o.flagged]

    @property
    def false_alarms(self) -> list[Outcome]:
        """Affectionate or logistics drafts called HIGH_RISK."""
        return [
            o
            for o in self.outcomes
            if o.sample.category in NEVER_HIGH_RISK and o.predicted == "HIGH_RISK"
        ]

    @property
    def sources(self) -> Counter[str]:
        return Counter(o.review.source for o in self.outcomes)

    def meets_bar(self) -> bool:
        return (
            self.binary_accuracy >= BINARY_BAR and not self.missed_threats and not self.false_alarms
        )


def _category_score(category: str, outcomes: Sequence[Outcome]) -> CategoryScore:
    mine = [o for o in outcomes if o.sample.category == category]
    issues = CATEGORY_ISSUES.get(category, frozenset())
    names = [o for o in outcomes if issues & set(o.review.detected_issues)]
    return CategoryScore(
        category=category,
        total=len(mine),
        correct_binary=sum(o.flagged == o.sample.harmful for o in mine),
        exact=sum(o.predicted == o.sample.label for o in mine),
        issue_hits=sum(o.sample.category == category for o in names),
        issue_claims=len(names),
        has_issues=bool(issues),
    )


def score(outcomes: list[Outcome]) -> Scorecard:
    confusion: dict[Label, Counter[Label]] = {label: Counter() for label in LABELS}
    for outcome in outcomes:
        confusion[outcome.sample.label][outcome.predicted] += 1
    present = {o.sample.category for o in outcomes}
    categories = [
        _category_score(c, outcomes) for c in SAFE_CATEGORIES + HARMFUL_CATEGORIES if c in present
    ]
    return Scorecard(outcomes=outcomes, confusion=confusion, categories=categories)


def showcase(outcomes: Sequence[Outcome], *, count: int = 20) -> list[Outcome]:
    """The rewrites shown in docs: `count` harmful drafts evenly spaced in id order (a fixed
    rule, so nobody picks the flattering ones)."""
    rewritten = sorted(
        (o for o in outcomes if o.sample.harmful and o.review.primary_suggestion),
        key=lambda o: o.sample.id,
    )
    if len(rewritten) <= count:
        return rewritten
    return [rewritten[i * len(rewritten) // count] for i in range(count)]
