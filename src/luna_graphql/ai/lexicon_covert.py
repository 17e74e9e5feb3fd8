"""Hostility without insult words (data only): mock praise, condescension, martyrdom, blame
turned around, the many ways of shutting a conversation down, sweeping verdicts.

Gottman's point is that contempt and criticism are a stance, not a vocabulary: "should I get
you a sticker?" has no bad word in it. The shapes here are rhetorical questions aimed at the
partner, praise undercut by "finally" or "oh wait", sacrifice announced ("I'll just…, as
usual"), and conditions that return the blame ("maybe if you'd…").
"""

from __future__ import annotations

from luna_graphql.ai.lexicon import YOU as _YOU
from luna_graphql.ai.lexicon import YOU_ARE as _YOU_ARE
from luna_graphql.ai.lexicon import YOUR as _YOUR
from luna_graphql.ai.lexicon import Gate, Kind, Marker, marker


def _m(
    kind: Kind, pattern: str, gate: Gate = Gate.NOT_POSITIVE, trigger: str | None = None
) -> Marker:
    return marker(kind, pattern, gate=gate, trigger=trigger)


COVERT_MARKERS: tuple[Marker, ...] = (
    _m(
        "contempt",
        r"\bthe state of (?:you|yourself)\b|\bi married an? (?:\w+ )?(?:fool|idiot|child|loser"
        r"|liar|coward)\b|\bnever (?:been )?your strong (?:suit|point)\b|\bwaterworks\b|\bgrow a "
        r"(?:spine|pair|backbone)\b|\bloser behaviou?r\b|\bhow did you even\b|\byou're a joke\b"
        r"|\bfor so little\b|\b(?:mr|miss|mrs|ms|mister|little miss) \x27",
        Gate.NONE,
    ),
    _m(
        "name_calling",
        rf"\b(?:{_YOU_ARE}|are you) (?:\w+ )?(?:a |an )?(?:parasite|leech|freeloader|fool|flake"
        r"|thick|deaf|dense|dim|brain ?dead|thick as)\b|\bthick as\b",
        Gate.NOT_PLAYFUL,
    ),
    _m(
        "criticism",
        rf"\b{_YOU_ARE} an? (?:terrible|awful|hopeless|useless|bad|pathetic|lousy) \w+\b"
        r"|\bthat's (?:just )?(?:how|who|what) you are\b|\bhow is anyone supposed to\b|\byou "
        r"(?:have|got) (?:zero|no) (?:drive|ambition|backbone|spine|respect|consideration|manners"
        r"|shame)\b|\bcan't be (?:trusted|relied on|relied upon)\b|\bmost \w+ (?:\w+ )?person "
        r"i've ever\b|\bcare about (?:anyone|anything|anybody) but (?:yourself|you)\b|\bwhy do "
        r"you have to be so\b|\baren't you the (?:great |big )?\w+",
    ),
    _m(
        "defensiveness",
        r"\band i don't say a word\b|\bthat's rich\b|\brich coming from\b|\bwhat about the "
        r"things you\b|\b(?:i'm|am i) the bad guy\b|\bjustify myself\b|\bthe thanks i get\b"
        r"|\byou think you(?:'d| could| would) do (?:it )?better\b|\bhardly my problem\b|\bwhat "
        r"(?:did|do) you want me to do\b|\bdon't act like (?:a saint|you're perfect|you're "
        r"innocent)\b|\bwhy is this (?:\w+ )?on me\b|\bwhat you're on about\b",
        Gate.NONE,
    ),
    _m(
        "sweeping",
        r"\byou \w+ (?:me )?(?:constantly|all the time|nonstop|without fail)\b|\bwithout fail\b"
        r"|\beach and every\b|\bevery (?:single )?\w+,? every (?:single )?\w+\b|\b(?:isn't"
        r"|hasn't been|wasn't|haven't had) a single\b|\byou (?:\w+ )?(?:forget|ruin|mess up|lose"
        r"|criticise|criticize|question|ignore) (?:absolutely )?(?:everything|every \w+)\b"
        r"|\beveryone else's (?:bf|gf|boyfriend|girlfriend|husband|wife|partner)\b|\bsame "
        r"(?:fight|argument|thing|story) (?:on loop|every time|again and again|over and over)\b"
        r"|\bnot kept (?:one|a) (?:single )?promise\b|\bconstantly the same\b",
        Gate.NOT_PLAYFUL,
    ),
    _m(
        "sarcasm",
        r"\bgets more (?:of your )?attention than\b|\bmore (?:time|attention|effort) for \w+ "
        r"than (?:me|us|your)\b|\bi(?:'ll| will)? just \w+ (?:\w+ ){0,3}(?:myself|on my own)\b"
        r"|\blike i do everything(?: else)?\b|\b(?:nice|lovely|good|kind|sweet) of (?:you"
        r"|someone) to finally\b|\bdon't mind (?:us|me)\b|\bso we're doing this now\b|\bwhere i "
        r"(?:rank|stand|come)\b|\bwhat could possibly\b|\bi'm (?:so )?used to being\b"
        r"|\bdon't worry about (?:ringing|calling|texting|asking)\b",
        Gate.NOT_PLAYFUL,
    ),
    # --- contempt: superiority, mock praise, shaming ------------------------------------
    _m(
        "contempt",
        r"\b(?:should (?:i|we)|do you want (?:me|us) to|want (?:me|us) to|shall (?:i|we)) "
        r"(?:get|give|throw|buy|make|bake|award) (?:you )?(?:a|an) (?:sticker|medal|trophy|parade"
        r"|gold star|award|prize|cookie|round of applause|party|certificate)\b",
        Gate.NONE,
    ),
    _m(
        "contempt", r"\bgold star\b|\bround of applause\b|\ball by (?:yourself|urself)\b", Gate.NONE
    ),
    _m(
        "contempt",
        rf"\b(?:so|that) even {_YOU} (?:can|could|understand|follow|get)\b|\beven {_YOU} "
        r"(?:can|could|should) (?:manage|understand|follow|do)\b|\blet me (?:explain|spell|say) "
        r"(?:it|this|that) (?:slowly|again|simply)\b|\b(?:in|using) small words\b",
        Gate.NONE,
    ),
    _m(
        "contempt",
        rf"\b(?:don't|dont|do not) know how {_YOU} (?:function|survive|manage to|get through"
        rf"|made it|cope|are (?:an )?adult)\b|\bhow do {_YOU} (?:even )?function\b"
        rf"|\bdo {_YOU} even (?:hear|listen to) yourself\b",
        Gate.NONE,
    ),
    _m(
        "contempt",
        rf"\b(?:act|be) {_YOUR} age\b|\bready to be an adult\b|\b(?:like|be) a (?:grown|real) "
        rf"(?:up|adult|man|woman)\b|\b{_YOU_ARE} a grown (?:man|woman|adult)\b",
        Gate.NONE,
    ),
    _m(
        "name_calling",
        r"\b(?:you|u) (?:(?:stupid|dumb|useless|pathetic|lazy|selfish|fat|ugly|worthless|lying"
        r"|cheating|spoilt|spoiled|fucking|bloody|absolute|total|disgusting) ){1,3}(?:man|woman|cow"
        r"|bitch|bastard|brat|git|twat|prick|moron|idiot|loser|child|boy|girl|pig|slob|liar|waste"
        r"|piece of \w+)\b",
        Gate.NOT_PLAYFUL,
    ),
    _m(
        "contempt",
        r"\ba (?:child|toddler|monkey|five[- ]year[- ]old|chimp|baby|goldfish) could (?:\w+ )?"
        rf"(?:\w+ )?better than {_YOU}\b|\bembarrassing (?:watching|seeing|listening to|being "
        rf"with) {_YOU}\b|\bmakes? me (?:want to )?(?:throw up|puke|vomit|gag|feel sick)\b"
        rf"|\b{_YOU_ARE} like an? (?:animal|pig|child|toddler|slob)\b",
        Gate.NONE,
    ),
    _m(
        "contempt",
        r"\b(?:congrats|congratulations|well done|bravo|good job|great job|nice job|gold star)\b"
        r"[^.!?]{0,40}\b(?:finally|only took|all by yourself|one article|expert|genius|einstein)\b",
        Gate.NONE,
    ),
    _m(
        "contempt",
        rf"\b(?:cute|sweet|adorable) (?:that|how) {_YOU} "
        rf"(?:think|believe|actually)\b|\b{_YOUR} little (?:hobby|job|friends|project|business"
        r"|feelings|career|idea|plan)\b|\bimagine being\b",
        Gate.NONE,
    ),
    _m(
        "contempt",
        rf"\bno wonder (?:{_YOUR}|{_YOU}|she|he|they|nobody|no one)\b|\blook at (?:yourself|you)"
        r"(?!\s+(?:go|now|all|in|with|and|looking))\b",
    ),
    _m(
        "contempt",
        rf"\b(?:embarrassed|ashamed) (?:to be seen )?(?:with|of|by) {_YOU}\b"
        rf"|\b{_YOU_ARE} (?:an? )?(?:\w+ )?"
        r"(?:embarrassment|disgrace|waste of (?:space|time|oxygen))\b|\bwhat a joke\b",
        Gate.NONE,
    ),
    _m(
        "contempt",
        r"\b(?:act|acting|behave|behaving|eat|eats|eating|talk|whine|whining|sulk|sulking|cry"
        r"|crying)\w* like a (?:child|toddler|baby|teenager|pig|slob|animal|brat|spoilt brat)\b"
        r"|\blike (?:explaining|talking)\b[^.!?]{0,30}\bto a (?:child|toddler|wall|brick)\b",
        Gate.NONE,
    ),
    _m(
        "contempt",
        r"\b(?:needing|need|run|running|go|going) (?:back )?(?:to )?(?:your )?(?:mummy|mommy|mama)"
        r"\b|\b(?:mummy|mommy|mama)'s boy\b",
        Gate.NONE,
    ),
    _m(
        "contempt",
        rf"(?:^|[.!?]\s*)(?:ew+|gross|ugh,? {_YOU})\b|\bcan't (?:even )?look at {_YOU}\b"
        r"|\bbold choice for\b|\bfor someone (?:your|of your) (?:size|age|weight)\b",
        Gate.NONE,
    ),
    _m(
        "contempt",
        rf"\bi'm sure {_YOU} (?:tried|did your best|meant well|were (?:so |very )?busy)\b",
        Gate.NONE,
    ),
    _m("contempt", rf"\bi(?:'m| am) not {_YOUR} (?:secretary|mother|mum|mom|maid|servant|slave)\b"),
    # --- criticism: a verdict on the person, often as a rhetorical question ------------------
    _m(
        "criticism",
        r"\bwhat kind of (?:a )?(?:person|man|woman|mother|father|parent|partner|husband|wife"
        r"|boyfriend|girlfriend|adult|grown \w+) (?:\w+ )?(?:forgets|does|would|says|leaves"
        r"|doesn't|can't|lets|treats|needs)\b",
        Gate.NONE,
    ),
    _m(
        "criticism",
        r"\bhow hard (?:is it|can it be|is one|is a|was it)\b|\bwhy is it so hard for (?:you|u)\b"
        r"|\bis it (?:really )?(?:too much|so much|that hard) to ask\b|\bwould it kill (?:you|u)\b",
    ),
    _m(
        "criticism",
        r"\bhow many times (?:do|have|must|did) i (?:have to |got to )?(?:tell|ask|say|remind)\b"
        rf"|\bwhy (?:are|r) {_YOU} (?:like this|always like this)\b|\bthe (?:real )?problem is "
        rf"(?:that )?{_YOU_ARE}?\b",
    ),
    _m("criticism", rf"\b{_YOU} can't even\b|\bdo {_YOU} even (?:write|think|try|care|know)\b"),
    _m(
        "criticism",
        rf"\b{_YOU_ARE} (?:just |so |really |honestly |completely |totally )*(?:bad|terrible|awful"
        r"|hopeless|useless|rubbish|crap|the worst) (?:with|at)\b|\b(?:incapable|unable) of\b"
        rf"|\b{_YOUR} (?:real |biggest |only |whole )?problem is\b|\b{_YOU} (?:clearly|obviously"
        r"|apparently|evidently) (?:think|care|don't|do not|love|prefer|want|value)\b|\bmatters? "
        r"more (?:to you )?than (?:me|us|this family|your family|our)\b",
        Gate.NOT_PLAYFUL,
    ),
    _m(
        "criticism",
        rf"\b{_YOU_ARE} (?:so |such a |just |really |honestly )*(?:disorgani[sz]ed"
        r"|exhausting|unbearable|insufferable|ungrateful|entitled|spoil(?:t|ed)|arrogant"
        r"|incompetent|negative|cheap|stingy|greedy|manipulative|toxic|two-faced|sneaky"
        r"|dishonest|weak|spineless|annoying|useless)\b",
    ),
    _m("criticism", rf"\b{_YOU} (?:leave|dump|push) (?:every|all (?:the|of the)) \w+"),
    _m("criticism", rf"\b{_YOU} forgot\b[^.!?]{0, 120}(?:again|agai+n)\b|\b{_YOU} forgot again\b"),
    # --- defensiveness: blame returned, the complaint not heard ---------------------------
    _m(
        "defensiveness",
        rf"\bmaybe if {_YOU}(?:'d|d| had| would| did| were| didn't| weren't| actually)\b"
        rf"|\b(?:well )?if {_YOU}(?:'d| had) (?:\w+ ){{0,3}}(?:reminded|told|asked|said|listened)"
        r"\b",
        Gate.NONE,
    ),
    _m(
        "defensiveness",
        r"\bdon't put (?:this|it|that) on me\b|\bnot (?:on me|my problem)\b|\b(?:don't|stop) "
        r"(?:make|making) this (?:about|my)\b|\bwhy (?:do )?(?:you|u) always blame me\b",
        Gate.NONE,
    ),
    _m(
        "defensiveness",
        rf"\bwhat (?:more|else) do {_YOU} want(?: from me| me to do)?\b|\bwhat do {_YOU} want from"
        r" me\b|\bi can't (?:do|say) anything (?:anymore|right)\b|\bwhatever i do (?:it's|is) wrong"
        r"\b",
        Gate.NONE,
    ),
    _m(
        "defensiveness",
        r"\bit was (?:a|just a|only a) joke\b|\bcan't (?:you )?take a joke\b|\bi was (?:literally "
        r"|just |only )*(?:doing what you|trying to help|joking)\b",
        Gate.MESSAGE_NOT_POSITIVE,
    ),
    _m(
        "defensiveness",
        r"\bat least i (?:don't|didn't|do|did|try|tried|bother|remember|have|can|work)\b"
        rf"|\b{_YOU_ARE} not perfect either\b|\bsorry i'm not perfect\b|\b(?:well )?excuse me for"
        rf"\b|\bsome of us (?:have|work|actually)\b|\bi'm not (?:a|your) (?:machine|robot)\b",
        Gate.NONE,
    ),
    _m(
        "defensiveness",
        r"\bi said (?:i'm |i was |im )?sorry(?: already)?,? (?:what|ok|okay|god|jeez|alright|so)\b"
        r"|\bi (?:already )?said sorry (?:already )?what\b|\bwhy (?:are|r) (?:you|u) (?:attacking"
        r"|having a go at|yelling at|getting at|on at) me\b|\bdon't lecture me\b|\b(?:stop|quit)"
        r" (?:lecturing|nagging|policing) me\b|\bi'm not (?:yelling|shouting)\b",
        Gate.NONE,
    ),
    _m(
        "defensiveness",
        rf"\bwhy didn't {_YOU}\b[^.!?]{0, 120}\?|\b(?:that's|thats) on {_YOU}\b",
        Gate.NOT_POSITIVE,
    ),
    _m(
        "defensiveness",
        rf"\bif {_YOU} (?:hadn't|had not|had|'d|didn't|did not|weren't|wasn't) [^.!?]{{0,40}}\bi "
        r"(?:wouldn't|would not|would've|wouldn't have|never would)\b|\b(?:you're|you are|stop) "
        r"twisting (?:everything|my words|things|it)\b|\bthat's not what happened\b|\bwhy am i "
        rf"always the (?:bad guy|villain|one|problem)\b|\b{_YOU_ARE} making (?:a|such a) (?:thing"
        r"|big deal|fuss|drama|scene)\b|\b(?:says|said|coming from) the (?:one|person|guy|girl|man"
        r"|woman) who\b",
        Gate.NONE,
    ),
    _m(
        "defensiveness",
        rf"(?<!know )\b{_YOU} (?:were|did|was) (?:\w+ ){{0,3}}too\s*(?:[.!?]|$)"
        rf"|(?:^|[.!?]\s*)me\?|\b{_YOU_ARE} on (?:yours|your phone) (?:all|just as)",
    ),
    # --- stonewalling: the conversation shut down ------------------------------------------
    _m(
        "stonewalling",
        r"(?:\bi(?:'m| am) |^\s*)not doing this(?:\s*[.!]|\s*$| (?:again|now|with you|anymore"
        r"|right now"
        r"|tonight))|(?:^|[.!?]\s*|\bi(?:'m| am) )not (?:discussing|talking about) (?:this|it|that)"
        r"\b|\b(?:see|like|as) if i care\b|\bleft on read\b|\bnot reading (?:any|it|your)\b"
        r"|\b(?:muting|mute|muted|blocking) (?:this chat|you|the chat)\b"
        r"|\bi(?:'m| am) not talking\b",
        Gate.NONE,
        "i'm done",
    ),
    _m(
        "stonewalling",
        r"(?:^|[.!?]\s*)(?:just )?(?:drop|leave) it\s*(?:[.!]|$)"
        r"|(?<!there\x27s )(?<!there is )\bnothing (?:to|more to|else to)"
        r" (?:discuss|talk about|say)\b|\b(?:end of|that's the end of the) (?:discussion|story"
        r"|conversation)\b|\bsubject closed\b|\bconversation over\b",
        Gate.NONE,
    ),
    _m(
        "stonewalling",
        r"\b(?:not|i'm not|i am not|stop) (?:answering|replying|responding)\b|\b(?:don't|do not) "
        r"text me\b|\bphone'?s? (?:going|goes) off\b|\b(?:turning|switching) (?:my )?phone off\b",
        Gate.NONE,
    ),
    _m(
        "stonewalling",
        r"\bi(?:'ve| have) (?:stopped|given up) (?:caring|trying)\b|\bi(?:'ve| have) said "
        r"(?:everything|all) i(?:'m| am)? (?:going to|gonna|have to|want to) say\b|\btalk to "
        r"(?:the hand|a wall|the wall)\b|\bi(?:'m| am) done talking\b|\bnothing to say to you\b",
        Gate.NONE,
    ),
    _m(
        "stonewalling",
        r"\bdo (?:what|whatever) you (?:want|like)\b|\b(?:i )?(?:don't|dont|do not) (?:really )?"
        r"want to talk about (?:it|this|that)\b(?!,? just)|\btalk to me (?:when|once|after) "
        r"(?:you've|you have|youve|you) calmed down\b",
    ),
    # --- passive aggression: hostility dressed as thanks, patience or sacrifice ------------
    _m(
        "sarcasm",
        r"\bthanks for finally\b|\bfinally (?:remember\w*|decided|bother\w*|show\w* up|notic\w+"
        r"|grac\w+)\b|\bremember(?:ing|ed)? i exist\b|\boh wait\b|\bonly took (?:you )?(?:\d+|a"
        r"|an|two|three|four|five|six|seven|ten) (?:days|weeks|months|hours|years)\b|\blove that "
        r"for me\b|\bdidn't realise i (?:needed|had) to\b|\bi(?:'m| am) not (?:exactly |really )?"
        r"(?:a|your) priority\b|\bsince (?:that's|thats) what you (?:seem to )?want\b",
        Gate.NONE,
    ),
    _m(
        "sarcasm",
        r"\bno no,? (?:go|you go|it's fine|its fine|don't worry|it's only)\b"
        r"|\bi'll just (?:sit|stay"
        r"|wait|do it|sort it|be|eat) (?:here|myself|at home|alone|whatever)\b|\bi'll (?:just )?do"
        r" it myself\b|\bdon't worry about me\b",
        Gate.NONE,
    ),
    _m(
        "sarcasm",
        r"\b(?:as|like) (?:usual|always)\s*[.!🙂🙃]*\s*$|(?:^|[.!?]\s+)again\s*[.!]+|\bi'm (?:so )?"
        r"used to it\b|\b(?:it's|its|that's) not like (?:mine|my|i|anyone)\b|\bnice of (?:someone"
        r"|somebody|you) to (?:tell|let|ask|invite|mention|notice|show up|join|reply|answer|call)\b"
        r"|(?:^|[.!?]\s*)(?:great|perfect|wonderful|fantastic|brilliant|lovely),? another\b",
        Gate.NONE,
    ),
    _m(
        "sarcasm",
        r"\b(?:wow|gee|oh),? (?:thanks|thank you)\b|\breally appreciated\b[^.!?]{0,120}👏|👏\s*👏"
        r"|\bcool cool cool\b|\bper my last\b|\bwhy would i be upset\b",
        Gate.NOT_PLAYFUL,
    ),
    _m(
        "sarcasm",
        r"\b(?:interesting|funny) (?:that|how) (?:you|u)(?:'re| are)? (?:always|never|suddenly|only"
        r"|can|have|find|had|got|found|managed|remembered)\b|\bglad (?:someone|somebody"
        r"|one of us) (?:had|has|is having"
        r"|got)\b|\byou know best\b|\bif you say so\b|\bi see (?:you|u) (?:found|had|have) time\b",
        Gate.NOT_PLAYFUL,
    ),
    _m("sarcasm", r"\bof course (?:you|u) (?:did|didn't|do|don't|were|would|wouldn't|forgot)\b"),
    # \x27 is a quote that must be there: `marker` makes a plain apostrophe optional.
    _m(
        "sarcasm",
        r"\bit's only my\b|\b(?:your|the|my|his|her|our) \x27[^\x27\s]+(?: [^\x27\s]+)?"
        r"\x27|🙃",
        Gate.NOT_PLAYFUL,
    ),
    # --- absolutes aimed at the partner --------------------------------------------------
    _m(
        "sweeping",
        r"\b(?:why is it|it's|its) always (?:me|my|about)\b|\bnot (?:once|one time|a single time)"
        rf"\b|\b{_YOU}(?:'ve| have)? (?:haven't|have not|never|not|didn't) (?:even )?once\b"
        r"|\bnothing"
        r" i (?:do|say|did) is (?:ever )?(?:good|right|enough)\b|\byou\b[^.!?]{0,80}\bfor once\b"
        r"|\bevery\.? single\.?"
        r" time\b|\bevery (?:weekend|day|night|morning|week|holiday|christmas|time)\b[^.!?]{0,20}"
        r"\b(?:it's|its) the same\b",
        Gate.NOT_PLAYFUL,
    ),
    _m("sweeping", r"\bi (?:do|pay for|organise|plan|handle|clean) everything\b"),
    _m("sweeping", rf"\bevery (?:single )?time (?:i|we) (?:\w+ ){{0,5}}{_YOU}\b"),
    _m("sweeping", rf"\b(?:everything|it) is always about {_YOU}\b"),
)
