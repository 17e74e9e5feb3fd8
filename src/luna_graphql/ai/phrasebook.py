"""What Luna suggests when a draft's problem is its stance rather than its topic.

Each script is Gottman's antidote to one pattern: a break instead of stonewalling, owning a
part instead of defending, describing one's own feelings instead of contempt, validating
instead of dismissing. `{noun}` is the topic under discussion ("the dishes", or "this").
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Script:
    primary: str
    rationale: str
    need: str
    gentle: str
    direct: str
    vulnerable: str
    # None where lightness would be wrong (a crisis, a threat): the vulnerable tone is used.
    playful: str | None


SCRIPTS: dict[str, Script] = {
    "crisis": Script(
        primary="I'm struggling a lot right now and I really need you. "
        "Can you call me or come be with me?",
        rationale="It sounds like you may be going through something very painful. Telling "
        "your partner plainly that you need them makes it easier for them to show up. If you "
        "are thinking about hurting yourself, please also contact a crisis line or emergency "
        "services now: you deserve support.",
        need="support",
        gentle="I'm having a really hard time and I don't want to be alone right now. "
        "Can you be with me?",
        direct="I need you right now. Please call me.",
        vulnerable="I'm in a really dark place and I'm scared. I need you.",
        playful=None,
    ),
    "violence": Script(
        primary="I'm so angry right now that I need to step away before I say or do something "
        "I regret. I'll come back when I've calmed down.",
        rationale="A threat of harm is never okay, even in anger, and it makes your partner "
        "feel unsafe. Stepping away now protects you both; if your anger worries you, a "
        "professional can help.",
        need="space",
        gentle="I need to cool off. I'm going for a walk and I'll text you when I'm calmer.",
        direct="I'm too angry to keep talking right now. I'm taking a break.",
        vulnerable="I'm scared of how angry I feel. I need some space to calm down, "
        "and then I want to talk.",
        playful=None,
    ),
    "threat_to_leave": Script(
        primary="I'm really hurting and I'm scared about where we are. I don't want to say "
        "things in anger that I can't take back. Can we talk about us when we're both calmer?",
        rationale="Threatening to leave in the middle of a fight makes the relationship itself "
        "feel unsafe, and it is hard to take back. If you are truly thinking about it, it "
        "deserves a calm conversation, perhaps with a counselor, not a message sent in anger.",
        need="reassurance",
        gentle="I'm so upset that I'm not thinking clearly. Can we take a break and talk "
        "about us tonight?",
        direct="I'm very unhappy with how things are between us, and I think we need to talk "
        "seriously, maybe with a counselor.",
        vulnerable="Honestly, I'm scared we're losing each other. I need to know we both "
        "still want to work on this.",
        playful=None,
    ),
    "contempt": Script(
        primary="I'm really hurt and angry right now, and I don't want to say something I'll "
        "regret. Can we talk about {noun} when we've both cooled down?",
        rationale="Insults and mockery hurt more than anything else in an argument and make "
        "it almost impossible for your partner to hear what's actually wrong. Naming your own "
        "feelings keeps the door open.",
        need="respect",
        gentle="Can we pause for a second? I'm upset, and I'd rather tell you why than "
        "snap at you.",
        direct="I'm upset about {noun}, and I want to talk about it calmly. Can we do that "
        "tonight?",
        vulnerable="I'm hurting right now, and I don't want to push you away. Can we try again?",
        playful="Can we hit rewind? 🔄 I'd like a do-over on that conversation.",
    ),
    "stonewalling": Script(
        primary="I'm feeling too overwhelmed to talk about {noun} well right now. Can we take "
        "20 minutes and come back to it?",
        rationale='Shutting down ("whatever", "I\'m done") leaves your partner alone in '
        "the argument. Asking for a break says the same thing, that you need space, while "
        "promising to come back, so it doesn't feel like rejection.",
        need="space",
        gentle="I need a little time to calm down before we keep talking. I'm not going "
        "anywhere. Can we pick this up after dinner?",
        direct="I need a break from this conversation for now. Let's talk again in an hour.",
        vulnerable="Honestly, I'm getting flooded and I'm scared I'll say something I don't "
        "mean. Can we pause and come back to it soon?",
        playful="My brain is buffering 🔄 Can I have 20 minutes to reboot before we keep going?",
    ),
    "defensiveness": Script(
        primary="I hear that you're upset about {noun}, and I want to understand it before I "
        "explain my side. Can we talk it through?",
        rationale='Defending yourself ("it\'s not my fault", "well, you...") usually makes '
        "your partner push harder to be heard. Accepting even a small part of the "
        "responsibility lowers the temperature and makes room for your side too.",
        need="understanding",
        gentle="I don't want to argue about whose fault it is. Can you tell me what "
        "bothered you most?",
        direct="I see {noun} differently, and I'd like to hear you out first and then explain "
        "my side.",
        vulnerable="Honestly, I get defensive because I hate feeling like I've let you down. "
        "I want to hear you out.",
        playful="Truce flag up 🏳️ Tell me what bothered you, then I'll tell you my side?",
    ),
    "veiled_threat": Script(
        primary="I'm really angry right now and I don't want it to come out as a threat. Can "
        "we talk about {noun} once I've calmed down?",
        rationale="A warning with an unsaid consequence makes your partner feel unsafe rather "
        "than heard, and what you actually need gets lost. Saying the anger out loud, and "
        "asking for a calmer conversation, keeps both of you safe.",
        need="respect",
        gentle="I'm upset about {noun} and I need a little time before we talk. I'll come back "
        "to it tonight.",
        direct="I'm angry about {noun}. I want to talk about it calmly, not like this.",
        vulnerable="Underneath this I feel hurt and scared of being pushed aside. Can we talk "
        "when we're both calm?",
        playful=None,
    ),
    "coercion": Script(
        primary="I've been feeling anxious and insecure about us lately. Can we talk about "
        "what would help me feel more secure, in a way that works for both of us?",
        rationale="Demanding access to a phone, a location, money or who someone sees turns "
        "worry into control, and control erodes the trust it is meant to protect. Naming the "
        "worry gives your partner a chance to reassure you freely.",
        need="reassurance",
        gentle="I'm feeling a bit insecure today. Could we spend some time together and talk?",
        direct="I've been worried about us. I'd like to talk about it honestly, face to face.",
        vulnerable="Honestly, I'm scared of losing you, and it makes me want to hold on too "
        "tight. Can we talk about it?",
        playful=None,
    ),
    "dismissive": Script(
        primary="I can see you're really upset, and I want to understand. Can you tell me "
        "what's going on for you?",
        rationale='Phrases like "calm down" or "you\'re overreacting" tell your partner '
        "that their feelings are the problem, which usually makes them more upset. "
        "Acknowledging the feeling first calms things down faster.",
        need="understanding",
        gentle="I can tell this really got to you. I'm listening.",
        direct="I want to understand why this matters so much to you. Can you walk me through it?",
        vulnerable="I get flustered when you're upset because I hate seeing you hurt. "
        "Tell me what you need.",
        playful="Okay, phone down, listening ears on 👂 Tell me everything.",
    ),
    "general": Script(
        primary="I'm feeling {feeling} right now, and I'd like to talk about {noun} without "
        "us hurting each other. Can we start over?",
        rationale="Saying how you feel and what you'd like gives your partner something they "
        "can respond to, instead of something to defend against.",
        need="understanding",
        gentle="Can we pause for a second? I'm {feeling}, and I'd rather tell you why than "
        "snap at you.",
        direct="I'm {feeling} about {noun}, and I'd like to talk it through calmly.",
        vulnerable="I'm hurting a bit right now, and I don't want to push you away. "
        "Can we try again?",
        playful="Can we hit rewind? 🔄 I'd like a do-over on that conversation.",
    ),
}

TONE_RATIONALES: dict[str, str] = {
    "gentle": "A soft start-up: it invites a conversation instead of opening with a complaint.",
    "direct": "Clear and specific about what you'd like, without blame.",
    "vulnerable": "Shares the feeling underneath, which tends to draw your partner closer "
    "instead of putting them on guard.",
    "playful": "Keeps it light, so the request lands as an invitation rather than an attack.",
}

# Plain-language reasons, in the order they are worth mentioning.
ISSUE_REASONS: tuple[tuple[str, str], ...] = (
    ("threat_to_leave", "puts the relationship itself on the line"),
    ("name_calling", "calls your partner names"),
    ("gottman_contempt", "comes across as contempt"),
    ("sarcasm", "uses sarcasm that will likely land as mockery"),
    ("gottman_criticism", "criticises who your partner is rather than what happened"),
    ("absolute_language", 'uses sweeping words like "always" and "never"'),
    ("accusatory_language", "puts the blame on your partner"),
    ("gottman_defensiveness", "sounds defensive"),
    ("gottman_stonewalling", "shuts the conversation down"),
    ("known_trigger", "contains a phrase that often sets partners off"),
    ("escalation_pattern", "is likely to escalate an already tense exchange"),
)

# A character attack ("you're so selfish") hides a request; these say the request instead.
# Keys are alternatives of words matched after "you're (so)".
FLAW_REQUESTS: tuple[tuple[str, str, str], ...] = (
    (
        r"selfish|self[- ]centered|inconsiderate|thoughtless|insensitive|heartless",
        "I'd like to feel that my needs matter to you too. Can we talk about what just happened?",
        "consideration",
    ),
    (
        r"lazy|useless",
        "I could really use more help around here. Could we sit down and split things more evenly?",
        "support",
    ),
    (
        r"irresponsible|unreliable|careless",
        "I need to be able to count on what we agree. Can we talk about what happened and "
        "what would help next time?",
        "trust",
    ),
    (
        r"immature|childish|impossible|ridiculous|clueless|hopeless",
        "This conversation isn't going the way I want it to. Can we slow down and try to "
        "understand each other?",
        "respect",
    ),
)
