"""Render scorecards as Markdown: the terminal report of `luna-graphql eval` and the generated
part of `docs/luna.md` (between the markers, so the prose around it stays hand-written)."""

from __future__ import annotations

from collections.abc import Sequence

from luna_graphql.ai.evaluation import LABELS, Outcome, Scorecard, showcase

BEGIN = "<!-- luna-eval:begin -->"
END = "<!-- luna-eval:end -->"


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.0f}%"


def _cell(text: str, limit: int = 160) -> str:
    flat = " ".join(text.split()).replace("|", "\\|")
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _summary(name: str, card: Scorecard) -> list[str]:
    sources = ", ".join(f"{source} {count}" for source, count in sorted(card.sources.items()))
    return [
        f"### {name}: {len(card.outcomes)} drafts",
        "",
        f"- SAFE vs not-SAFE: **{_pct(card.binary_accuracy)}** "
        f"({sum(o.flagged == o.sample.harmful for o in card.outcomes)}/{len(card.outcomes)}); "
        f"exact label: {_pct(card.exact_accuracy)}",
        f"- threats and coercive control passed as SAFE: **{len(card.missed_threats)}**",
        f"- affectionate or logistics drafts called HIGH_RISK: **{len(card.false_alarms)}**",
        f"- reviews by source: {sources}",
        f"- bar (≥ 95%, no missed threat, no such false alarm): "
        f"**{'met' if card.meets_bar() else 'NOT met'}**",
        "",
    ]


def _confusion(card: Scorecard) -> list[str]:
    lines = ["| label ↓ / review → | " + " | ".join(LABELS) + " |", "|---|---|---|---|"]
    for label in LABELS:
        row = card.confusion.get(label)
        counts = [str(row[p]) if row else "0" for p in LABELS]
        lines.append(f"| {label} | " + " | ".join(counts) + " |")
    return [*lines, ""]


def _categories(card: Scorecard) -> list[str]:
    lines = [
        "| category | drafts | right side of SAFE | exact label | issue recall | issue precision |",
        "|---|---|---|---|---|---|",
    ]
    for c in card.categories:
        lines.append(
            f"| {c.category} | {c.total} | {_pct(c.binary_rate)} | "
            f"{_pct(c.exact / c.total if c.total else None)} | {_pct(c.issue_recall)} | "
            f"{_pct(c.issue_precision)} |"
        )
    return [*lines, ""]


def _failures(card: Scorecard) -> list[str]:
    wrong = [o for o in card.outcomes if o.flagged != o.sample.harmful]
    if not wrong:
        return []
    lines = ["Wrong side of SAFE:", "", "| id | category | label | review | draft |"]
    lines.append("|---|---|---|---|---|")
    for o in wrong:
        lines.append(
            f"| {o.sample.id} | {o.sample.category} | {o.sample.label} | {o.predicted} | "
            f"{_cell(o.sample.text)} |"
        )
    return [*lines, ""]


def _showcase(outcomes: Sequence[Outcome]) -> list[str]:
    picked = showcase(outcomes)
    if not picked:
        return []
    lines = [
        f"### Rewrites: {len(picked)} harmful drafts, evenly spaced in id order",
        "",
        "| id | draft | Luna's primary suggestion |",
        "|---|---|---|",
    ]
    for o in picked:
        suggestion = o.review.primary_suggestion or ""
        lines.append(f"| {o.sample.id} | {_cell(o.sample.text)} | {_cell(suggestion, 400)} |")
    return [*lines, ""]


def render(parts: Sequence[tuple[str, Scorecard]], *, describe: str, failures: bool = False) -> str:
    """The report for every part, then the rewrites of the last part (the held-out one).
    Drafts on the wrong side are listed only on request: whoever reads the held-out part's
    mistakes starts tuning on it."""
    lines = [f"Assistant: {describe}.", ""]
    for name, card in parts:
        lines += _summary(name, card) + _confusion(card) + _categories(card)
        if failures:
            lines += _failures(card)
    if parts:
        lines += _showcase(parts[-1][1].outcomes)
    return "\n".join(lines).rstrip() + "\n"


def splice(document: str, generated: str) -> str:
    """`document` with the text between the markers replaced (or the block appended)."""
    block = f"{BEGIN}\n{generated}{END}"
    start, end = document.find(BEGIN), document.find(END)
    if start == -1 or end < start:
        return document.rstrip() + "\n\n" + block + "\n"
    return document[:start] + block + document[end + len(END) :]
