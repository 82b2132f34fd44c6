"""Retrieval: keyword (BM25 over the catalog's FTS5 index) and dense (Chroma) candidates, combined and filtered.

Questions that name publishers get one sub-retrieval per publisher, merged so that each keeps its best evidence in
the top-k; reports dated on a date the question names are boosted.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

import numpy as np

from .catalog import Catalog
from .embedding import Embedder
from .query_analysis import Facets, SourceMatcher, analyse
from .settings import RetrievalSettings
from .store import VectorStore
from .terms import content_words, match_expression
from .types import Filters, Passage


@dataclass
class Query:
    """What retrieval needs about a question (the vector is computed once and shared with the answerer)."""

    text: str
    vector: np.ndarray
    filters: Filters | None = None
    facets: Facets = field(default_factory=Facets)


class Retriever:
    def __init__(self, catalog: Catalog, store: VectorStore, embedder: Embedder, settings: RetrievalSettings):
        self.catalog, self.store, self.embedder, self.s = catalog, store, embedder, settings
        self._matcher: tuple[tuple[str, ...], SourceMatcher] | None = None

    # -- question analysis ------------------------------------------------------------------------------
    def analyse(self, text: str) -> Facets:
        sources = tuple(self.catalog.sources())
        if self._matcher is None or self._matcher[0] != sources:
            self._matcher = (sources, SourceMatcher(sources))
        return analyse(text, self._matcher[1])

    # -- search -----------------------------------------------------------------------------------------
    def search(self, query: Query, top_k: int) -> list[Passage]:
        n = self.s.candidates
        lists = [self._ranked(query, n)]
        user_sources = query.filters.sources if query.filters else ()
        if self.s.source_facets:
            for src in query.facets.sources:
                if user_sources and src not in user_sources:
                    continue
                f = replace(query.filters or Filters(), sources=(src,))
                lists.append(self._ranked(replace(query, filters=f), max(n // 2, top_k)))
        return self.passages(_merge(lists, top_k, self.s.facet_quota), top_k)

    def _ranked(self, query: Query, n: int) -> list[tuple[str, float]]:
        scores = self.scores(query, n)
        if query.facets.dates and self.s.date_boost:
            self._boost_dates(scores, query.facets.dates)
        return sorted(scores.items(), key=lambda kv: -kv[1])

    def scores(self, query: Query, n: int) -> dict[str, float]:
        """Combined score per candidate chunk: (1 - w) * bm25 / max bm25 + w * cosine / max cosine."""
        w = self.s.dense_weight
        combined: dict[str, float] = {}
        words = content_words(query.text)
        if w < 1.0 and words:
            kw = self.catalog.keyword_search(match_expression(words), n, query.filters)
            top = kw[0][1] if kw and kw[0][1] > 0 else 1.0
            for cid, s in kw:
                combined[cid] = (1 - w) * max(s, 0.0) / top
        if w > 0.0:
            dense = self.store.query(query.vector, n, query.filters)
            top = max((s for _, s in dense), default=1.0) or 1.0
            for cid, s in dense:
                combined[cid] = combined.get(cid, 0.0) + w * max(s, 0.0) / top
        return combined

    def _boost_dates(self, scores: dict[str, float], dates: list[dt.date]) -> None:
        dated = self.catalog.chunk_dates(list(scores))
        for cid, d in dated.items():
            if d and any(abs((d - x).days) <= 1 for x in dates):
                scores[cid] *= 1.0 + self.s.date_boost

    def passages(self, ranked: list[tuple[str, float]], top_k: int) -> list[Passage]:
        """The top-k passages with their report metadata; each further chunk of a report already chosen counts
        ``report_decay`` times less (diversity: one long report does not crowd out the second piece of evidence)."""
        pool = ranked[: max(top_k * 5, 50)]
        rows = self.catalog.chunk_rows([cid for cid, _ in pool])
        pool = [(cid, s) for cid, s in pool if cid in rows]  # drop vectors whose report the catalog no longer holds
        out: list[Passage] = []
        per_report: dict[str, int] = {}
        decay = self.s.report_decay
        while pool and len(out) < top_k:
            i = max(range(len(pool)), key=lambda j: pool[j][1] * decay ** per_report.get(rows[pool[j][0]][0], 0))
            cid, score = pool.pop(i)
            row = rows[cid]
            per_report[row[0]] = per_report.get(row[0], 0) + 1
            out.append(Passage(chunk_id=cid, report_id=row[0], text=row[7], start=row[1], end=row[2], score=round(score, 6),
                               title=row[3], source=row[4], published=row[5], url=row[6]))
        return out


def _merge(lists: list[list[tuple[str, float]]], top_k: int, quota: int) -> list[tuple[str, float]]:
    """The main ranking, with each facet's best ``quota`` chunks guaranteed a place in the top-k (round robin)."""
    main, facets = lists[0], lists[1:]
    if not facets:
        return main
    best = {}
    for lst in lists:
        for cid, s in lst:
            best[cid] = max(best.get(cid, 0.0), s)
    head: list[str] = []
    for i in range(quota):
        for lst in facets:
            if i < len(lst) and lst[i][0] not in head:
                head.append(lst[i][0])
    head = head[:top_k]
    rest = [cid for cid, _ in sorted(best.items(), key=lambda kv: -kv[1]) if cid not in head]
    ordered = sorted(head, key=lambda c: -best[c]) + rest
    return [(cid, best[cid]) for cid in ordered]
