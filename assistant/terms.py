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
    return _stemmer.stemWord(word)


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
