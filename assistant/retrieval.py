"""Retrieval: keyword (BM25 over the catalog's FTS5 index) and dense (Chroma) candidates, combined and filtered."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .catalog import Catalog
from .embedding import Embedder
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


class Retriever:
    def __init__(self, catalog: Catalog, store: VectorStore, embedder: Embedder, settings: RetrievalSettings):
        self.catalog, self.store, self.embedder, self.s = catalog, store, embedder, settings

    def search(self, query: Query, top_k: int) -> list[Passage]:
        scores = self.scores(query, self.s.candidates)
        ranked = sorted(scores.items(), key=lambda kv: -kv[1])
        return self.passages(ranked, top_k)

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

    def passages(self, ranked: list[tuple[str, float]], top_k: int) -> list[Passage]:
        """The top-k passages, at most ``max_per_report`` from one report, with their report metadata."""
        rows = self.catalog.chunk_rows([cid for cid, _ in ranked[: max(top_k * 5, 50)]])
        out: list[Passage] = []
        per_report: dict[str, int] = {}
        for cid, score in ranked:
            row = rows.get(cid)
            if row is None:  # a vector whose report the catalog no longer holds
                continue
            rid = row[0]
            if per_report.get(rid, 0) >= self.s.max_per_report:
                continue
            per_report[rid] = per_report.get(rid, 0) + 1
            out.append(Passage(chunk_id=cid, report_id=rid, text=row[7], start=row[1], end=row[2], score=round(score, 6),
                               title=row[3], source=row[4], published=row[5], url=row[6]))
            if len(out) >= top_k:
                break
        return out
