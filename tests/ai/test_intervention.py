"""The sensitivity table, row by row, at and around each threshold."""

from __future__ import annotations

import pytest

from luna_graphql.services.intervention import decide_intervention

CALM = {
    "consecutive_negative": 0,
    "escalation_score": 0.0,
    "has_severe_trigger": False,
    "has_known_trigger": False,
    "has_predicted_trigger": False,
}

# (sensitivity, overrides of a calm draft, expected)
CASES = [
    # nothing wrong: never intervene
    ("low", {}, None),
    ("medium", {}, None),
    ("high", {}, None),
    # consecutive negative messages: 4+/3+/2+, a pattern-level warning
    ("low", {"consecutive_negative": 3}, None),
    ("low", {"consecutive_negative": 4}, "warning"),
    ("medium", {"consecutive_negative": 2}, None),
    ("medium", {"consecutive_negative": 3}, "warning"),
    ("high", {"consecutive_negative": 1}, None),
    ("high", {"consecutive_negative": 2}, "warning"),
    # escalation score: strictly above 0.8/0.6/0.4, a rewrite of this draft
    ("low", {"escalation_score": 0.8}, None),
    ("low", {"escalation_score": 0.81}, "reframe"),
    ("medium", {"escalation_score": 0.6}, None),
    ("medium", {"escalation_score": 0.61}, "reframe"),
    ("high", {"escalation_score": 0.4}, None),
    ("high", {"escalation_score": 0.41}, "reframe"),
    ("high", {"escalation_score": 1.0}, "reframe"),
    # severe triggers count everywhere and always warn
    ("low", {"has_severe_trigger": True}, "warning"),
    ("medium", {"has_severe_trigger": True}, "warning"),
    ("high", {"has_severe_trigger": True}, "warning"),
    ("low", {"has_severe_trigger": True, "escalation_score": 0.95}, "warning"),
    # known triggers: medium and high only
    ("low", {"has_known_trigger": True}, None),
    ("medium", {"has_known_trigger": True}, "reframe"),
    ("high", {"has_known_trigger": True}, "reframe"),
    # predicted triggers: high only
    ("low", {"has_predicted_trigger": True}, None),
    ("medium", {"has_predicted_trigger": True}, None),
    ("high", {"has_predicted_trigger": True}, "reframe"),
    # a draft-level problem in a tense exchange is still best met with a rewrite
    ("medium", {"consecutive_negative": 5, "has_known_trigger": True}, "reframe"),
    ("low", {"consecutive_negative": 5, "escalation_score": 0.9}, "reframe"),
    # below every threshold at once
    ("low", {"consecutive_negative": 3, "escalation_score": 0.8, "has_known_trigger": True}, None),
]


@pytest.mark.parametrize(("sensitivity", "overrides", "expected"), CASES)
def test_sensitivity_table(
    sensitivity: str, overrides: dict[str, object], expected: str | None
) -> None:
    kwargs = {**CALM, **overrides}
    assert decide_intervention(sensitivity=sensitivity, **kwargs) == expected  # type: ignore[arg-type]


def test_higher_sensitivity_never_intervenes_less() -> None:
    order = ["low", "medium", "high"]
    for overrides in ({"consecutive_negative": n} for n in range(6)):
        results = [
            decide_intervention(sensitivity=s, **{**CALM, **overrides}) is not None  # type: ignore[arg-type]
            for s in order
        ]
        assert results == sorted(results)
    for score in (0.0, 0.3, 0.5, 0.7, 0.9):
        results = [
            decide_intervention(sensitivity=s, **{**CALM, "escalation_score": score}) is not None  # type: ignore[arg-type]
            for s in order
        ]
        assert results == sorted(results)


@pytest.mark.parametrize(
    "overrides",
    [{"escalation_score": 1.5}, {"escalation_score": -0.1}, {"consecutive_negative": -1}],
)
def test_rejects_out_of_range_inputs(overrides: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        decide_intervention(sensitivity="medium", **{**CALM, **overrides})  # type: ignore[arg-type]


def test_rejects_unknown_sensitivity() -> None:
    with pytest.raises(ValueError):
        decide_intervention(sensitivity="extreme", **CALM)  # type: ignore[arg-type]
