"""Coercive control (data only): demands for access, whereabouts, money, and cutting the
partner off from other people. Said calmly or politely, it is still HIGH_RISK.

Patterns combine a demand (an imperative, "you will", "from now on") with what it asks for
(the phone, passwords, location, proof, wages) or with whom it forbids (friends, family).
"""

from __future__ import annotations

from luna_graphql.ai.lexicon import YOU as _YOU
from luna_graphql.ai.lexicon import YOUR as _YOUR
from luna_graphql.ai.lexicon import Gate, Marker, marker
from luna_graphql.ai.lexicon_threats import I_WILL as _I_WILL
from luna_graphql.ai.lexicon_threats import NOT_DENIED as _NOT_DENIED

CONTROL = "controlling behaviour"
_WATCHED = (
    r"(?:phone|passcode|password|pin|location|messages|texts|chats|dms|emails|bank|statements"
    r"|receipts|search history|browser|history|call log|whatsapp|snapchat|instagram|insta"
    r"|facebook|accounts?|camera|discord|snap|snap map|telegram|messenger|laptop|ipad|tablet)"
)


def _control(pattern: str, gate: Gate = Gate.NOT_PLAYFUL) -> Marker:
    return marker("coercion", pattern, trigger=CONTROL, gate=gate, severe=True)


CONTROL_MARKERS: tuple[Marker, ...] = (
    _control(
        r"\bnew rule\b|\bwithout clearing it with me\b|(?:^|[.!?]"
        r"\s*)wear (?:those|this|that|the)\b|\bpicked (?:your|out your) (?:clothes|outfit)\b"
        r"|\baccount for (?:the extra|every|your time)\b|\b(?:checked|checking) the mileage\b"
        r"|\bhand in your"
        r" notice\b|\byou don't need to work\b|\blet me (?:see|read) (?:\w+ )?(?:receipts|your "
        r"phone|the thread|your messages|the chat|that|it)\b|\bsend me the (?:whole )?(?:thread"
        r"|chat|conversation)\b|\bi(?:'ll| will) log you in\b"
    ),
    _control(
        r"\bif you (?:really )?loved? me,? you(?:'ll| will|'d| would)\b|\btell (?:your"
        r"|ur) (?:friends"
        r"|mum|mom|mother|sister|family|boss) you can't\b|\bcan't have (?:money|the car|your phone"
        r"|the card)\b|\b(?:cancelled|canceled|frozen|blocked) (?:your|ur) (?:\w+ )?(?:card|cards"
        r"|account)\b|\bor i'?m (?:calling|ringing|telling|texting) (?:your|ur)\b"
    ),
    # Control that calls itself care ("it's for your safety"), next to what it controls.
    _control(
        r"\b(?:because i care|for my peace of mind|for your (?:own )?(?:safety|protection|good)|i"
        r" want to protect you|i just worry about you)\b(?=[\s\S]{0,160}\b(?:tracker|track|location"
        r"|find my|passcode|password|phone|without me|wear|wore|dress|money|card|friends|see \w+)"
        r"\b)|\b(?:tracker|track|location|find my|passcode|password|without me|wore|dress)\b"
        r"(?=[\s\S]{0,160}\b(?:because i care|for my peace of mind|for your (?:own )?(?:safety"
        r"|protection|good)|i want to protect you|i just worry)\b)",
        Gate.NONE,
    ),
    _control(
        r"\b(?:delete|block) (?:that |his |her |the )?(?:\w+(?:'s)? )?(?:number|contact)\b"
        r"|\b(?:that|your) time belongs to\b|\bi want to see (?:it's|that it's|who|where)\b"
        r"|\bvideo call me\b|\bon my (?:papers|visa)\b"
    ),
    _control(
        rf"\b{_YOU}(?:'ll| will) wear\b|\bchange or stay (?:home|in)\b|\b(?:taken|took) {_YOUR} "
        r"name off\b|\bi(?:'ll| will)? manage (?:the|your|all the) (?:money|finances|accounts?"
        r"|savings)\b|\b(?:taken|took|hidden|hid|keeping|kept|keep) (?:the|your) (?:spare )?(?:car"
        r" )?keys?\b|\bi(?:'ll| will) be (?:checking|timing|tracking|counting)\b"
    ),
    _control(
        r"\b(?:bring|show|give|send|forward) me (?:the |all the |every |all )?(?:receipts"
        r"|statements"
        r"|bills|emails|messages|texts)\b|\b(?:ring|call|facetime|video call|text) me (?:on|every)"
        r" (?:the )?(?:hour|half hour|\d+)\b|\bkeep (?:it|the call|facetime|the camera|your camera"
        r"|the video) on\b|\bso i know you're (?:really )?there\b|\byou(?:'re| are) not to (?:visit"
        r"|see|go|call|talk|speak|leave)\b|\bthat's final\b|\bi've decided\s*[.!]*$"
    ),
    _control(
        rf"\b(?:code|passcode|password|pin) (?:for|to) {_YOUR}\b|\b(?:stay|stays) with me\b"
        r"|\b(?:see|know|track) (?:\w+ ){0,3}at all times\b|\b(?:unfollowed|blocked|deleted"
        rf"|removed) (?:\w+ ){{0,3}}from {_YOUR} (?:account|phone|contacts)\b|\b{_YOU}(?:'re| are)"
        r" (?:quitting|giving up|dropping) (?:the|your)\b|\bwhen i say\b|\bonly if i (?:come|go"
        r"|say)\b|\btracking app\b|\btracker on your\b|\bhousekeeping\b"
    ),
    # --- coercive control: access, whereabouts, money, other people ----------------------
    _control(
        rf"(?:^|[.!?]\s*|\b(?:you|u) (?:will|must|need to|have to|better|are going to) )(?:now )?"
        rf"(?:send|show|give|hand|tell|unlock|share|forward|screenshot|read out) (?:me )?(?:all )?"
        rf"(?:of )?{_YOUR} (?:\w+ )?{_WATCHED}\b"
    ),
    _control(
        _NOT_DENIED + rf"\bi(?:'ve| have)? (?:been )?(?:checking|checked|tracking|tracked|reading"
        r"|read|going through|went through|gone through|monitoring|looked at|looking at|logged"
        rf" into) {_YOUR} (?:\w+ )?{_WATCHED}\b|\bi (?:installed|put|added|hid) (?:an? )?(?:app"
        r"|tracker|airtag|tracking)\b"
    ),
    _control(
        rf"\b(?:need|ask for|ask me for|get) (?:my )?permission\b|\bwhat (?:said|told) "
        rf"{_YOU} (?:could|can|were allowed)\b|\b{_YOU}(?:'re| are) not (?:allowed|permitted)\b"
        rf"|\bi (?:don't|won't|will not|do not) (?:allow|permit|let) {_YOU}\b|\b{_YOU} can't "
        r"(?:go|see|leave|have|wear|talk|spend|drive) (?:\w+ ){0,3}without (?:me|my|asking)\b"
    ),
    _control(
        rf"\b{_YOUR} (?:friends|family|sister|brother|mum|mom|mother|dad|parents|mates) (?:is|are)"
        r" (?:a bad influence|poison|toxic|against (?:me|us))\b|\b(?:it's|its) (?:me|them|us) or"
        rf" (?:them|your (?:friends|family|mates))\b|\b{_YOU} (?:don't|do not) need (?:anyone"
        rf"|anybody) (?:else )?(?:but|except) me\b|\bi'?m all {_YOU} need\b"
    ),
    _control(
        rf"\b(?:give|hand) me {_YOUR} (?:card|cards|wages|pay|salary|money|bank|passport|keys)\b"
        rf"|\b{_I_WILL} (?:take|keep|hold) {_YOUR} (?:card|cards|wages|pay|salary|money|passport"
        rf"|keys|phone)\b|\b{_YOU}(?:'re| are) not getting (?:any|your|the) (?:money|card|phone"
        r"|keys|car)\b|\baccount for every (?:penny|cent|pound|dollar|rupee|peso)\b"
    ),
    _control(
        _NOT_DENIED + rf"\b(?:give|hand|pass|bring|unlock|leave) (?:me )?(?:over )?{_YOUR} "
        r"(?:phone|passcode|password|pin|laptop)\b|\bgive me (?:the|that) phone\b"
    ),
    _control(
        rf"\b(?:what's|whats|what is|tell me|send me|i want|i need) {_YOUR} (?:\w+ )?"
        r"(?:password|passcode|pin|login)\b"
    ),
    _control(
        _NOT_DENIED + rf"\b(?:see|check|read|go through|look (?:at|through)|show me) {_YOUR} "
        r"(?:phone|messages|texts|chats|dms|emails|call log|history|inbox)\b"
    ),
    _control(rf"\b(?:i|let me) (?:want|need) to see (?:who|what) {_YOU}(?:'ve| have)? been\b"),
    _control(
        rf"\bwho (?:were|are|was|r) {_YOU} (?:texting|messaging|talking to|calling|snapchatting"
        r"|dming|seeing|with|on the phone (?:to|with))\b|\bi saw (?:it|you) on (?:the|your|ur) "
        r"(?:app|tracker|map|location)\b|\b(?:you were|you've been|u were) online "
        r"(?:till|until|at)\b"
    ),
    _control(
        rf"\b(?:turn|put|switch|keep|leave) (?:{_YOUR} )?location (?:back )?on\b|\blocation "
        rf"(?:on|sharing) (?:all|at all|24)|\bsend me {_YOUR} location (?:now|right now)"
        rf"|\bwhy (?:is|did you turn) {_YOUR} location off\b"
    ),
    _control(
        rf"\b(?:photo|pic|picture|selfie|video) of (?:who|where) {_YOU}(?:'re| are)?\b"
        r"|\b(?:send|show) me (?:a )?(?:pic|picture|photo|selfie|video)\b[^.!?]{0,30}"
        rf"\b(?:where {_YOU}|who {_YOU}|right now|to prove|so i know)\b"
    ),
    _control(
        rf"\bprove (?:it|where {_YOU}|who {_YOU}|that {_YOU}|{_YOU}(?:'re| are))\b"
        rf"|\bi need to know where {_YOU} (?:are|are at all times)\b"
        r"|(?:^|[.!?]\s*)explain(?: yourself)?\s*[.!]*\s*$"
    ),
    _control(rf"\bif {_YOU}(?:'re| are) (?:one|\d+|a|even a) (?:minute|second|min)s? late\b"),
    _control(
        rf"\b(?:screenshot|forward|send me|show me) (?:all )?{_YOUR} (?:chats|messages|texts|dms"
        r"|emails|call log|conversations)\b|\bcall me every (?:hour|\d+ (?:minutes|mins|hours))\b"
        r"|\bso i can see (?:who|where|what)\b|\bi'm not asking\s*[.!]|\bdelete (?:your |ur )?"
        r"(?:instagram|insta|facebook|snapchat|tiktok|tinder|account|profile)\b"
    ),
    _control(
        rf"\b(?:moved|transferred|taken|took) {_YOUR} (?:wages|pay|salary|money|savings)\b"
        rf"|\bi(?:'ll| will) give {_YOU} what {_YOU} need\b|\bkeeping (?:the|your|ur) (?:car )?keys"
        rf"\b|\bso {_YOU} (?:don't|can't|won't) go anywhere\b|\bask (?:me|my permission) "
        rf"(?:first )?before {_YOU}\b"
    ),
    _control(
        rf"\b{_YOU} don't need (?:to see |to go |to talk to |to visit )?(?:them|her|him|{_YOUR} "
        r"(?:friends|family|mum|mom|sister|brother|parents|job|car)|friends|anyone(?: else)?|other"
        r" people|the car|a job|a car)\b|\bwhy do you need (?:your |ur )?(?:friends|them|her|him"
        rf"|to see|to go)\b|\b{_YOU} have me\b[.!?]? (?:isn't|is that not|aren't i) enough\b"
    ),
    _control(
        rf"\bi don't (?:want|like) {_YOU} (?:seeing|talking to|going|hanging out|texting|to see"
        r"|to go|to talk|to text|to hang)\b"
    ),
    _control(
        rf"\b{_YOU}(?:'re| are)(?: not| no longer) (?:going (?:out|anywhere|to (?!(?:believe|like|"
        r"guess|want|need|be able|get|make|have|know|regret|find|love|hate|see)\b))|allowed"
        r"|seeing|to go|to see|to leave|leaving the house|wearing)\b"
        rf"|\b{_YOU} (?:will not|won't be) go(?:ing)? to\b|\bnot allowed to\b"
    ),
    _control(
        r"\b(?:i decide(?: this)?|i make the decisions|my house,? my rules|because i said so"
        r"|i don't allow|i won't allow|i forbid|i'm not letting you"
        r"|i won't let you (?:go|see|leave|talk))"
        r"\b|\bno arguing\b|\b(?:you|u) know the rules?\b"
    ),
    _control(
        rf"\bi(?:'ve| have)? (?:already )?told (?:her|him|them|the \w+|{_YOUR} \w+) {_YOU}(?:'re"
        rf"| are)?"
        r" (?:sick|ill|busy|not coming|can't come|unwell)\b"
    ),
    _control(
        rf"\b(?:i've|i have|i) (?:cancelled|canceled|frozen|blocked|changed|taken) (?:{_YOUR} "
        r"(?:card|cards|account|phone|car keys|keys|password)|the wifi password)\b"
        rf"|\b{_YOU}(?:'ll| will) get (?:it|money|the password|{_YOUR} (?:phone|keys)) (?:back )?"
        rf"when {_YOU}\b|\bask me (?:when|if|before) {_YOU} (?:need|want) (?:money|cash|the car)\b"
    ),
    _control(
        rf"\b(?:check|ask|clear it) with me (?:first )?before {_YOU} (?:spend|buy|go|see|book)\b"
        rf"|\bfrom now on[^.!?]{{0,40}}\b{_YOUR} (?:paycheck|pay|wages|salary|money|card|phone)\b"
        rf"|\b(?:handling|controlling|managing|take over|taking over) {_YOUR} (?:paycheck|pay"
        r"|wages|salary|money|finances|card|account)\b|\ballowance\b"
    ),
    _control(
        r"\b(?:stop|quit) (?:seeing|talking to|texting|messaging|hanging out with) "
        r"(?!me\b|us\b)(?:him|her|them|[a-z]+)\b|\b(?:delete|block) (?:his|her|their|that) "
        r"(?:number|contact|account)\b|\bdelete (?:him|her|them)\b"
    ),
    _control(
        r"\b(?:puts?|putting) ideas in(?:to)? your head\b|\bturning you against me\b"
        r"|\b(?:is|are) a bad influence\b|\byou're not wearing that\b"
    ),
    _control(
        r"\bdrive you (?:to work|everywhere)[^.!?]{0,120}[.!?]?\s*(?:from now on|you don't need)\b"
    ),
)
