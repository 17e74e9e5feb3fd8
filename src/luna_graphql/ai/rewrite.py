"""Rewrite a risky draft as a gentle start-up that keeps what the speaker wanted to say.

Three sources, best first:
1. a known topic in the draft ("the dishes"): a hand-written I-statement for it;
2. the speaker's own clause ("you never *call me back*"): turned into a positive request;
3. the draft's stance (stonewalling, defensiveness, contempt...): Gottman's antidote.
Every candidate is re-checked with the detectors, so Luna never suggests a line that
would itself be flagged.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from luna_graphql.ai.detectors import Detection, detect, normalise
from luna_graphql.ai.emotions import expressed_emotions
from luna_graphql.ai.lexicon import SECOND_PERSON
from luna_graphql.ai.models import Alternative, RiskAssessment
from luna_graphql.ai.phrasebook import (
    FLAW_REQUESTS,
    ISSUE_REASONS,
    SCRIPTS,
    TONE_RATIONALES,
    Script,
)
from luna_graphql.ai.scoring import HOSTILE
from luna_graphql.ai.topics import Topic, find_topic


@dataclass(frozen=True, slots=True)
class Rewrite:
    primary: str
    rationale: str
    alternatives: list[Alternative]
    need: str


@dataclass(frozen=True, slots=True)
class _Clause:
    mode: str  # "never" | "always" | "be_always" | "be_never"
    phrase: str


_CLAUSE = r"(?P<phrase>[^.!?,;:\n]+)"
_CLAUSES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (mode, re.compile(pattern.replace("'", "'?") + _CLAUSE))
    for mode, pattern in (
        ("be_always", r"\b(?:you're|you are) (?:always|constantly) "),
        ("be_never", r"\b(?:you're|you are) never "),
        ("always", r"\byou (?:always|constantly) "),
        ("never", r"\byou (?:never|don't ever|never even|don't even|won't even|didn't even) "),
        ("never", r"\bwhy (?:can't|won't|don't) you (?:ever |just )?"),
        # Any other "you <do something>": the behaviour itself, said without the verdict.
        (
            "always",
            r"\byou (?=(?:leave|forget|ignore|interrupt|spend|make|take|keep|put|use|miss"
            r"|cancel|lose|let|drink|come|go|get|bring|buy|book|check|answer|reply|text|call|sleep"
            r"|play|watch|turn|walk|talk over|laugh at)\b)",
        ),
    )
)
_FILLER = re.compile(
    r"\b(?:always|never|ever|even|again|anymore|any more|constantly|just|seriously|literally"
    r"|fucking|freaking|effing|damn|bloody|or what|at all)\b"
)
_SENTENCES = re.compile(r"(?<=[.!?])\s+|\n+")
_SWAPS = {"anything": "something", "anyone": "someone", "any": "some"}
_SWEEPING = re.compile(r"\byou(?:'re| are)? (?:always|never)\b".replace("'", "'?"))
_FEELINGS = {
    "hurt": "hurt",
    "frustrated": "frustrated",
    "overwhelmed": "overwhelmed",
    "lonely": "lonely",
    "sad": "sad",
    "anxious": "worried",
    "disappointed": "disappointed",
    "tired": "worn out",
    "angry": "upset",
}
_COMPLAINT = frozenset(
    {
        "criticism",
        "contempt",
        "name_calling",
        "sarcasm",
        "accusatory",
        "absolute",
        "sweeping",
        "escalation",
        "learned",
    }
)
_MAX_PHRASE_WORDS = 10
_FLAWS: tuple[tuple[re.Pattern[str], str, str], ...] = tuple(
    (
        re.compile(
            rf"\b(?:you'?re|you are|ur) (?:so |such an? |being |really |just )*(?:{words})\b"
        ),
        request,
        need,
    )
    for words, request, need in FLAW_REQUESTS
)


def _clause(text: str) -> _Clause | None:
    for mode, pattern in _CLAUSES:
        match = pattern.search(text)
        if match is None:
            continue
        words = [_SWAPS.get(w, w) for w in _FILLER.sub(" ", match["phrase"]).split()]
        phrase = " ".join(words[:_MAX_PHRASE_WORDS]).strip(" '\"")
        # A clause that is itself an insult or a sweep can't be turned into a request.
        if phrase and not detect(f"please {phrase}").kinds & HOSTILE:
            return _Clause(mode, phrase)
    return None


def _addressed_topic(text: str) -> Topic | None:
    """A topic the draft holds the partner to ("you never do the dishes"); a topic named only
    about oneself ("I'M TRYING TO WORK") is not a complaint about it, and a template that
    assumed it was would invent a situation."""
    addressed = [s for s in _SENTENCES.split(text) if SECOND_PERSON.search(s)]
    return find_topic(addressed)


def _flaw(text: str) -> tuple[str, str] | None:
    for pattern, request, need in _FLAWS:
        if pattern.search(text):
            return request, need
    return None


def _feeling(detection: Detection, topic: Topic | None) -> str:
    for emotion in expressed_emotions(detection.text):
        if emotion in _FEELINGS:
            return _FEELINGS[emotion]
    return topic.feeling if topic else "frustrated"


def _mode(detection: Detection) -> str:
    kinds = detection.kinds
    for severe in ("crisis", "violence", "coercion", "veiled_threat", "threat_to_leave"):
        if severe in kinds:
            return severe
    if kinds & _COMPLAINT:
        return "complaint"
    if "stonewalling" in kinds:
        return "stonewalling"
    if "defensiveness" in kinds:
        return "defensiveness"
    return "dismissive" if "known_trigger" in kinds else "general"


def _reasons(issues: Sequence[str]) -> str:
    picked = [reason for issue, reason in ISSUE_REASONS if issue in issues][:2]
    if not picked:
        return "Your draft may land harder than you mean it to."
    return f"Your draft {' and '.join(picked)}."


def _topic_texts(topic: Topic, feeling: str) -> tuple[str, dict[str, str]]:
    primary = f"I feel {feeling} when {topic.situation}. {topic.request}"
    tones = {
        "gentle": f"Hey, can we talk about {topic.noun} when you have a minute? I've been "
        f"feeling {feeling} about it and I'd love for us to sort it out together.",
        "direct": topic.ask,
        "vulnerable": f"Honestly, when {topic.situation}, I start to feel {topic.meaning}. "
        "I don't want to fight about it. I want us to be on the same side.",
        "playful": topic.playful,
    }
    return primary, tones


def _clause_texts(clause: _Clause, feeling: str) -> tuple[str, dict[str, str]]:
    p = clause.phrase
    if clause.mode in ("never", "be_never"):
        ask = f"could {p}" if clause.mode == "never" else f"were {p} more often"
        primary = f"I feel {feeling} about this, and it would mean a lot to me if you {ask}."
        tones = {
            "gentle": "Hey, can we talk about something that's been on my mind? "
            f"It would mean a lot to me if you {ask}.",
            "direct": f"I'd really like it if you {ask}. Can we agree on that?",
            "vulnerable": "Honestly, when that doesn't happen, I start to feel like I don't "
            f"matter much to you. I'd really love it if you {ask}.",
            "playful": f"Tiny request from your favourite person 💛 I'd love it if you {ask}!",
        }
    else:
        when = f"you {p}" if clause.mode == "always" else f"you're {p}"
        primary = (
            f"I feel {feeling} when {when}. Could we talk about it and find something that "
            "works for both of us?"
        )
        tones = {
            "gentle": f"Hey, can we talk about something? When {when}, I end up feeling "
            f"{feeling}, and I'd love to sort it out together.",
            "direct": f"It bothers me when {when}. Can we agree on something that works "
            "for both of us?",
            "vulnerable": f"Honestly, when {when}, I feel {feeling} and a bit alone. "
            "I don't want to fight. I want us to be on the same side.",
            "playful": f"Friendly flag 🚩😄 Can we chat about when {when}? I promise to be nice.",
        }
    return primary, tones


def _script_texts(script: Script, noun: str, feeling: str) -> tuple[str, dict[str, str]]:
    def fill(template: str) -> str:
        return template.format(noun=noun, feeling=feeling)

    tones = {
        "gentle": fill(script.gentle),
        "direct": fill(script.direct),
        "vulnerable": fill(script.vulnerable),
    }
    if script.playful is not None:
        tones["playful"] = fill(script.playful)
    return fill(script.primary), tones


def _clean(candidate: str) -> bool:
    # Our own suggestion must pass our own review: no sweeps, no horsemen.
    return not _SWEEPING.search(normalise(candidate)) and not detect(candidate).kinds & HOSTILE


def rewrite(
    detection: Detection,
    *,
    issues: Sequence[str],
    risk: RiskAssessment,
) -> Rewrite:
    """The rewrite speaks about the draft's own subject only: a topic borrowed from earlier
    messages ("Whatever." after "thanks for dinner" becoming a talk about cooking) puts words
    in the writer's mouth."""
    mode = _mode(detection)
    topic = _addressed_topic(detection.text)
    feeling = _feeling(detection, topic)
    noun = topic.noun if topic else "this"
    need = topic.need if topic else "understanding"
    clause = _clause(detection.text) if mode == "complaint" and topic is None else None

    if mode == "complaint" and topic is not None:
        primary, tones = _topic_texts(topic, feeling)
        why = "Starting with how you feel and a concrete ask keeps the conversation about "
        why += f"{topic.noun}, not about who your partner is, so it's easier to say yes."
    elif mode == "complaint" and clause is not None:
        primary, tones = _clause_texts(clause, feeling)
        why = "It keeps your request but says it as an I-statement and a positive ask, "
        why += "which your partner can agree to instead of defending against."
        need = "connection"
    elif mode == "complaint" and (flaw := _flaw(detection.text)) is not None:
        request, need = flaw
        primary = f"I'm feeling {feeling} right now. {request}"
        _, tones = _script_texts(SCRIPTS["general"], noun, feeling)
        tones["direct"] = request
        why = "A label for who your partner is invites a defence; the need underneath it "
        why += "is something they can actually respond to."
    else:
        if mode == "complaint":
            contemptuous = detection.kinds & {"contempt", "name_calling"}
            script = SCRIPTS["contempt" if contemptuous else "general"]
        else:
            script = SCRIPTS[mode]
        primary, tones = _script_texts(script, noun, feeling)
        why = script.rationale
        need = script.need

    fallback = SCRIPTS["general"]
    if not _clean(primary) or normalise(primary) == detection.text:
        primary, tones = _script_texts(fallback, noun, feeling)
    wanted = ("gentle", "direct", "playful" if risk == "risky" else "vulnerable")
    alternatives = [
        Alternative(text=tones[tone], tone=tone, rationale=TONE_RATIONALES[tone])
        for tone in dict.fromkeys(t if t in tones else "vulnerable" for t in wanted)
        if _clean(tones[tone]) and tones[tone] != primary
    ]
    return Rewrite(
        primary=primary,
        rationale=f"{_reasons(issues)} {why}",
        alternatives=alternatives,
        need=need,
    )
