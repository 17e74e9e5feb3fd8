"""When Luna steps in on a draft, and how: pure policy, no I/O.

The thresholds are the preference `intervention_sensitivity` from the design:

| sensitivity | consecutive negative | escalation score | triggers that count        |
|-------------|----------------------|------------------|----------------------------|
| low         | 4 or more            | above 0.8        | severe only                |
| medium      | 3 or more            | above 0.6        | severe and known           |
| high        | 2 or more            | above 0.4        | severe, known and predicted|

Which kind of intervention:

- ``"warning"`` is a pause: "this could really hurt; take a breath before sending". It is
  used when (a) a severe trigger is present (contempt, a threat to leave or harm,
  self-harm), because rewording doesn't make those safe and Gottman's advice for them is to
  stop and self-soothe first; or (b) only the *conversation* crossed the line (a streak of
  negative messages) while this draft on its own did not, because then there is nothing
  in the draft to rephrase; the useful nudge is about the exchange as a whole.
- ``"reframe"`` offers a rewrite of this draft. It is used when the draft itself carries
  the problem (a counted trigger, or its escalation score is over the threshold), so an
  I-statement version of the same message is the most helpful thing to show.
- ``None``: nothing crossed the chosen sensitivity; the draft goes through untouched.

A severe trigger is a warning at every sensitivity: "low" means "only obvious issues",
and a severe trigger is the most obvious issue there is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Sensitivity = Literal["low", "medium", "high"]
Intervention = Literal["warning", "reframe"]


@dataclass(frozen=True, slots=True)
class Thresholds:
    consecutive_negative: int  # at least this many in a row
    escalation_score: float  # strictly above this
    known_triggers_count: bool
    predicted_triggers_count: bool


THRESHOLDS: dict[Sensitivity, Thresholds] = {
    "low": Thresholds(4, 0.8, known_triggers_count=False, predicted_triggers_count=False),
    "medium": Thresholds(3, 0.6, known_triggers_count=True, predicted_triggers_count=False),
    "high": Thresholds(2, 0.4, known_triggers_count=True, predicted_triggers_count=True),
}


def decide_intervention(
    *,
    sensitivity: Sensitivity,
    consecutive_negative: int,
    escalation_score: float,
    has_severe_trigger: bool,
    has_known_trigger: bool,
    has_predicted_trigger: bool,
) -> Intervention | None:
    """Decide whether Luna intervenes on a draft, and whether to warn or to reframe.

    `consecutive_negative` is the number of negative messages in a row that end the
    conversation so far, as counted by the caller; `escalation_score` is the draft's
    score in [0, 1] from the assistant's review.
    """
    if sensitivity not in THRESHOLDS:
        raise ValueError(f"unknown sensitivity: {sensitivity!r}")
    if consecutive_negative < 0:
        raise ValueError("consecutive_negative cannot be negative")
    if not 0.0 <= escalation_score <= 1.0:
        raise ValueError("escalation_score must be within [0, 1]")
    limits = THRESHOLDS[sensitivity]

    if has_severe_trigger:
        return "warning"
    trigger_counts = (has_known_trigger and limits.known_triggers_count) or (
        has_predicted_trigger and limits.predicted_triggers_count
    )
    if trigger_counts or escalation_score > limits.escalation_score:
        return "reframe"
    if consecutive_negative >= limits.consecutive_negative:
        return "warning"
    return None
