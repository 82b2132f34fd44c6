"""``terms.stem`` gives the terms SQLite FTS5's porter tokenizer stores, so document frequencies and the in-memory
keyword search look up the index's own terms. Checked against a real FTS5 table over every distinct word of the
sample corpus and the test reports, and over words where FTS5 (Martin Porter's reference C code) departs from the
published algorithm."""
import sqlite3

from conftest import MINI, SEED

from assistant.terms import stem, words

DEPARTURES = {  # word: FTS5's term (PyStemmer's "porter" gives the second form)
    "technology": "technolog",  # not "technologi"
    "apologies": "apolog",  # not "apologi"
    "possibly": "possibl",  # not "possibli"
    "responsibly": "respons",  # not "responsibli"
    "assemblies": "assembl",  # not "assembli"
    "doxxed": "dox",  # not "doxx"
    "vs": "vs",  # not "v"
    "wobbliness": "wobbli",  # "bli" from step 3, after step 2: kept
}


def _fts5_terms(items: list[str]) -> list[list[str]]:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE t USING fts5(w, tokenize='porter unicode61 remove_diacritics 2')")
    db.executemany("INSERT INTO t(rowid, w) VALUES (?, ?)", [(i + 1, w) for i, w in enumerate(items)])
    db.execute("CREATE VIRTUAL TABLE v USING fts5vocab(t, 'instance')")
    out: dict[int, list[str]] = {}
    for term, doc in db.execute("SELECT term, doc FROM v ORDER BY doc, offset"):
        out.setdefault(doc, []).append(term)
    return [out.get(i + 1, []) for i in range(len(items))]


def test_stems_are_fts5_terms_for_every_corpus_word():
    text = SEED.read_text() + "".join(p.read_text() for p in sorted(MINI.iterdir()))
    vocab = sorted({w.split("'")[0] for w in words(text)} - {""})
    assert len(vocab) > 500
    wrong = [(w, got, stem(w)) for w, got in zip(vocab, _fts5_terms(vocab)) if got != [stem(w)]]
    assert wrong == []


def test_stems_follow_fts5_where_it_departs_from_the_published_porter():
    assert _fts5_terms(list(DEPARTURES)) == [[t] for t in DEPARTURES.values()]  # what FTS5 does
    assert {w: stem(w) for w in DEPARTURES} == DEPARTURES
