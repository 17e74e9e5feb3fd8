"""What couples argue about, and how to bring each topic up gently.

A rewrite is only useful if it keeps the speaker's actual topic: "you never help with the
dishes" must still be about the dishes. Each topic knows its everyday nouns and a gentle
start-up in Gottman's sense: a feeling, a neutral description of the situation, and a
positive, concrete request.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Topic:
    key: str
    pattern: re.Pattern[str]
    noun: str  # "the dishes"
    situation: str  # completes "I feel <feeling> when ..."
    feeling: str
    request: str  # a concrete, positive ask
    ask: str  # the same ask, said plainly (the "direct" tone)
    meaning: str  # completes "... I start to feel ..." (the "vulnerable" tone)
    playful: str
    need: str


def _t(key: str, words: str, *fields: str) -> Topic:
    noun, situation, feeling, request, ask, meaning, playful, need = fields
    pattern = re.compile(rf"\b(?:{words.replace(chr(39), chr(39) + '?')})\b")
    return Topic(key, pattern, noun, situation, feeling, request, ask, meaning, playful, need)


# Ordered from specific to general: the first topic found in the message wins.
TOPICS: tuple[Topic, ...] = (
    _t(
        "dishes",
        r"dish(?:es)?|dishwasher|the sink",
        "the dishes",
        "the dishes pile up",
        "overwhelmed",
        "Could we figure out a way to share them?",
        "I'd like us to split the dishes. Could we alternate nights?",
        "like I'm carrying the house on my own",
        "Dish duty SOS 🧽 Want to team up tonight? You wash, I dry?",
        "support",
    ),
    _t(
        "laundry",
        r"laundry|the washing|clothes|socks|towels",
        "the laundry",
        "the laundry keeps piling up",
        "stressed",
        "Could we work out who does which loads?",
        "I'd like us to share the laundry. Could you take a couple of loads each week?",
        "like the chores are all on me",
        "The laundry mountain has grown a summit 🏔️ Conquer it with me this weekend?",
        "support",
    ),
    _t(
        "trash",
        r"trash|garbage|rubbish|the bins?|recycling",
        "the trash",
        "the trash is left for me to take out",
        "frustrated",
        "Could you make the trash your thing, so I don't have to keep track of it?",
        "I'd like you to take charge of the trash. Can we agree on that?",
        "like nobody notices what I keep track of",
        "Trash-day hero wanted 🦸 Applications open to you exclusively",
        "support",
    ),
    _t(
        "cleaning",
        r"clean\w*|mess|messy|tidy\w*|chores?|housework|vacuum\w*|the kitchen"
        r"|the bathroom|the house",
        "the housework",
        "the house gets messy and I end up cleaning on my own",
        "overwhelmed",
        "Could we make a plan to keep it tidy together?",
        "I need more help with the housework. Can we sit down and split the chores?",
        "like I'm carrying the house on my own",
        "Proposal: a 20-minute cleaning blitz together, winner picks the takeout 🧹",
        "support",
    ),
    _t(
        "cooking",
        r"cook\w*|dinner|meals?|lunch",
        "cooking",
        "I'm the one figuring out dinner every night",
        "worn out",
        "Could we take turns planning and cooking?",
        "I'd like us to take turns with dinner. Could you cook two nights a week?",
        "like my effort goes unnoticed",
        "Chef swap? You run the kitchen tomorrow, I'll be an extremely grateful customer 👩‍🍳",
        "support",
    ),
    _t(
        "groceries",
        r"groceries|grocery|shopping|the store|supermarket",
        "the groceries",
        "the shopping is always left to me",
        "stretched thin",
        "Could we share the grocery runs?",
        "I'd like you to do the shopping this week. Could you take it on?",
        "like I'm running the household alone",
        "Grocery run date? I'll bring the list if you bring the snacks 🛒",
        "support",
    ),
    _t(
        "kids",
        r"kids?|children|childcare|daycare|school run|homework|bedtime",
        "the kids",
        "I'm handling the kids' routines on my own",
        "exhausted",
        "Could we work out a split that feels fair to both of us?",
        "I need you to take on more with the kids. Can we plan who does what this week?",
        "like I'm parenting alone",
        "Tag-team parenting tonight? I'll do bath time if you take bedtime 🛁",
        "support",
    ),
    _t(
        "money",
        r"money|bills?|spend\w*|spent|budget|rent|credit card|debt|savings",
        "money",
        "we spend without talking it through first",
        "anxious",
        "Could we sit down and make a budget we both agree on?",
        "I'd like us to check with each other before big purchases. Can we agree on that?",
        "unsure whether we're on the same team about our future",
        "Budget date? ☕ We plan, then treat ourselves to something small",
        "security",
    ),
    _t(
        "phone",
        r"phone|screens?|instagram|tiktok|scrolling|games?|gaming|the tv|netflix",
        "phones",
        "we're together but you're on your phone",
        "lonely",
        "Could we have some phone-free time together, maybe at dinner?",
        "I'd like us to put our phones away during dinner. Would you try that with me?",
        "like I'm competing for your attention",
        "Phone jail for both our phones during "
        "dinner tonight? 📵 I'll be more fun than your feed, promise",
        "connection",
    ),
    _t(
        "replying",
        r"call(?:ed|ing)? (?:me )?back|text(?:ed|ing)? (?:me )?back|repl(?:y|ied)"
        r"|respond\w*|answer\w*|call me|text me|pick up",
        "staying in touch",
        "I don't hear back from you for hours",
        "worried",
        "Could you send a quick text when you're busy, so I know you're OK?",
        "I need a short reply when I reach out, even just 'busy, talk later'.",
        "like I don't matter much to you",
        "Quick proposal: a one-emoji reply when you're swamped, so I know you're alive 😅",
        "reassurance",
    ),
    _t(
        "listening",
        r"listen\w*|hear(?:ing)? me|ignor\w*|interrupt\w*|pay attention",
        "being heard",
        "I'm talking and it feels like it's not landing",
        "unheard",
        "Could we set aside a few minutes where I talk and you just listen?",
        "I need you to listen to me on this without fixing it. Can you do that tonight?",
        "invisible",
        "Can I book ten minutes of your full attention tonight? Snacks included 🍿",
        "connection",
    ),
    _t(
        "late",
        r"late|on time|waiting|waited|wait for you",
        "being on time",
        "plans shift and I'm left waiting",
        "frustrated",
        "Could you give me a heads-up when you're running late?",
        "I'd like a text whenever you're running more than ten minutes late.",
        "like my time doesn't count",
        "Deal: you text me when you're late, I stop imagining you kidnapped by pirates 🏴‍☠️",
        "respect",
    ),
    _t(
        "time",
        r"time (?:with|for) me|time together|date night|plans?|cancel\w*"
        r"|spend time|hang out|weekend",
        "time together",
        "our plans get pushed aside",
        "disappointed",
        "Could we put something on the calendar that's just for us?",
        "I'd like a regular date night. Could we pick an evening this week?",
        "like I'm at the bottom of the list",
        "I'm officially requesting a date night with my favourite person 💌 Available this week?",
        "connection",
    ),
    _t(
        "affection",
        r"affection\w*|hugs?|kiss\w*|cuddl\w*|intima\w*|sex|touch",
        "affection",
        "we go a while without much closeness",
        "lonely",
        "Could we make more room for affection, even small moments?",
        "I'd like more physical affection. Could we be more intentional about it?",
        "unwanted",
        "Daily hug quota is not being met 🤗 Please report to the couch for immediate cuddles",
        "connection",
    ),
    _t(
        "family",
        r"your (?:mom|mother|mum|dad|father|family|parents|sister|brother)|in-?laws",
        "your family",
        "family plans get decided without me",
        "left out",
        "Could we talk through how we handle family things as a team?",
        "I'd like us to decide family plans together before saying yes.",
        "like I'm not part of the team",
        "Team meeting? 🗂️ Agenda: us vs. the family calendar",
        "respect",
    ),
    _t(
        "friends",
        r"friends|going out|the bar|party|the guys|the girls",
        "time with friends",
        "nights out get planned without us talking first",
        "left out",
        "Could we check in with each other before making plans?",
        "I'd like a heads-up before you make plans for the evening.",
        "like I'm an afterthought",
        "Reserve a night for me too? I hear I'm excellent company 😉",
        "connection",
    ),
    _t(
        "work",
        r"work\w*|job|office|overtime|meetings?",
        "work",
        "work takes over our evenings",
        "lonely",
        "Could we protect a couple of evenings a week from work?",
        "I'd like us to keep two evenings a week work-free. Can we try that?",
        "like I come second",
        "Proposal: laptop curfew at 8 pm, violators owe a foot rub 💻",
        "connection",
    ),
    _t(
        "remembering",
        r"forg[eo]t\w*|remember\w*|promis\w*|said you would|you said",
        "follow-through",
        "things we agreed on slip through",
        "let down",
        "Could we write our plans down somewhere we both see?",
        "When you say you'll do something, I need to be able to count on it.",
        "like I can't rely on what we agree",
        "Shared to-do list? I'll even let you name it 📋",
        "trust",
    ),
    _t(
        "words",
        r"say that|said that|talk to me like|speak to me like|your tone|yell\w*"
        r"|shout\w*",
        "what was said",
        "things get said in the heat of the moment",
        "hurt",
        "Could we talk about what just happened?",
        "What you said hurt me. I'd like us to talk about it calmly.",
        "like it isn't safe to be open with you",
        "Can we rewind that last bit? 🔄 I think we both deserve a better take",
        "respect",
    ),
    _t(
        "appreciation",
        r"thank(?!s a lot|s for nothing)\w*|appreciat\w*|notice\w*|taken for granted|effort",
        "appreciation",
        "what I do goes unnoticed",
        "unappreciated",
        "Could we make a habit of telling each other what we appreciate?",
        "I'd like to hear it when you notice something I've done.",
        "taken for granted",
        "Accepting compliments at this time 😌 One a day keeps the grumpy away",
        "appreciation",
    ),
    _t(
        "decisions",
        r"ask(?:ed|ing)? me|without (?:asking|telling) me|decid\w*|decision",
        "decisions",
        "decisions get made without me",
        "left out",
        "Could we talk things through before deciding?",
        "I'd like us to decide things like this together.",
        "like my opinion doesn't count",
        "Motion to make decisions as a duo 🗳️ All in favour?",
        "respect",
    ),
)


def find_topic(texts: Iterable[str]) -> Topic | None:
    """The topic of the first text that has one (texts are lower-case, newest first)."""
    for text in texts:
        for topic in TOPICS:
            if topic.pattern.search(text):
                return topic
    return None
