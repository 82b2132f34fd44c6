"""Words, stopwords and stems shared by keyword search and sentence scoring.

Stems use the original Porter algorithm, the one SQLite's FTS5 ``porter`` tokenizer applies, so a question's
stems match the keyword index's vocabulary.
"""
from __future__ import annotations

import math
import re
import unicodedata
from functools import lru_cache
from typing import Sequence

import Stemmer

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?", re.UNICODE)
STOPWORDS = frozenset(
    """a about above after again against all am an and any are aren as at be because been before being below between
    both but by can could did didn do does doesn doing don down during each either few for from further had has have
    having he her here hers herself him himself his how i if in into is isn it its itself just let me more most my
    myself neither nor not no of off on once only or other our ours ourselves out over own per same she should so some
    such than that the their theirs them themselves then there these they this those through to too under until up
    upon us very via was wasn we were weren what when where which while who whom whose why will with would you your
    yours yourself yourselves s t also according article articles report reports reported reporting news story
    stories said says say tell told mention mentioned mentions regarding based""".split()
)
_stemmer = Stemmer.Stemmer("porter")


def fold(text: str) -> str:
    """Lower-case and strip diacritics (as FTS5's ``remove_diacritics`` does)."""
    if text.isascii():
        return text.lower()
    text = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def words(text: str) -> list[str]:
    return [w.replace("’", "'") for w in _WORD.findall(fold(text))]


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """The stem SQLite FTS5's ``porter`` tokenizer gives a folded word, so that stems name the keyword index's
    terms (document frequencies, in-memory keyword search). FTS5 follows Martin Porter's reference C code, which
    departs from the published algorithm (PyStemmer's "porter"); the departures are applied here: words under 3
    letters are kept whole ("vs"), step 2 turns "bli" into "ble" ("possibly" -> "possibl") and "logi" into "log"
    ("technology" -> "technolog"), and step 1b undoubles every double consonant but l, s and z ("doxxed" -> "dox").
    On the MultiHop corpus' 39,771 distinct words this and FTS5 agree on all but a handful (tests/test_terms.py)."""
    if len(word) < 3 or len(word) > 64:
        return word
    out = _stemmer.stemWord(word)
    ends_y = word.endswith(("y", "ies", "i"))  # "...bli"/"...logi" from step 1, not from a later step ("wobbliness")
    if ends_y and out.endswith("logi") and _measure(out[:-4]) > 0:
        return out[:-1]
    if ends_y and out.endswith("bli") and _measure(out[:-3]) > 0:
        return _stemmer.stemWord(out[:-1] + "e")  # steps 3-5 on "...ble", which steps 1-2 leave alone
    if (len(out) > 2 and out[-1] == out[-2] and out[-1] in "chjkqvwx" and out != word
            and word.endswith(("ed", "ing")) and word.startswith(out)):
        return out[:-1]
    return out


def _measure(stem_: str) -> int:
    """Porter's m: the number of vowel-consonant sequences (y is a vowel after a consonant)."""
    kinds, prev = [], "v"  # a word's first y is a consonant
    for ch in stem_:
        prev = "v" if ch in "aeiou" or (ch == "y" and prev == "c") else "c"
        kinds.append(prev)
    return "".join(kinds).count("vc")


def content_words(text: str) -> list[str]:
    """The non-stopword words, folded, possessives dropped, in order, repeats kept."""
    out = []
    for w in words(text):
        base = w.split("'")[0]
        if base and base not in STOPWORDS and (len(base) > 1 or base.isdigit()):
            out.append(base)
    return out


def content_stems(text: str) -> list[str]:
    return [stem(w) for w in content_words(text)]


def match_expression(words_: list[str]) -> str:
    """An FTS5 query matching any of the words (quoted, so none is read as an operator; FTS5 stems them)."""
    uniq = list(dict.fromkeys(words_))
    return " OR ".join(f'"{w}"' for w in uniq)


def idf_from_frequencies(df: dict[str, int], n_docs: int, terms: Sequence[str]) -> dict[str, float]:
    """BM25's idf, kept positive; a term no chunk contains gets the highest idf."""
    return {t: math.log(1 + (n_docs - df.get(t, 0) + 0.5) / (df.get(t, 0) + 0.5)) for t in terms}


def local_weights(stems: Sequence[str], idf: dict[str, float], held: Sequence[set[str]]) -> dict[str, float]:
    """Each stem's IDF times its rarity among the candidates, log((N + 1) / (n + 0.5)) with n of the N candidates
    holding it (``held``: each candidate's stems). "Bankman-Fried" and "FTX" weigh little when every candidate about
    the trial has them; "Paradigm" and "board" weigh much when one or two do."""
    n = len(held)
    return {t: idf[t] * math.log((n + 1) / (sum(t in h for h in held) + 0.5)) for t in stems}
