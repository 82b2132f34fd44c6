"""Keyword search held in memory: the catalog's FTS5 index read once into numpy postings, ranked by the same BM25
as SQLite FTS5's ``bm25()`` (k1 = 1.2, b = 0.75, one phrase per quoted query word).

Why: a question is searched by keyword six or seven times (the question, its clauses, each named publisher), and
FTS5 walks the whole posting list of every query word on each search: 10-20 ms for a 23-word question on the
MultiHop index (7,938 chunks), most of ``ask``'s time on 2 cores. Here a search is a few numpy gathers over the
same postings. The scores are FTS5's (``tests/test_keyword_memory.py`` compares both on a real index); the catalog
falls back to FTS5 for what this cannot answer exactly (a query word outside ``[a-z0-9]``, which FTS5's tokenizer
might split into a phrase) and while the postings are being read.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from .terms import stem
from .types import Filters

K1, B = 1.2, 0.75
_PLAIN = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class Postings:
    """One snapshot of the keyword index. Rows are chunks in rowid order; ``docs[a:b]`` are the rows holding the
    term at ``spans[term] = (a, b)``, ``weights[a:b]`` their BM25 term-frequency factor
    tf (k1 + 1) / (tf + k1 (1 - b + b dl / avgdl))."""

    generation: str  # the catalog's keyword generation this was read at
    spans: dict[str, tuple[int, int]]
    docs: np.ndarray  # int32 rows
    weights: np.ndarray  # float64
    chunk_ids: list[str]
    row_report: np.ndarray  # int32: each row's index into the report arrays
    report_ids: np.ndarray  # str
    sources: np.ndarray
    authors: np.ndarray
    published: np.ndarray  # ISO dates as stored ('' when unknown), compared as strings, as the SQL filter does

    @property
    def rows(self) -> int:
        return len(self.chunk_ids)


def build(generation: str, rowids: np.ndarray, chunk_ids: list[str], chunk_reports: list[str],
          reports: Sequence[tuple[str, str, str, str]], instances: list[tuple[str, str]]) -> Postings:
    """Postings from the catalog's rows: ``rowids``/``chunk_ids``/``chunk_reports`` per chunk, sorted by rowid;
    ``reports`` as (id, source, author, published); ``instances`` as (term, comma-separated rowids, one per
    occurrence of the term) from FTS5's ``instance`` vocabulary."""
    n = len(rowids)
    terms = [t for t, _ in instances]
    counts = np.array([s.count(",") + 1 for _, s in instances], dtype=np.int64)
    # parsed in C: a list of 1.4 million strings first took 0.35 s and ~100 MB more peak memory on the MultiHop index
    flat = np.fromstring(",".join(s for _, s in instances), dtype=np.int64, sep=",") if instances else np.zeros(0, np.int64)
    rows = np.searchsorted(rowids, flat)
    term_of = np.repeat(np.arange(len(terms), dtype=np.int64), counts)
    keys, tf = np.unique(term_of * (n + 1) + rows, return_counts=True)  # one entry per (term, row), tf = repeats
    doc_rows = (keys % (n + 1)).astype(np.int32)
    term_idx = keys // (n + 1)
    dl = np.bincount(rows, minlength=n).astype(np.float64)  # tokens per chunk: FTS5's document length
    avgdl = dl.sum() / n if n else 1.0
    tf = tf.astype(np.float64)
    weights = tf * (K1 + 1) / (tf + K1 * (1 - B + B * dl[doc_rows] / avgdl))
    starts = np.searchsorted(term_idx, np.arange(len(terms) + 1))
    spans = {t: (int(starts[i]), int(starts[i + 1])) for i, t in enumerate(terms)}
    index = {rid: i for i, (rid, *_) in enumerate(reports)}
    cols = list(zip(*reports)) if reports else [(), (), (), ()]
    return Postings(generation, spans, doc_rows, weights, list(chunk_ids),
                    np.array([index.get(r, -1) for r in chunk_reports], dtype=np.int32),
                    *(np.array(c if c else [], dtype=str) for c in cols))


def search(p: Postings, words: Sequence[str], n: int, filters: Filters | None = None) -> list[tuple[str, float]] | None:
    """``(chunk_id, bm25)`` best first, as FTS5 ranks ``"w1" OR "w2" ...`` (ties by rowid); ``None`` when a word is
    not plain ``[a-z0-9]`` (FTS5's tokenizer may read it as several tokens: ask FTS5)."""
    uniq = list(dict.fromkeys(words))
    if not all(_PLAIN.fullmatch(w) for w in uniq):
        return None
    scores = np.zeros(p.rows)
    hit = np.zeros(p.rows, dtype=bool)
    for w in uniq:  # a stem two words share counts twice, as two FTS5 phrases would
        a, b = p.spans.get(stem(w), (0, 0))
        if a == b:
            continue
        idf = np.log((p.rows - (b - a) + 0.5) / ((b - a) + 0.5))
        rows = p.docs[a:b]
        scores[rows] += (idf if idf > 0 else 1e-6) * p.weights[a:b]
        hit[rows] = True
    mask = mask_rows(p, filters)
    found = np.flatnonzero(hit if mask is None else hit & mask)
    if len(found) > n:  # every row scoring at least the n-th best, so that ties at the cut go by rowid too
        found = found[scores[found] >= np.partition(scores[found], len(found) - n)[len(found) - n]]
    found = found[np.lexsort((found, -scores[found]))]  # best first, ties by rowid
    return [(p.chunk_ids[i], float(scores[i])) for i in found[:n]]


def mask_rows(p: Postings, f: Filters | None) -> np.ndarray | None:
    """Rows the filters keep (the same conditions as the catalog's SQL), or ``None`` for all (also used by
    ``dense_memory``, so keyword and dense searches filter alike)."""
    if f is None or f.empty:
        return None
    keep = np.ones(len(p.report_ids), dtype=bool)
    if f.sources:
        keep &= np.isin(p.sources, list(f.sources))
    if f.authors:
        keep &= np.isin(p.authors, list(f.authors))
    if f.reports:
        keep &= np.isin(p.report_ids, list(f.reports))
    if f.after:
        keep &= p.published >= f.after.isoformat()
    if f.before:
        keep &= (p.published != "") & (p.published <= f.before.isoformat())
    return np.append(keep, False)[p.row_report]  # a chunk of no known report (-1) is never kept
