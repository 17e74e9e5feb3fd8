"""Phrase patterns behind the local detectors (data only; matching lives in `detectors`).

Patterns are written against normalised text (lower case, straight apostrophes). An
apostrophe in a pattern is optional, because people type "dont", "youre" and "im" as often
as "don't", "you're" and "I'm".

Each marker names the kind of problem it is evidence for and, when it is a phrase partners
commonly report as a trigger, the canonical trigger label that analysis stores. A `gate`
narrows a phrase that is also used kindly ("you always make me laugh", "I'm done with
work") to the contexts in which it hurts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from typing import Literal

Kind = Literal[
    "criticism",
    "contempt",
    "name_calling",
    "sarcasm",
    "defensiveness",
    "stonewalling",
    "threat_to_leave",
    "accusatory",
    "absolute",
    "known_trigger",
    "escalation",
    "violence",
    "veiled_threat",
    "coercion",
    "sweeping",
    "learned",
    "crisis",
]


class Gate(Enum):
    NONE = "none"
    # Only counts in a clause that is not clearly warm ("you always make me smile").
    NOT_POSITIVE = "not_positive"
    # Only counts in a message that is not warm overall: "are you kidding me?! that's amazing
    # news!!!" is excitement, "poor baby, feel better soon 😘" is sympathy.
    MESSAGE_NOT_POSITIVE = "message_not_positive"
    # Only counts when aimed at the partner: the sentence addresses "you" or is a bare
    # retort ("Pathetic."). "I'm such an idiot" or "this pizza is disgusting" are not contempt.
    AT_PARTNER = "at_partner"
    # Only counts in a message without laughter or affection: "keep stealing the duvet and
    # see what happens 😈😂" is a game, the same words without them are a warning.
    NOT_PLAYFUL = "not_playful"
    # Only counts after a condition: "I'm gone" is news, "one more time and I'm gone" is an
    # ultimatum.
    AFTER_CONDITION = "after_condition"


@dataclass(frozen=True, slots=True)
class Marker:
    kind: Kind
    pattern: re.Pattern[str]
    trigger: str | None = None
    gate: Gate = Gate.NONE
    severe: bool = False


# A sentence-like boundary: start of text or just after ., ! or ?.
_START = r"(?:^|(?<=[.!?\n])\s*)"
# Ends a short utterance: only punctuation or emoji-free end of text may follow.
_END = r"\s*(?:[.!]+|$)"
_YOU_ARE = r"(?:you're|you are|ur|u r)"
# The partner, as every lexicon module spells them.
YOU, YOUR, YOU_ARE = r"(?:you|u)", r"(?:your|ur)", _YOU_ARE

# Insults that are one whether or not "are" is said: "you idiot" as much as "you're an idiot".
INSULTS = (
    r"idiot|moron|loser|jerk|asshole|bitch|bastard|dick|prick|dumbass|slob|pig|psycho"
    r"|clown|coward|liar|narcissist"
)
# Only insults with a verb ("you're such a baby"): "love you baby" is an endearment.
INSULTS_WITH_VERB = INSULTS + r"|failure|disappointment|joke|child|baby"
CHARACTER_FLAWS = (
    r"selfish|lazy|inconsiderate|careless|irresponsible|immature|childish|thoughtless"
    r"|clueless|hopeless|useless|unreliable|impossible|insensitive|heartless|self[- ]centered"
    r"|stupid|dumb|worthless|pathetic|disgusting"
)
_INTENSIFIERS = r"(?:(?:such|so|a|an|being|just|really|total|totally|complete|completely"
_INTENSIFIERS += r"|absolute|absolutely|the|biggest|fucking|freaking|damn)\s+)*"


def phrase(pattern: str) -> re.Pattern[str]:
    """A pattern in which every apostrophe is optional ("dont" as much as "don't")."""
    return re.compile(pattern.replace("'", "'?"))


_p = phrase


def marker(
    kind: Kind,
    pattern: str,
    *,
    trigger: str | None = None,
    gate: Gate = Gate.NONE,
    severe: bool = False,
) -> Marker:
    return Marker(kind, _p(pattern), trigger=trigger, gate=gate, severe=severe)


_m = marker


MARKERS: tuple[Marker, ...] = (
    # --- criticism: a complaint turned into a verdict on the person -------------------
    _m("criticism", r"\byou (?:always|constantly)\b", trigger="you always", gate=Gate.NOT_POSITIVE),
    _m("criticism", r"\byou never\b", trigger="you never", gate=Gate.NOT_POSITIVE),
    _m(
        "criticism",
        rf"\b{_YOU_ARE} (?:always|constantly)\b",
        trigger="you always",
        gate=Gate.NOT_POSITIVE,
    ),
    _m("criticism", rf"\b{_YOU_ARE} never\b", trigger="you never", gate=Gate.NOT_POSITIVE),
    _m(
        "criticism",
        r"\bwhat(?:'s| is)(?: the hell| the fuck| on earth)? (?:wrong|the matter) with you\b",
        trigger="what's wrong with you",
    ),
    _m(
        "criticism", rf"\b{_YOU_ARE} {_INTENSIFIERS}(?:{CHARACTER_FLAWS})\b", gate=Gate.NOT_POSITIVE
    ),
    _m("criticism", r"\byou only (?:ever )?(?:think|care) about yourself\b"),
    _m("criticism", r"\ball you (?:ever )?(?:do|care about) is\b"),
    _m("criticism", r"\b(?:so|how|that's|this is) typical\b|\btypical (?:you|of you)\b"),
    _m("criticism", r"\bwhy (?:can't|won't|don't) you (?:ever|just)\b", gate=Gate.NOT_POSITIVE),
    _m("criticism", r"\bwhy (?:do|would|must) you always\b", trigger="you always"),
    _m("criticism", r"\bi hate (?:it )?when you\b"),
    _m(
        "criticism",
        r"\b(?:just )?like your (?:mother|father|mom|dad|mum)\b",
        trigger="just like your parent",
    ),
    # --- contempt: superiority, mockery, disgust ------------------------------------
    # Gated on warmth so banter ("you're such an idiot 😂 love you") is not read as contempt.
    _m(
        "name_calling",
        rf"\b(?:you|ur|u) {_INTENSIFIERS}(?:{INSULTS})s?\b",
        trigger="name-calling",
        gate=Gate.NOT_POSITIVE,
        severe=True,
    ),
    _m(
        "name_calling",
        rf"\b{_YOU_ARE} {_INTENSIFIERS}(?:{INSULTS_WITH_VERB})s?\b",
        trigger="name-calling",
        gate=Gate.NOT_POSITIVE,
        severe=True,
    ),
    _m(
        "name_calling",
        rf"\b(?:what|such) an? {_INTENSIFIERS}(?:{INSULTS})\b",
        trigger="name-calling",
        gate=Gate.AT_PARTNER,
        severe=True,
    ),
    _m("contempt", r"\b(?:pathetic|disgusting|despicable|laughable)\b", gate=Gate.AT_PARTNER),
    _m("contempt", r"\byou (?:disgust me|make me sick|repulse me)\b", severe=True),
    _m("contempt", r"\bi hate you\b", trigger="i hate you", severe=True),
    _m("contempt", r"\b(?:sick of you|can't stand you)\b", severe=True),
    _m(
        "contempt",
        r"\bwho (?:would|could) (?:ever|even) (?:love|want|stand|put up with) you\b",
        severe=True,
    ),
    _m(
        "contempt", r"\bi can't believe i (?:married|ended up with|chose|picked) you\b", severe=True
    ),
    _m(
        "contempt",
        r"\b(?:grow up|get a life|get over yourself|(?<!and )(?<!to )shut up|screw you)\b",
        gate=Gate.NOT_POSITIVE,
    ),
    _m(
        "contempt",
        r"\b(?:fuck|f\*+k|f\*+) (?:you|off)\b",
        trigger="swearing at partner",
        severe=True,
    ),
    _m(
        "contempt",
        r"🙄|\*\s*(?:eye ?roll|rolls? (?:my )?eyes)\s*\*|\beye ?roll\b|\bsmh\b",
        gate=Gate.NOT_PLAYFUL,
    ),
    _m("contempt", r"\b(?:boo ?hoo|cry me a river|pfft+)\b"),
    _m("contempt", r"\bpoor (?:baby|you|thing)\b", gate=Gate.MESSAGE_NOT_POSITIVE),
    _m("contempt", r"\bnot everything is about you\b"),
    # --- sarcasm: hostility in a polite costume --------------------------------------
    _m("sarcasm", r"\bthanks for nothing\b"),
    _m("sarcasm", r"\byeah,? right\b"),
    _m("sarcasm", r"\bsure you (?:did|do|will|are|were|would|can)\b"),
    _m("sarcasm", r"\bmust be nice\b"),
    _m("sarcasm", r"\b(?:real|very|so) mature\b"),
    _m("sarcasm", r"\b(?:nice going|well done|good job|way to go),? (?:genius|einstein)\b"),
    _m("sarcasm", r"\b(?:what a|big) surprise\b|\bshocker\b"),
    _m("sarcasm", r"\b(?:gee|well),? thanks\b"),
    _m("sarcasm", r"\bslow clap\b|\bwow,? just wow\b"),
    # --- defensiveness: warding off blame instead of hearing the complaint -------------
    _m("defensiveness", r"\bnot my fault\b", trigger="it's not my fault"),
    _m("defensiveness", r"\bi (?:didn't|haven't) (?:even )?do(?:ne)? anything\b"),
    _m("defensiveness", r"\bi did nothing wrong\b"),
    _m(
        "defensiveness",
        _START + r"(?:well|ok but|okay but|yeah but|but),? you\b",
        gate=Gate.NOT_POSITIVE,
    ),
    _m("defensiveness", r"\bwhat about (?:you|when you|the time you)\b"),
    _m("defensiveness", r"\b(?:you're one to talk|look who's talking|you started it)\b"),
    _m("defensiveness", r"\b(?:don't|stop) blam(?:e|ing) (?:me|this on me)\b"),
    _m("defensiveness", r"\bwhy is (?:it|everything) (?:always )?my fault\b"),
    _m("defensiveness", r"\bso (?:it's|everything is|now it's) my fault\b"),
    _m("defensiveness", r"\bi'm not the (?:one who|problem)\b|\byou're the one who\b"),
    _m("defensiveness", r"\bhow (?:was|am|were) i supposed to know\b"),
    # --- stonewalling: shutting the conversation down ---------------------------------
    _m("stonewalling", _START + r"whatever\s*(?:[.!,]|$)", trigger="whatever"),
    _m(
        "stonewalling",
        r"\bwhatever you say\b|\b(?:ok|okay|fine|yeah|sure),? whatever\b"
        r"(?! (?:works|you (?:want|like|prefer|need|think)|is (?:easiest|best|fine)))",
        trigger="whatever",
    ),
    _m(
        "stonewalling",
        r"\bi(?:'m| am) (?:so |just |completely |totally )?done"
        r"(?:\s+with\s+(?:this|it|talking|trying|arguing|everything|this conversation))?" + _END,
    ),
    _m("stonewalling", r"\bleave me alone\b|\bgo away" + _END),
    _m("stonewalling", r"\b(?:don't|stop) (?:talk|text|call)(?:ing)? (?:to )?me\b"),
    _m("stonewalling", r"\bi don't want to (?:talk|hear)\b|\bi'm not (?:talking|discussing)\b"),
    _m("stonewalling", r"\bthis conversation is over\b|\bi have nothing (?:more |else )?to say\b"),
    _m(
        "stonewalling",
        r"\bi (?:don't|do not) care(?:\s+(?:anymore|any more|what you (?:think|do|say|want)"
        r"|about (?:you|this|us|it)))?" + _END,
        trigger="i don't care",
    ),
    _m("stonewalling", r"^\s*(?:fine|k)\s*[.!]*\s*$", trigger="fine."),
    _m(
        "stonewalling",
        r"\bfine,?\s+(?:whatever|do what you want|be that way|have it your way)\b",
        trigger="fine.",
    ),
    _m("stonewalling", _START + r"(?:just )?forget it" + _END),
    # --- threats to leave: the relationship itself is put on the table -----------------
    _m(
        "threat_to_leave",
        r"\b(?:i want|i'm getting|let's get|we should get) (?:a )?divorced?\b",
        trigger="threat to leave",
        gate=Gate.NOT_PLAYFUL,
        severe=True,
    ),
    _m(
        "threat_to_leave",
        r"\bi(?:'m| am) (?:leaving|divorcing|dumping) you\b",
        trigger="threat to leave",
        gate=Gate.NOT_PLAYFUL,
        severe=True,
    ),
    _m(
        "threat_to_leave",
        r"\bi(?:'m| am) moving out\b",
        trigger="threat to leave",
        gate=Gate.NOT_PLAYFUL,
        severe=True,
    ),
    _m(
        "threat_to_leave",
        r"\b(?:we're|we are) (?:so )?(?:done|through|finished|over)" + _END,
        trigger="threat to leave",
        gate=Gate.NOT_PLAYFUL,
        severe=True,
    ),
    _m(
        "threat_to_leave",
        r"\b(?:it's|this is) over(?: between us)?" + _END,
        trigger="threat to leave",
        gate=Gate.NOT_PLAYFUL,
        severe=True,
    ),
    _m(
        "threat_to_leave",
        r"\bit's over between us\b",
        trigger="threat to leave",
        gate=Gate.NOT_PLAYFUL,
        severe=True,
    ),
    _m(
        "threat_to_leave",
        r"\b(?:i want to|let's|we should|maybe we should|i think we should|i'm going to|i'll)"
        r" (?:just )?(?:break up(?! (?:the|this|that|a|an|our|my|your) (?!relationship|marriage)\w)"
        r"|split up|separate|end (?:this|it|things|us))\b",
        trigger="threat to leave",
        gate=Gate.NOT_PLAYFUL,
        severe=True,
    ),
    _m(
        "threat_to_leave",
        r"\bi(?:'m| am) (?:so )?done with (?:you|us|this relationship)\b",
        trigger="threat to leave",
        gate=Gate.NOT_PLAYFUL,
        severe=True,
    ),
    _m(
        "threat_to_leave",
        r"\bi can't do this anymore\b",
        trigger="threat to leave",
        gate=Gate.NOT_PLAYFUL,
        severe=True,
    ),
    _m(
        "threat_to_leave",
        r"\b(?:pack your (?:bags|stuff|things)|find someone else|see other people"
        r"|get out of my (?:house|life|apartment))\b",
        trigger="threat to leave",
        gate=Gate.NOT_PLAYFUL,
        severe=True,
    ),
    _m(
        "threat_to_leave",
        r"\bi should(?:'ve| have) (?:left you|never married you)\b",
        trigger="threat to leave",
        gate=Gate.NOT_PLAYFUL,
        severe=True,
    ),
    # --- accusatory you-statements ----------------------------------------------------
    _m("accusatory", r"(?<!not )(?<!isn\x27t )(?<!wasn\x27t )(?<!never )\byour fault\b"),
    _m("accusatory", r"\b(?:because of you|thanks to you)\b", gate=Gate.NOT_POSITIVE),
    _m("accusatory", r"\byou made me\b", gate=Gate.NOT_POSITIVE),
    _m("accusatory", r"\byou(?:'ve)? ruin(?:ed|s)?\b|\byou did this\b|\byou lied\b"),
    _m("accusatory", rf"\b{_YOU_ARE} the reason\b", gate=Gate.NOT_POSITIVE),
    _m("accusatory", r"\byou (?:only|just) care about\b"),
    _m(
        "accusatory",
        r"\byou should(?:n't)? have (?:told|asked|called|known|thought|listened|said|checked)\b",
    ),
    _m("accusatory", r"\byou(?:'re| are)? (?:ignor(?:e|ed|ing)) me\b"),
    _m(
        "accusatory",
        r"\byou (?:don't|didn't|won't|can't|never) (?:even )?"
        r"(?:care|listen|help|try|bother|notice|ask|think)\b",
        gate=Gate.NOT_POSITIVE,
    ),
    _m("accusatory", r"\byou forgot\b[^.!?]{0,120}\bagain\b|\byou (?:always|keep) forget"),
    _m("accusatory", r"\bhow (?:could|can|dare) you\b"),
    _m("accusatory", r"\bare you (?:even )?(?:listening|paying attention)\b"),
    _m(
        "accusatory",
        # Ungated: VADER reads "helps" as warm even in "nobody ever helps me".
        r"\b(?:nobody|no one) (?:\w+ ){0,3}(?:ever )?(?:helps|listens|cares|notices)\b",
    ),
    _m(
        "accusatory",
        r"\byou (?:need|have) to (?:stop|grow up|listen|calm down|get over|change|chill)\b",
    ),
    # --- known triggers: dismissing the other person's feelings -----------------------
    # Ungated: even said softly, "calm down" tells someone their feelings are the problem.
    _m(
        "known_trigger",
        r"(?<!to )(?<!i\x27ll )(?<!me )(?<!i need to )(?<!i can )\bcalm down\b",
        trigger="calm down",
    ),
    _m(
        "known_trigger",
        _START + r"(?:just |oh )?(?:relax|chill)(?: out)?" + _END,
        trigger="calm down",
    ),
    _m(
        "known_trigger",
        rf"\b{_YOU_ARE} (?:over ?reacting|(?:being )?(?:so |too )?(?:sensitive|dramatic"
        r"|hysterical|paranoid|emotional|crazy))\b",
        trigger="you're overreacting",
    ),
    _m("known_trigger", r"\bget over it\b|\bmove on already\b", trigger="get over it"),
    _m(
        "known_trigger",
        r"\b(?:it's|that's) not (?:a|that) big (?:of a )?deal\b",
        trigger="it's not a big deal",
        gate=Gate.MESSAGE_NOT_POSITIVE,
    ),
    _m(
        "known_trigger",
        r"\bi don't have time for this\b|\bnot this again\b|\bhere we go again\b",
        trigger="not this again",
    ),
    # --- escalation: shouting, swearing, hostility -----------------------------------
    _m(
        "escalation",
        r"\b(?:fuck\w*|f\*+k\w*|shit\w*|goddamn\w*|damn\w*|wtf|bullshit|crap|hell(?! yes| yeah))\b",
        gate=Gate.MESSAGE_NOT_POSITIVE,
    ),
    _m(
        "escalation",
        r"\bare you (?:kidding|serious|joking)(?: me)?\b|\bunbelievable\b",
        gate=Gate.MESSAGE_NOT_POSITIVE,
    ),
    _m("escalation", r"\bi can't believe you\b", gate=Gate.NOT_POSITIVE),
    _m("escalation", r"\?!|!\?|!{3,}|\?{3,}", gate=Gate.MESSAGE_NOT_POSITIVE),
    # --- safety: a threat of harm, or a partner in crisis ------------------------------
    _m(
        "violence",
        r"\b(?:i'll|i will|i'm going to|i'm gonna|gonna|i could) (?:hurt|kill|hit|slap|punch"
        r"|strangle|beat|choke) you\b",
        trigger="threat of harm",
        gate=Gate.NOT_PLAYFUL,
        severe=True,
    ),
    _m(
        "crisis",
        r"\b(?:kill myself|end it all|hurt myself|suicid\w*|don't want to be alive|stop eating"
        r"|something stupid to myself|no reason to keep (?:taking|living|going)|(?:take|swallow)"
        r" (?:all|the whole|every) (?:\w+ ){0,2}(?:tablets|pills|bottle)"
        r"|don't want to (?:live|be here) anymore)\b",
        trigger="self-harm",
        severe=True,
    ),
)

# Words whose presence in an accusing sentence make it sweeping ("absolute language").
ABSOLUTE_WORDS = _p(
    r"\b(?:always|never|every (?:single )?time|all the time|constantly|nothing|everything"
    r"|no one|nobody|ever)\b"
)
SECOND_PERSON = _p(r"\b(?:you|your|you're|yours|yourself|ur|u)\b")
FIRST_PERSON_FRAME = _p(r"\b(?:i'm|i am|i was|i feel|i felt|i've been|me|myself)\b")
# "Oh great" is sarcastic when what follows is empty, sour or a stock sarcastic tail;
# "oh great, see you at 6!" is not.
OH_GREAT = _p(
    r"\boh,?\s+(?:great|perfect|wonderful|fantastic|lovely|brilliant|joy|goody)\b"
    r"(?!\s+(?:news|idea|to hear|job|work|choice|question|point))"
)
SARCASTIC_TAIL = _p(
    r"\b(?:thanks a lot|thanks so much|again|another|just what i needed|exactly what i needed"
    r"|love that for me|just (?:great|perfect|wonderful|fantastic))\b"
)
I_STATEMENT = _p(r"^\s*(?:i feel|i felt|i'm feeling|i've been feeling|i get|i need|i'd love)\b")
