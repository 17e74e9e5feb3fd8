"""Threats and control: the drafts Luna must never pass as SAFE (data only).

Written from the shapes these messages take rather than from fixed phrases: an ultimatum is
a condition ("if you…", "one more time…", "keep it up…") followed by a consequence; a veiled
threat names a consequence without saying what it is ("see what happens"); coercive control
demands access (the phone, passwords, location, money) or cuts the partner off from others.
Each family is kept apart so the scorer and the rewriter know which one they face.
"""

from __future__ import annotations

from luna_graphql.ai.lexicon import YOU as _YOU
from luna_graphql.ai.lexicon import YOUR as _YOUR
from luna_graphql.ai.lexicon import Gate, Marker, marker

I_WILL = _I_WILL = (
    r"(?:i'll|ill|i will|i'm going to|im going to|i'm gonna|im gonna|i am going to|i swear i'll)"
)
# Right before a phrase that denies it: "I would never go through your phone".
NOT_DENIED = _NOT_DENIED = r"(?<!never )(?<!not )(?<!n\x27t )(?<!nt )"
# Word classes the structural patterns below combine: a verb of harm aimed at the partner,
# their body, belongings or pets; the mood of a threat.
_HARM_VERB = (
    r"(?:hurt|hit|slap|smack|punch|kick|kill|strangle|choke|beat|stab|shoot|murder|batter"
    r"|throttle|knock|break|smash|burn|drown|bury|cut|destroy|wreck|poison|shove|hurl|strike|key"
    r"|whack|deck|bash|snap|crack|torch|slash)\w*"
)
_HARM_TARGET = (
    r"(?:you|u|yourself|that (?:\w+ )?(?:dog|cat|car|phone|bitch|bastard)"
    r"|the (?:dog|cat)|every bone"
    r"|(?:your|ur) (?:\w+ )?(?:face|head|neck|arm|arms|hand|hands|legs?|nose|jaw|teeth|ribs"
    r"|stuff|things|clothes|car|phone|laptop|guitar|console|bike|dog|cat|tyres|tires|fingers?"
    r"|mother|mum|mom|family|boyfriend|girlfriend|friend|mate))"
)
_THREAT_MOOD = (
    r"(?:i'll|ill|i will|i'm going to|im going to|i'm gonna|im gonna|gonna|i swear|i could|i might"
    r"|i'd|or i|and i|before i|i'm about to|i'm this close to|don't make me|i'll end up)"
)
LEAVE = "threat to leave"
HARM = "threat of harm"
VEILED = "veiled threat"


def _leave(pattern: str, gate: Gate = Gate.NONE) -> Marker:
    return marker("threat_to_leave", pattern, trigger=LEAVE, gate=gate, severe=True)


def _harm(pattern: str, gate: Gate = Gate.NOT_PLAYFUL) -> Marker:
    return marker("violence", pattern, trigger=HARM, gate=gate, severe=True)


def _veiled(pattern: str, gate: Gate = Gate.NOT_PLAYFUL) -> Marker:
    return marker("veiled_threat", pattern, trigger=VEILED, gate=gate, severe=True)


THREAT_MARKERS: tuple[Marker, ...] = (
    # --- leaving, said outright or hedged ---------------------------------------------
    _leave(r"\bdon't (?:you )?(?:bother|dare) (?:coming|come) (?:back|home)\b"),
    _leave(r"\bdon't come (?:back|home)\s*(?:[.!]|$|at all|ever)"),
    _leave(
        r"\b(?:call(?:ing)?|see(?:ing)?|talk(?:ing)? to|get(?:ting)?|contact(?:ing)?|found|find"
        r"|book(?:ing)?|ring(?:ing)?|spoken to|spoke to|speaking to) (?:a |my |our )?"
        r"(?:divorce )?(?:lawyer|solicitor|attorney)\b"
    ),
    _leave(
        r"\bdivorce papers\b|\b(?:file|filing|ask(?:ing)? for|want(?:ing)?|get(?:ting)?"
        r"|talk(?:ing)? about|think(?:ing)? about|consider(?:ing)?) (?:for )?(?:a |the )?divorce\b",
        Gate.NOT_PLAYFUL,
    ),
    _leave(
        r"\b(?:no|not sure (?:there's|there is|we have) (?:a|any)|don't see (?:a|any)"
        r"|there's no|isn't (?:a|any)|can't see (?:a|any)|don't know if there's (?:a|any)) "
        r"future(?! plans)\b(?! (?:without|for (?:the|my|your) (?:kids|job)))"
    ),
    _leave(
        r"\bi (?:want|need) out\b|\b(?:thinking|considering|thought) (?:about |of )?"
        r"(?:leaving (?:you|this|for good|him|her)|leaving\s*[.!]*$|divorc\w+|ending (?:it|this|us"
        r"|things)|breaking up|moving out|separat\w+)"
    ),
    _leave(
        r"\b(?:don't|do not) (?:even )?know why i (?:stay|bother|stick around|put up with)\b"
        r"|\bwhy (?:do|should) i (?:even )?stay\b"
    ),
    _leave(
        r"\beither (?:she|he|they|it|this|that|you|i|your \w+) (?:goes|go|leaves|leave|stops"
        r"|stop) or (?:i|we) (?:do|go|leave|will)\b|\b(?:it's|its) (?:me|her|him|them) or "
        r"(?:me|her|him|them|it|your \w+)\b"
    ),
    _leave(
        r"\b(?:start|go|begin) looking for (?:somewhere|a place|someplace) (?:else )?to "
        r"(?:live|stay)\b|\bfind (?:somewhere|a place) else to (?:live|stay)\b"
    ),
    _leave(r"\b(?:might|may|probably|possibly|maybe) (?:not|won't) (?:be )?(?:come|coming) back\b"),
    _leave(r"\b(?:i'm|im|i am) not coming back(?! (?:till|until|before|for|tonight|today|in))"),
    _leave(
        r"\b(?:happier|better off) (?:\w+ ){0,2}(?:on my own|alone|without (?:you|each other)"
        r"|apart|single|if i (?:go|leave|left|went|move)|with someone else)\b"
    ),
    _leave(r"\bi(?:'ve| have)? been looking at (?:flats|apartments|places|rentals|houses)\b"),
    _leave(r"\b(?:my|all my) (?:stuff|things|clothes) (?:is |are |will be )?gone\b"),
    _leave(r"\bcome home (?:one day )?(?:and|to) (?:find )?(?:i'm|i am|me) gone\b"),
    _leave(
        r"\b(?:take|taking|pack|packing) (?:all )?your (?:stuff|things|crap|shit|bags?)"
        r"(?: and go| with you| and get out)\b"
    ),
    _leave(r"\bget out of (?:my|this) (?:house|flat|home|apartment|life)\b"),
    _leave(r"\bi(?:'ll|ll| will) pack (?:a|my) (?:bag|bags|suitcase)(?! for)\b", Gate.NOT_PLAYFUL),
    _leave(
        r"\b(?:need|take|taking|want) a (?:break|breather)\b[^!?]{0,40}\b(?:real one|proper one"
        r"|permanent\w*|for good)\b|\ba break from (?:us|each other|this marriage|you)\b"
    ),
    _leave(
        r"(?:^|[.!?]\s*)packing (?:a|my) (?:bag|bags|suitcase)\b|\bdone with (?:this|my|our) "
        r"(?:marriage|relationship)\b"
    ),
    _leave(
        r"\byou can (?:go )?(?:live|move in|stay) with (?:her|him|them|your \w+) "
        r"(?:permanently|for good|forever)\b"
    ),
    _leave(
        r"\b(?:we|us) (?:aren't|are not|just aren't|isn't) working\b"
        r"|\bthis (?:isn't|is not|just isn't) working (?:anymore|any more)\b"
    ),
    _leave(
        r"\bi(?:'ll| will| could| can) (?:easily |just )?find someone (?:who|that|better|else)\b"
    ),
    # An ultimatum's consequence: only a threat after a condition ("one more time and...").
    _leave(
        r"\b(?:i'm|im|i am|i'll be|ill be) (?:gone|out|outta here|out of here|done|leaving"
        r"|moving out|through)\b|\b(?:we're|were|we are) (?:done|over|finished|through)\b"
        r"|\b(?:it's|its) over\b|\bi(?:'ll| will) (?:leave|walk)\b|\bfor good\b|\b(?:i'm|i am|i'll"
        r"|ill) (?:taking|take) the (?:kids|children)\b|\byou(?:'ll| will|'re going to)"
        r" (?:\w+ ){0,6}(?:on your own|alone|by yourself|single)\b",
        Gate.AFTER_CONDITION,
    ),
    _leave(
        r"\bi(?:'m|'ll|'d| am| will| would| might| may| could| should| think i(?:'ll| should)"
        r"| have to| need to| want to)? (?:(?!not\b|never\b)\w+ ){0,2}(?:leave|leaving|walk out on"
        r"|walking out on"
        r"|divorce|divorcing|dump|dumping|quit|give up on|walk away from|end|ending|finish|done"
        r" with) (?:you|us|this (?:marriage|relationship|family)|our (?:marriage|relationship))\b",
        Gate.NOT_PLAYFUL,
    ),
    _leave(
        r"\bwhat'?s the point (?:of (?:us|this|this marriage|trying|staying)|anymore|any more)\b"
        r"|\bdon't see us (?:\w+ ){0,2}(?:lasting|together|making it|working)\b|\bnot sure i want"
        r" (?:this|us|you|to stay|to be with you) (?:anymore|any more)\b|\bcan't keep doing this"
        r"\b|\bseparate ways\b|\bcall(?:ed|ing)? it quits\b|\bbags? (?:is |are )?packed\b|\bgone"
        r" (?:by the time|before) you\b|\bdon't expect me (?:to be )?(?:here|home|back|to stay"
        r"|around)\b|\bmy own place\b|\bwhy (?:are|r) we (?:even )?(?:together|doing this)\b",
        Gate.NOT_PLAYFUL,
    ),
    _leave(
        r"\b(?:come|coming) home to an empty (?:house|flat|home|bed|apartment)\b|\bempty side of"
        r" the bed\b|\bone-?way ticket\b|\bminutes to pack\b|\bnot (?:that )?easy to get rid of\b"
        r"|\b(?:don't|do not) know if (?:we're|i'm|we are|i am|i'll be) coming back\b"
        r"|\b(?:i(?:'ve| have| am|'m)?|we) (?:\w+ ){0,3}(?:annulment|mediator|mediation|separation)"
        r"\b|\b(?:annulment|separation) (?:is possible|counsell?or|lawyer)\b|\bwent our (?:own"
        r"|separate) ways?\b|\b(?:don't|not sure i|no longer) (?:want|wanna) (?:to )?(?:\w+ ){0,4}"
        r"(?:with you|us|this) (?:anymore|any more)\b|\bconsider (?:us|this|it|me) (?:done|over"
        r"|finished)\b|\brelationship status\b|\blast chance\b"
        r"|\b(?:people|someone|others|guys|girls) (?:who'd|who would|that would|who will) treat me"
        r" (?:way |so much |a lot )?better\b|\byou won't have a (?:wife|husband|girlfriend"
        r"|boyfriend|partner)\b|\bpack (?:my|all my) (?:stuff|things|bags)\b|\bi(?:'ve| have)?"
        r"(?: been| started| am|'m) looking at (?:flats|apartments|places|rentals|houses)\b"
        r"|\b(?:don't know|not sure) if i can (?:keep doing|do) this\b",
        Gate.NOT_PLAYFUL,
    ),
    _leave(
        r"\bi(?:'ll| will)? (?:be )?mov(?:e|ing) (?:in with|into|out|back)\b|\bi(?:'ll| will) take"
        r" my (?:half|share|things|stuff)\b|\b(?:blocking|block) you everywhere\b",
        Gate.AFTER_CONDITION,
    ),
    _leave(
        r"\b(?:that's|it's|thats) us (?:finished|done|over)\b|\bcancel us\b"
        r"|(?<!is it )(?<!it\x27s just )"
        r"\bme or (?:the|your|that|him|her) \w+\b|\bdon't bother (?:ringing|calling|texting"
        r"|coming)\b|\btake the (?:kids|children|baby) and (?:go|leave)\b|\bstart leaving\b"
        r"|\bstop waiting altogether\b|\benough to stay\b|\bstop pretending\b|\b(?:admit"
        r"|accept) (?:that )?(?:it's|this is|we're) not working\b|\bsaid i can (?:stay|come|move)"
        r"\b|\bi (?:can|could|will|am|'m|'ll)? ?(?:\w+ ){0,2}walk(?:ing)? out(?! of (?:the|work"
        r"|my|this))\b",
        Gate.NOT_PLAYFUL,
    ),
    # --- harm -----------------------------------------------------------------------
    _harm(
        r"\blast message you(?:'ll)? (?:get|receive)\b|\bi'?m on the (?:bridge|roof|ledge)\b"
        r"|\bdrive us (?:both )?off\b|\b(?:kill|end) us both\b|\bcan't promise (?:i won't|what)\b"
        r"|\bunless you make me\b|\bdrag (?:you|u) (?:out|home|by)\b|\b(?:teeth|face) (?:up )?off "
        r"the (?:floor|ground|pavement)\b|\bgoing off the (?:balcony|bridge|roof)\b"
    ),
    _harm(
        rf"\b{_THREAT_MOOD} (?:\w+ ){{0,2}}(?:smash|burn|destroy|wreck|trash|slash|torch|key|bin"
        r"|delete)\w* (?:up )?(?:your|that|the|every|all)\b",
        Gate.AFTER_CONDITION,
    ),
    _harm(
        r"\block (?:you|u) (?:out|outside|in)\b|\bneed (?:the|a) hospital\b|\b(?:your|ur) (?:\w+ )"
        r"{0,2}(?:is |are )?going (?:in|into) the (?:dam|river|bin|fire|lake|skip|canal|sea)\b"
        r"|\bthere's a (?:hammer|knife|gun|bat|axe)\b|\byour (?:\w+ ){0,2}and a (?:lighter|hammer"
        r"|knife|match)\b|\bi(?:'ll| will) be dead\b(?! tired| on)"
    ),
    _harm(
        r"\byou(?:'ll| will) (?:be )?(?:bleeding|picking yourself up|on the floor|in a cast|black"
        r" and blue|sorry you were born)\b|\b(?:hands?) (?:round|around) your (?:neck|throat)\b"
        r"|\bshut your (?:mouth|face) for you\b|\b(?:car|tyres?|tires?) (?:got|get|gets) (?:keyed"
        r"|slashed|scratched|smashed)\b|\bbetter stay out of my way\b|\bkick(?:ing)? (?:it"
        r"|the door|your door) in\b|\b(?:people|someone) (?:have|has|'ve) (?:got|gotten|been) hurt"
        r"\b"
    ),
    _harm(
        rf"\b{_THREAT_MOOD} (?:\w+ ){{0,3}}{_HARM_VERB} (?:\w+ ){{0,2}}{_HARM_TARGET}\b(?! up| at )"
    ),
    _harm(
        rf"\b{_YOU}(?:'ll| will|'re going to|'re gonna) (?:get|end up|be) (?:\w+ )?(?:hurt|in "
        r"(?:the )?hospital|dead|a (?:slap|smack|beating|black eye|broken \w+))\b|\bsomeone(?:'s"
        r"| is) going to get hurt\b|\bi(?:'ll| will)? (?:kill|hurt|end) myself\b|\bi (?:don't|do "
        r"not) know what i(?:'ll| will| might)? do\b"
    ),
    _harm(
        rf"\b(?:{_I_WILL}|gonna|i could|i'd|i should|i'm about to) (?:\w+ )?(?:hurt|kill|hit"
        r"|slap|smack|punch|kick|strangle|choke|beat|stab|shoot|murder|batter|throttle|knock)"
        rf" {_YOU}\b(?! up)"
    ),
    _harm(
        rf"\b(?:break|snap|smash|bust) {_YOUR} (?:\w+ )?(?:hands?|arms?|legs?|neck|nose|jaw"
        r"|fingers?|face|teeth|head|back|ribs|skull)\b"
    ),
    _harm(
        rf"\b(?:put|throw|send|shove|push|going) (?:{_YOU} )?(?:through|into|out of|down) "
        r"(?:a|the) (?:wall|window|door|stairs|floor)\b"
    ),
    _harm(
        r"\b(?:goes|go|going|flying|thrown?|throw(?:ing)?|chuck\w*|smash\w*|hurl\w*)\b[^.!?]{0,20}"
        rf"\b(?:over|at|across|into|through) {_YOUR} (?:head|face|skull)\b"
    ),
    _harm(
        r"\b(?:you're|youre|you are|ur) lucky i (?:didn't|didnt|don't|haven't|did not)\b",
        Gate.NONE,
    ),
    _harm(r"\btake a (?:hammer|bat|baseball bat|knife|key|axe|lighter) to\b"),
    _harm(
        rf"\b{_I_WILL} (?:\w+ )?(?:burn|smash|break|destroy|trash|wreck|bin|sell|cut up|key) "
        rf"(?:all )?{_YOUR} (?:stuff|things|clothes|car|phone|laptop|guitar|console|xbox|bike)\b"
        r"|\bgetting rid of (?:the|your|ur) (?:dog|cat|pet)\b"
    ),
    _harm(
        rf"\b{_I_WILL} (?:\w+ )?(?:put|send|land) {_YOU} in (?:the )?(?:hospital|a&e|ground|grave"
        r"|wheelchair)\b|\b(?:slap|smack|punch|wipe|knock)\b[^.!?]{0,20}\boff "
        rf"{_YOUR} face\b|\bwhat i(?:'ll| will)? do to {_YOU}\b"
    ),
    _harm(
        rf"\b(?:the|that|{_YOUR}) (?:dog|cat|pet|car|phone|laptop|guitar)\b[^.!?]{{0,30}}"
        r"\b(?:won't be (?:here|around)|will be gone|gets it|goes out the window)\b"
    ),
    _harm(rf"\b(?:{_YOU}(?:'re| are)|ur) (?:so )?dead\b(?! (?:tired|on|right|serious))"),
    # --- veiled threats: a consequence left unsaid -------------------------------------
    _veiled(rf"\b{_YOU}(?:'ll| will|'re going to|'re gonna|r gonna) (?:\w+ )?regret\b", Gate.NONE),
    _veiled(rf"\b{_YOU}(?:'ll| will) be sorry\b|\b{_YOU}(?:'ll| will|'re going to) pay for\b"),
    _veiled(
        rf"\b{_YOU}(?:'ll| will) see\s*(?:[.!]|$)|\bwe(?:'ll| will) see (?:about that|what happens)"
    ),
    _veiled(
        r"\b(?:see|watch) what happens\b|\bsee (?:how|if) (?:you|u) like it\b|\bsee if i "
        r"don't\b|\bdon't think i won't\b"
    ),
    _veiled(
        r"\b(?:no idea|don't know|not know) what i(?:'m| am) capable of\b|\bbe careful "
        r"(?:who|what|where|how)\b|\bdon't say i didn't warn\b|\b(?:it'll|it will|that'll"
        r"|that will) be the last (?:one|time)\b"
    ),
    _veiled(
        rf"\b{_YOU} (?:won't|will not|wouldn't) like what (?:i|happens)\b|\bremember whose "
        r"(?:name|house|money|car|flat)\b|\bwhose name (?:the|this) \w+ is in\b"
    ),
    _veiled(
        rf"\bi'd hate for (?:{_YOUR}|everyone|anyone|people)\b[^.!?]{{0,30}}\b(?:see|know"
        r"|find out|hear)\b|\b(?:see|saw|seeing) (?:those|these) (?:photos|pictures|pics|videos"
        r"|messages|screenshots)\b"
    ),
    _veiled(
        r"\bdon't (?:you )?(?:push|test|try) me\b|\b(?:want|wanna|going) to test me\b"
        r"|\btry me\b|\bdo not test me\b"
    ),
    _veiled(r"\b(?:i'd|i would|better) be (?:very |really )?careful\b|^\s*careful\s*[.!]"),
    _veiled(
        r"\bbeing (?:very |really |extremely )?patient with you\b"
        r"|\bmy patience (?:is|has) (?:running|run|worn|wearing)\b"
    ),
    _veiled(
        r"\b(?:you've|you have) been warned\b|\bconsider (?:this|yourself) warned\b"
        r"|\b(?:last|final) warning\b|\b(?:i'm|im|i am) warning you\b"
    ),
    _veiled(r"\bthink (?:very |really )?(?:carefully|hard|twice) (?:about|before)\b"),
    _veiled(
        r"\bdon't make me (?:do|come|say|get|go|repeat|ask|tell|show|regret|hurt|lose|snap"
        r"|call|remember|use)\b"
    ),
    _veiled(
        rf"\b{_YOU} (?:really )?don't want to (?:find out|know what|see (?:what|me)|make me"
        r"|push me|test me)\b"
    ),
    _veiled(
        r"\bi know where (?:she|he|they|you|your \w+|her|his) (?:lives?|works?|stays?|is|are)"
        rf"\b|\bi know {_YOUR} (?:passcode|password|pin)\b|\bi(?:'ll| will) know if\b"
    ),
    _veiled(r"\bremember (?:what happened|last time|that i know|i know|who)\b"),
    _veiled(
        r"\bi can take (?:it|everything|it all) (?:back|away)\b|\beverything you have\b[^.!?]{0,20}"
        r"\bi (?:gave|paid|bought)\b|\bend up (?:crying|hurt|sorry|alone)\b|\brunning out of "
        r"patience\b|\bbefore you make me (?:angry|mad)\b|\bi(?:'m| am|'ll| will) (?:coming|come)"
        r" to (?:get|find|fetch) you\b"
    ),
    _veiled(
        r"\bi(?:'ll| will) remember (?:this|that)\b|\bi know (?:the code|your (?:address|code"
        r"|schedule|route))\b|\bfind out what i(?:'m| am) (?:like|capable)\b|\b(?:would|it'd|it "
        r"would) be (?:such a |a real )?(?:shame|pity) if\b|\bi wonder what your \w+ (?:would"
        r"|will) (?:think|say)\b|\bi(?:'ll| will) be waiting (?:outside|for you)\b|\blucky i(?:'m"
        r"| am)\b|\bdon't push it\b|\bhope (?:it was|it's|it is) worth it\b|\bif i (?:started"
        r"|start) talking\b|\bnobody (?:would|will) believe you\b|\bi(?:'ll| will) (?:hear|find"
        r" out) about it\b|\bmore to lose\b|\btick[ ,-]?tock\b|\bif i were you,? i (?:wouldn't"
        r"|would not)\b|\byou won't (?:enjoy|like|love) (?:how|what|my)\b|(?:^|[.!?]\s*)(?:shame"
        r"|pity|awful) if\b|\bi'd hate for you to\b|\bi(?:'ve| have)? (?:got )?(?:copies"
        r"|screenshots|recordings|evidence)"
        r" of\b|\blong memory\b|\bfor your own (?:sake|good)\b|\bhow far i(?:'ll| will)? go\b"
        r"|\bi know a lot about you\b|\bstill (?:got|have) (?:all )?(?:those|the|your) (?:pics"
        r"|photos|pictures|videos)\b"
    ),
    _veiled(
        r"\bit(?:'d| would) be a (?:shame|pity) if\b|\bsomething (?:might|could|may) happen\b"
        r"|\baccidents\b[^.!?]{0,20}\bhappen|\bmark my words\b|\bconsequences\b"
    ),
    _veiled(
        r"\b(?:things|stuff|life) (?:might|could|will|may|are going to|is going to) "
        r"(?:look|get|be) (?:a bit |a little |very |really )?(?:different|ugly|difficult)\b"
    ),
    _veiled(r"\b(?:see|let's see) how (?:that|this|it) works out for you\b"),
    _veiled(
        r"\b(?:would|it'd|it would) be (?:awful|terrible) if\b|\byour (?:boss|mum|mom|wife|husband"
        r"|family|parents|work|manager|sponsor) (?:would|will) (?:love|like|want|be (?:interested"
        r"|curious)) to (?:hear|know|see)\b|(?:just so you know|just saying|food for thought|think"
        r" about (?:that|it)|bear that in mind|just a (?:friendly )?(?:tip|thought))\s*[.!]*\s*$"
    ),
    _veiled(
        rf"\bmake (?:{_YOU}|sure {_YOU}) (?:regret|pay|sorry|suffer)\b"
        rf"|\bmake {_YOUR} life (?:hell|a (?:living )?hell|a misery|miserable)\b"
    ),
    _veiled(
        rf"\b{_YOU}(?:'ll| will) never see (?:the kids|the children|{_YOUR} "
        r"(?:kids|children|son|daughter|dog))\b|\bi(?:'ll| will)(?: just)? take (?:the kids|"
        r"the children|the baby)(?: away| and go| and leave| from you)\b"
    ),
    _veiled(
        rf"\b{_YOU}(?:'d| had) better (?:not|watch|be careful|stop|answer|pick up)\b"
        rf"|\bwatch (?:yourself|{_YOUR} back)\b|\bdon't be surprised if\b"
    ),
    _veiled(
        r"\b(?:tell|show|send) (?:everyone|your boss|your (?:work|family|parents))\b"
        r"[^.!?]{0,30}\b(?:photos|pictures|pics|videos|screenshots|messages)\b"
    ),
)
