"""What kind of answer a question asks for, and whether a sentence can hold it.

"How many ...?" wants a number, "When ...?" a time. A sentence without one cannot answer the question, whatever
words it shares with it. For "How many <things> were <done> ...?" a number alone is not enough either: it has to
count the things asked about. "The network claimed three attacks in Syria, including at Al Tanf base, just across
the border from Tower 22" shares "Tower 22" and holds a number, but does not say how many drones were used. The
number must stand within a few words of the counted noun ("three American soldiers") or of the question's verb
("wounded about 40").

A "Who ...?" question of one clause wants a name the question does not give: "Who did Washington hold responsible
...?" is not answered by a sentence naming only Washington.

"What kind of drone was used?" wants a word saying what kind: "a multi-tiered response" says what kind of response,
"launched a drone attack" names a drone and no kind of it.
"""
from __future__ import annotations

import re
from typing import Callable

from .person_names import PERSON_NOUNS
from .terms import STOPWORDS, content_stems, fold, stem, words

ASKS_NUMBER = re.compile(r"^\s*(how (many|much|long|far|old)|what (number|percentage|share|proportion))\b", re.I)
ASKS_TIME = re.compile(r"^\s*(when|(on |in )?what (date|day|year|month|time))\b", re.I)
_NUMBER_WORDS = ("one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|dozens?|hundreds?|thousands?|"
                 "millions?|billions?|half|several|few")
NUMBER = re.compile(rf"\d|\b({_NUMBER_WORDS})\b", re.I)
_NUMBER_WORD = re.compile(rf"^(\d[\d,.]*|{_NUMBER_WORDS}|dozen)$", re.I)
TIME = re.compile(r"\b(\d{4}|monday|tuesday|wednesday|thursday|friday|saturday|sunday|january|february|march|april|"
                  r"may|june|july|august|september|october|november|december|today|yesterday|tonight|morning|evening|"
                  r"night|weekend|week|month|year|ago|since|until|earlier|later|\d{1,2}:\d{2})\b", re.I)
# "How many US soldiers were killed ...": the counted words run up to the first stopword ("were"), then the first
# content word after them, usually the verb ("killed"; in "How many homes will the solar farm power?", "solar")
_HOW_MANY = re.compile(r"^\s*how many\s+(.+)$", re.I)
# "Who did Washington hold responsible ...?": answered by a sentence naming someone or something the question does
# not name ("the Islamic Resistance in Iraq", "an Iraqi politician"), not by one repeating the question's names
ASKS_WHO = re.compile(r"^\s*(who|whom|whose)\b", re.I)
# "What is the name of the IRGC commander ...?", "What were the names of the three US soldiers ...?": a person's name
_MORE_PERSON_NOUNS = (r"commanders?|soldiers?|troops|chiefs?|officers?|victims?|suspects?|spokes(?:man|woman|person)|"
                      r"ministers?|generals?|pilots?|hostages?|candidates?|judges?|lawyers?|doctors?|employees?|"
                      r"workers?|wife|wives|husbands?|sons?|daughters?|children|mothers?|fathers?|envoys?|"
                      r"ambassadors?|diplomats?|advisers?|advisors?|negotiators?|analysts?|experts?|managers?|"
                      r"secretar(?:y|ies)|governors?|mayors?|senators?|chancellors?|prosecutors?|kings?|queens?")
ASKS_PERSON_NAME = re.compile(r"^\W*what\s+(?:is|was|are|were)\s+the\s+names?\s+of\s+((?:the\s+|a\s+|an\s+|his\s+|her\s+)?"
                              r"(?:[\w'’-]+\s+){0,4}?(?:%s|%s)\b.*)$" % (PERSON_NOUNS, _MORE_PERSON_NOUNS),
                              re.I | re.S)
_REPORT_WORDS = frozenset("article articles report reports story stories piece pieces coverage reporting outlet "
                          "outlets publication publications source sources newspaper paper site blog post".split())
_PERSON_NOUN = re.compile(r"(?:%s|%s)" % (PERSON_NOUNS, _MORE_PERSON_NOUNS), re.I)
NAME_WINDOW = 4  # words between the name and a word the question says of the person: "the three soldiers killed as X"
# "Why did it do that?", "What was the purpose of the trip?": a reason or a purpose, said as one
ASKS_REASON = re.compile(r"^\W*(?:why\b|for what reason\b|what (?:was|is|were|are) the (?:reason|purpose|aim|goal|motive)s?\b)",
                         re.I)
REASON = re.compile(r"\b(?:because|since|as a result|due to|owing to|thanks to|in order to|so as to|so that|reasons?|"
                    r"why|purpose|aim(?:ed|s)? (?:to|at)|intend(?:ed|s)? to|meant to|made to|designed to|in an effort to|"
                    r"to (?:prevent|avoid|stop|protect|ensure|urge|allow|help|counter|deter|punish|pressure|show|signal|"
                    r"reduce|ease|de-escalate|end|keep|win|secure|raise|boost|cut|save)|after|following|amid|"
                    r"in response to|in retaliation|fears?|feared|concerns?|worr(?:y|ied|ies)|believed?|blamed?|"
                    r"went too far|suggest(?:s|ed|ing)?|keen to|wants? to|seeks? to|sought to)\b", re.I)
# "What did Iraq's prime minister say about ...?", "How did Barbara Leaf describe ...?": said by someone in particular
# (not "write": "What did Mara Quill write about X?" asks about an author, whose reports do not name her)
_SPEAKER = re.compile(r"^\W*(?:what|how)\s+(?:did|does|do|has|have|had|will|would)\s+(.{2,80}?)\s+(?:say|tell|"
                      r"describe|claim|think|argue|announce|warn|predict|mean|promise|suggest)\b", re.I)
# "What kind of drone was used?", "Which types of weapons ...?", "What model of drone ...?": the thing whose kind is
# asked for, then the rest
ASKS_KIND = re.compile(r"^\W*(?:what|which)\s+(?:kinds?|types?|sorts?|models?|brands?|makes?|variet(?:y|ies)|genres?|"
                       r"categor(?:y|ies)|forms?|class(?:es)?|styles?)\s+of\s+(.+)$", re.I | re.S)
# "drones such as the Shahed-136", "a group called the Islamic Resistance in Iraq", "a drone known as ..."
_KIND_AFTER = frozenset("such like called named including".split())
_TOKEN = re.compile(r"[^\W_]+(?:'[^\W_]+)?|[^\w\s]")  # words and punctuation marks, in order
# "Has Israel confirmed the attack?", "Does Lloyd Austin expect the attacks to stop?": whether the subject did the verb
_YES_NO = re.compile(r"^\W*(has|have|had|did|does|do)\s+(.+)$", re.I | re.S)
_PARTICIPLE = re.compile(r"^(?:[a-z-]+(?:ed|en|wn)|made|said|told|sent|paid|held|kept|left|lost|found|won|begun|done|"
                         r"gone|hit|put|set|cut|led|met|fought|bought|brought|thought|sought|caught|built|spent|sold|"
                         r"struck|stood|understood|run|become|come|let|shut|split|spread|quit|read|heard|meant)$")
# the reports' own verbs: "Has TechCrunch reported that ...?" asks what a report says, not whether it happened
_REPORTING = frozenset(stem(w) for w in "say said report claim suggest mention state tell write describe indicate "
                       "note cover highlight argue imply".split())
_CONNECTIVE = re.compile(r"^\W*(?:and|but|so|then|also|okay|ok|well)\b[\s,]*", re.I)
_NAME_WORD = re.compile(r"\b[^\W\d_][\w’'&.-]*")
_WORD_START = re.compile(r"\w")
COUNT_WINDOW = 3  # words between a number and the counted noun or the verb: "three American soldiers", "wounded about 40"


def counted(question: str) -> frozenset[str]:
    """The stems a number must stand near to answer a "how many" question: the counted words and the content word
    after them (usually the verb); empty for any other question, and for "how many" followed by no content word."""
    m = _HOW_MANY.match(question)
    if not m:
        return frozenset()
    tokens = words(m.group(1))
    i = 0
    while i < len(tokens) and tokens[i] in STOPWORDS:  # "how many of the ...", "how many US ..." ("us")
        i += 1
    noun = []
    while i < len(tokens) and tokens[i] not in STOPWORDS:
        noun.append(tokens[i])
        i += 1
    verb = next((w for w in tokens[i:] if w not in STOPWORDS), "")
    return frozenset(content_stems(" ".join(noun + [verb])))


def counts(sentence: str, near: frozenset[str], window: int = COUNT_WINDOW) -> bool:
    """Whether a number in the sentence stands within ``window`` words of one of the stems ``near``."""
    ws = words(sentence)
    numbers = [i for i, w in enumerate(ws) if _NUMBER_WORD.match(w)]
    if not numbers:
        return False
    anchors = [i for i, w in enumerate(ws) if w not in STOPWORDS and stem(w.split("'")[0]) in near]
    return any(abs(i - j) <= window for i in numbers for j in anchors)


def named_about(question: str) -> frozenset[str] | None:
    """For a question asking for a person's name, the stems of what it says about them ("the IRGC commander who
    travelled to Baghdad"), one of which the name must stand near; None for any other question."""
    m = ASKS_PERSON_NAME.match(question)
    return frozenset(content_stems(m.group(1))) if m else None


def speaker(question: str) -> str | None:
    """The stem of the head word of who the question asks about ("Iraq's prime minister" -> "minist", "Barbara
    Leaf" -> "leaf"), for "What did X say ...?" / "How did X describe ...?" when X is a name or a person noun; None
    for other questions, and for "What did the TechCrunch article say ...?" (a report is no speaker) or "What does
    the speed of Iran's intervention say about ...?"."""
    m = _SPEAKER.match(_CONNECTIVE.sub("", question))
    if not m:
        return None
    said = re.findall(r"[^\W_][\w’'-]*", m.group(1))
    if any(w.lower() in _REPORT_WORDS for w in said):
        return None
    heads = [w for w in said if w.lower() not in STOPWORDS]
    if not heads:
        return None
    head = _bare(heads[-1].replace("’", "'"))
    if not (head[0].isupper() or _PERSON_NOUN.fullmatch(head)):
        return None
    return stem(head.lower())


def kind_of(question: str) -> tuple[frozenset[str], frozenset[str]] | None:
    """For "What kind of <thing> ...?", the stems of the words naming the thing (those up to the question's first
    stopword after "of": "attack drone" in "What kind of attack drone was used?", "drone hit" in "What kind of drone
    hit the base?", where a verb follows without one) and the stems of the question's words, which say no kind the
    question does not already know; None for any other question."""
    m = ASKS_KIND.match(_CONNECTIVE.sub("", question))
    if not m:
        return None
    phrase = []
    for w in words(m.group(1)):
        if w in STOPWORDS:
            break
        phrase.append(stem(_bare(w)))
    return (frozenset(phrase), _asked(question)) if phrase else None


def describes(sentence: str, thing: frozenset[str], asked: frozenset[str]) -> bool:
    """Whether the sentence says what kind of thing (``thing``: the stems ``kind_of`` gives) it means: "such as",
    "like", "called", "named", "known as", "including" or ", a ..." after a word of the thing, or a word before the
    thing's words that is no stopword, no number and no word of the question ("a multi-tiered response",
    "Iranian-made attack drones", "Two Shahed drones hit the base"), where the thing ends its phrase (a stopword or a
    punctuation mark follows). "launched a drone attack" and "killed in Jordan drone attack" say no kind of drone:
    there "drone" says what kind of attack."""
    tokens = _TOKEN.findall(fold(sentence).replace("’", "'"))
    for i, w in enumerate(tokens):
        if not w[0].isalnum() or stem(_bare(w)) not in thing:
            continue
        after = tokens[i + 1:i + 3]
        if after and (after[0] in _KIND_AFTER or after in (["known", "as"], [",", "a"], [",", "an"])):
            return True
        if after and after[0][0].isalnum() and after[0] not in STOPWORDS:  # "drone attack": a kind of attack
            continue
        j = i - 1
        while j >= 0 and tokens[j][0].isalnum() and stem(_bare(tokens[j])) in thing:  # "attack drone", "drones hit"
            j -= 1
        before = tokens[j] if j >= 0 else ""
        if (before[:1].isalnum() and before not in STOPWORDS and not _NUMBER_WORD.match(before)
                and stem(_bare(before)) not in asked):
            return True
    return False


def asked_verb(question: str) -> str | None:
    """For a yes/no question whose subject is a name ("Has Israel confirmed ...?", "Does Lloyd Austin expect ...?",
    "Has it confirmed it?"), the stem of its main verb: the first word after the auxiliary that is no stopword and
    not capitalised; after "has" / "have" / "had" the first of the next words that reads as a participle
    ("confirmed", "taken", "made"; "Have the militias suspended ...?"), after "did" / "does" / "do" a name must come
    first ("Did the militia group claim ...?": "militia" could be the subject). None for other questions and for the
    reports' own verbs ("Has TechCrunch reported ...?")."""
    m = _YES_NO.match(_CONNECTIVE.sub("", question))
    if not m:
        return None
    perfect, name = m.group(1).lower() in ("has", "have", "had"), False
    for n, w in enumerate(re.findall(r"[^\W\d_][\w'’-]*", m.group(2))):
        low = w.lower()
        if w[0].isupper():  # "Israel", "Lloyd Austin", "US"
            name = True
            continue
        if stem(low) in _REPORTING:  # "reported" and "said" are stopwords too
            return None
        if low in STOPWORDS:
            continue
        if perfect and not _PARTICIPLE.match(low) and n < 4:  # "Have the militias suspended ...?"
            continue
        return stem(low) if perfect or name else None
    return None


def new_names(sentence: str, question: str) -> list[str]:
    """The capitalised words of the sentence the question does not use, after its first word (capitalised anyway)
    and leaving out stopwords ("She", "The") and calendar words ("Tuesday")."""
    return _new_names(sentence, _asked(question))


def _asked(question: str) -> frozenset[str]:
    return frozenset(stem(_bare(w)) for w in words(question))


def _new_names(sentence: str, asked: frozenset[str]) -> list[str]:
    first = _WORD_START.search(sentence)
    out = []
    for m in _NAME_WORD.finditer(sentence):
        if not m.group(0)[0].isupper() or (first is not None and m.start() <= first.start()):
            continue
        w = [_bare(x) for x in words(m.group(0))]
        if w and w[0] and w[0] not in STOPWORDS and stem(w[0]) not in asked and not TIME.fullmatch(w[0]):
            out.append(m.group(0).rstrip(".’'"))
    return out


def _bare(word: str) -> str:
    """"washington's" is "washington"."""
    return re.sub(r"'s?$", "", word)


def fits(question: str, count_near: bool = True, who_names: bool = True,
         why: bool = True, kind: bool = True) -> Callable[[str], bool] | None:
    """A test a sentence must pass to hold the kind of answer asked for, or None when any sentence may."""
    question = _CONNECTIVE.sub("", question)  # a follow-up: "And when did it announce it?"
    asked_kind = kind_of(question) if kind else None
    if asked_kind is not None:
        return lambda s: describes(s, *asked_kind)
    if who_names and ASKS_WHO.match(question):
        asked = _asked(question)  # once per question, not per sentence tested
        return lambda s: bool(_new_names(s, asked))
    if ASKS_TIME.match(question):
        return lambda s: TIME.search(s) is not None
    if why and ASKS_REASON.match(question):
        return lambda s: REASON.search(s) is not None
    if not ASKS_NUMBER.match(question):
        return None
    near = counted(question) if count_near else frozenset()
    if near:
        return lambda s: counts(s, near)
    return lambda s: NUMBER.search(s) is not None
