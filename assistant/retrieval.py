"""Retrieval: keyword (BM25 over the catalog's FTS5 index) and dense (Chroma) candidates, combined and filtered.

Questions that name publishers get one sub-retrieval per publisher, each scored relative to its own best so that
every named publisher's best evidence competes as an equal; in a question in parts ("Does X say A, while Y says B?")
each part's sub-retrieval searches its publishers with the part's own words and vector (and, when the part names a
date, once more within that day's reports); each long clause of a long question is searched on its own too; reports
dated on a date the question names are boosted; further chunks of an already ranked report count less
(diversity); the first candidates are then re-scored by their best single sentence (its words, weighted by their
rarity in the index and among the candidates, and its vector stored at ingest) and by named publisher, and
diversified again. A question asking for an entity it does not name
gets a second, keyword-only hop per clause with the name its first passages share (``bridging``). In a question
naming two or more publishers, each one's best passage leads. All keyword and dense lookups of one question run at
once on a small thread pool. The query vector comes in with the ``Query``.
"""
from __future__ import annotations

import datetime as dt
import heapq
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Callable, Sequence

import numpy as np

from . import dense_memory
from .bridging import asks_for_entity, bridge_name
from .catalog import Catalog
from .date_ranges import DateRange
from .dates import near
from .person_names import asks_for_person, named_person
from .query_analysis import AuthorMatcher, Facets, Part, SourceMatcher, analyse
from .settings import RetrievalSettings
from .store import VectorStore
from .sentences import sentence_stems
from .terms import content_stems, content_words, local_weights
from .types import Filters, Passage


@dataclass
class Query:
    """What retrieval needs about a question (the vector is computed once and shared with the answerer)."""

    text: str
    vector: np.ndarray
    filters: Filters | None = None
    facets: Facets = field(default_factory=Facets)


_HOP_DEPTH = 4  # keyword matches read per clause in the bridge hop
_DEEP = 100  # passages ranked for a search asking for more than retrieval.top_k (the deep part of the list)


class Retriever:
    def __init__(self, catalog: Catalog, store: VectorStore, settings: RetrievalSettings,
                 embed: Callable[[Sequence[str]], np.ndarray] | None = None):
        self.catalog, self.store, self.s, self.embed = catalog, store, settings, embed
        self._matcher: tuple[list[str], SourceMatcher] | None = None
        self._authors: tuple[list[str], AuthorMatcher] | None = None
        self._executor: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()
        self.dense_copy = dense_memory.DenseMemory(store.all_vectors, settings.dense_memory_chunks)

    # -- question analysis ------------------------------------------------------------------------------
    def analyse(self, text: str) -> Facets:
        sources = self.catalog.sources()  # the same list until the catalog changes
        if self._matcher is None or self._matcher[0] is not sources:
            self._matcher = (sources, SourceMatcher(sources, self.s.source_names_as_written))
        authors = self._author_matcher() if self.s.author_facets else None
        coordinated = self.s.coordinated_clauses
        if not self.s.date_ranges:
            facets = analyse(text, self._matcher[1], authors=authors, coordinated=coordinated)
        else:
            today = self.s.relative_dates == "today"
            facets = analyse(text, self._matcher[1], _today if today else lambda: self.catalog.date_range()[1],
                             lambda event: self.event_date(event, text), authors,
                             "today" if today else "the newest report", coordinated)
        facets.author_reports = self.catalog.reports_by(facets.authors)
        return facets

    def _author_matcher(self) -> AuthorMatcher:
        names = self.catalog.authors()  # the same list until the catalog changes
        if self._authors is None or self._authors[0] is not names:
            self._authors = (names, AuthorMatcher(names, self._matcher[1] if self._matcher else None))
        return self._authors[1]

    def event_date(self, event: str, question: str) -> dt.date | None:
        """When an event the question names happened, as the date of the earliest report on it: among the best
        keyword matches for the event's and the question's words, those holding at least half the event's words
        ("the strike ended": "strike")."""
        stems = set(content_stems(event))
        if not stems:
            return None
        hits = self.catalog.keyword_search(content_words(event) + content_words(question), 10)
        rows = self.catalog.chunk_rows([cid for cid, _ in hits])
        on_it = [cid for cid, row in rows.items() if 2 * len(stems & set(content_stems(row[7]))) >= len(stems)]
        dates = [d for d in self.catalog.chunk_dates(on_it).values() if d]
        return min(dates, default=None)

    # -- search -----------------------------------------------------------------------------------------
    def search(self, query: Query, top_k: int) -> list[Passage]:
        """The first ``top_k`` passages of one list, however many are asked for: ``search(q, k)`` is the start of
        ``search(q, m)`` for every k < m <= 100. The first ``retrieval.top_k`` (10 by default: what ``ask`` reads, the
        UI shows and the eval measures) are ranked as one window, with the bridge hop and the named-publisher lead
        working inside it; asking for more adds the following passages of one deeper ranking (100, or ``top_k`` if
        larger), each scored at most as high as the last passage before it. Before this, a deeper search re-scored a
        larger pool and moved the bridge's and the lead's changes, so the first 10 of 60 differed from the 10 in 77
        of the first 100 dev questions."""
        window = self.s.top_k
        head = self._search(query, window)
        if top_k <= window:
            return head[:top_k]
        seen = {p.chunk_id for p in head}
        out = list(head)
        for p in self._search(query, max(top_k, _DEEP)):
            if len(out) >= top_k:
                break
            if p.chunk_id not in seen:
                out.append(replace(p, score=min(p.score, out[-1].score)) if out else p)
        return out

    def _search(self, query: Query, top_k: int) -> list[Passage]:
        """Main ranking plus one sub-ranking per named publisher; each ranking's scores are relative to its own best,
        so every publisher's best chunk competes as an equal; then report diversity."""
        n = self.s.candidates
        if query.filters and query.filters.authors:  # the vectors carry no author: search their reports instead
            f = _by_reports(query.filters, self.catalog.reports_by(query.filters.authors))
            if f is None:
                return []
            query = replace(query, filters=f)
        variants = [(query, n)]
        user_sources = query.filters.sources if query.filters else ()
        parts, clauses = self._parts(query.facets), self._clauses(query.facets)
        for rng in self._ranges(query.facets):  # "reported last week": the question within that range of dates
            f = _narrow(query.filters, rng)
            if f is not None:
                variants.append((replace(query, filters=f), max(n // 2, top_k)))
        if self.s.author_facets and query.facets.author_reports:  # "what did Jane Doe write about X": her reports
            f = _by_reports(query.filters or Filters(), query.facets.author_reports)
            if f is not None:
                variants.append((replace(query, filters=f), max(n // 2, top_k)))
        own = dict(self._clause_sources(query))
        for clause in clauses:  # each clause of a long question on its own, within the publishers it names
            variants.append((replace(query, text=clause, filters=own.get(clause, query.filters)), max(n // 2, top_k)))
        if self.s.source_facets:
            for part in parts:  # the clause naming the publishers, searched within them
                f = query.filters
                if part.sources:  # a part of a question naming no publisher stands for a dated report of any
                    srcs = tuple(s for s in part.sources if not user_sources or s in user_sources)
                    if not srcs:
                        continue
                    f = replace(query.filters or Filters(), sources=srcs)
                sub = replace(query, text=part.text, filters=f)
                variants.append((sub, max(n // 2, top_k)))
                if part.dates and self.s.part_date_queries:  # "the X report published on October 7, 2023"
                    day = replace(f or Filters(), after=min(part.dates), before=max(part.dates))
                    if _within(day, query.filters):
                        variants.append((replace(sub, filters=day), max(n // 2, top_k)))
            covered = {s for p in parts for s in p.sources}
            for src in query.facets.sources:
                if (user_sources and src not in user_sources) or src in covered:
                    continue
                f = replace(query.filters or Filters(), sources=(src,))
                variants.append((replace(query, filters=f), max(n // 2, top_k)))
        # every keyword and dense lookup of every ranking at once: SQLite and Chroma release the GIL while they
        # search, so on 2 cores this takes about half the time of running them one after the other
        keyword = [self._pool().submit(self._keyword, q, k) for q, k in variants]
        # the sub-queries' own vectors are embedded while the keyword lookups run
        vectors = self._vectors(self.vector_texts(query.facets))
        variants = [(replace(q, vector=vectors[q.text]) if q is not query and q.text in vectors else q, k)
                    for q, k in variants]
        dense = self._dense_all(variants)
        best: dict[str, float] = {}
        for (q, _), kw, de in zip(variants, keyword, dense):
            for cid, s in self._ranked(q, kw.result(), de):
                best[cid] = max(best.get(cid, 0.0), s)
        rerank = bool(self.s.rerank_depth and (self.s.sentence_boost or self.s.clause_sentence_boost
                                                 or self.s.local_term_boost or self.s.sentence_dense_boost
                                                 or self.s.clause_dense_boost or self.s.named_source_boost))
        ranked = _diversify(sorted(best.items(), key=lambda kv: -kv[1]), self.s.report_decay,
                            0 if rerank else self.s.diversity_after)
        if rerank:
            found = self._rerank(query, self.passages(ranked, max(self.s.rerank_depth, top_k)), top_k, vectors)
        else:
            found = self.passages(ranked, top_k)
        return self._lead_by_named_source(query, self._bridge(query, query.facets.clauses, found, top_k, own))

    def _lead_by_named_source(self, query: Query, found: list[Passage]) -> list[Passage]:
        """A question naming two or more publishers ("Does TechCrunch say A, while The Verge says B?"): each named
        publisher's best passage comes first, in rank order, then the rest as ranked. Without it, two passages of
        one publisher took the first two places in 73 of 162 dev comparison questions whose two evidence reports
        come from two publishers. Passages only move up within the results: the set returned is the same, and a
        passage moved up takes the score of the best one it passed, so scores still fall down the list."""
        named = query.facets.sources
        if not (self.s.named_source_lead and len(named) >= 2):
            return found
        firsts = (next((i for i, p in enumerate(found) if p.source == s), None) for s in named)
        lead = sorted({i for i in firsts if i is not None})
        rest = [p for i, p in enumerate(found) if i not in lead]
        floor = rest[0].score if rest else 0.0  # a passage moved up takes the score of the best one it passed
        return [replace(found[i], score=max(found[i].score, floor)) for i in lead] + rest

    def _bridge(self, query: Query, clauses: list[str], found: list[Passage], top_k: int,
                own: dict[str, Filters]) -> list[Passage]:
        """A question asking for an entity it does not name, in two or more long clauses: the name most of the
        first passages share (see ``bridging``) is searched again with each clause's words (keyword search, within
        the publishers the clause names, else those the question names); each clause's best report not among the
        first ``bridge_keep`` passages takes the place after them; the places it needs come first from further
        chunks of reports listed higher up (``bridge_repeats_first``), then from the end of the list. On dev this
        raised "all evidence reports in the top 10" from 0.798 to 0.830. ``own``: the filters of the clauses that
        name publishers (``_clause_sources``, found once per search)."""
        keep = self.s.bridge_keep
        if not (self.s.bridge_hop and clauses and len(found) > keep and asks_for_entity(query.text)):
            return found
        name = self.bridge_entity(query.text, [(p.report_id, p.text) for p in found[:10]])
        if name is None:
            return found
        f = query.filters
        if query.facets.sources and not (f and f.sources):  # within the publishers the question names, if any
            f = replace(f or Filters(), sources=tuple(query.facets.sources))
        lookups = [self._pool().submit(self.catalog.keyword_search, content_words(f"{name} {c}"),
                                       _HOP_DEPTH, own.get(c, f)) for c in clauses]  # at once, as in search
        hops = [self.passages(hit.result(), _HOP_DEPTH) for hit in lookups]
        head = found[:keep]
        seen = {p.report_id for p in head}
        added: list[Passage] = []
        for rank in range(_HOP_DEPTH):  # each clause's best new report, then each one's second, ...
            for hop in hops:
                if rank < len(hop) and hop[rank].report_id not in seen:
                    seen.add(hop[rank].report_id)
                    added.append(replace(hop[rank], score=found[keep].score))
        ids = {p.chunk_id for p in added}
        out = head + added + [p for p in found[keep:] if p.chunk_id not in ids]
        if self.s.bridge_repeats_first:
            out = _without_repeats(out, keep, ids, len(out) - top_k)
        return out[:top_k]

    def bridge_entity(self, question: str, passages: Sequence[tuple[str, str]]) -> str | None:
        """The name the bridge hop searches with: for a question asking for a person ("Who is the individual ...?"),
        the surname of the person most of the passages' reports name (``person_names``; ``bridge_person``), else the
        name most of them share (``bridging``), which can be a company or an acronym that more reports name than the
        person ("FTX" before "Bankman-Fried")."""
        if self.s.bridge_person and asks_for_person(question):
            who = named_person(question, passages)
            if who is not None:
                return who.surname
        return bridge_name(question, passages)

    def _parts(self, facets: Facets) -> list[Part]:
        if not (self.s.source_facets and self.s.part_queries != "off"):
            return []
        # clause parts are for citing: searching them within their publishers lowered Hits@4 and MRR on dev, and
        # the clause sub-queries already search each clause
        return [p for p in facets.parts if p.own and not p.clause]

    def _ranges(self, facets: Facets) -> list[DateRange]:
        return facets.ranges if self.s.date_ranges else []

    def _clauses(self, facets: Facets) -> list[str]:
        return facets.clauses if self.s.clause_queries else []

    def _clause_sources(self, query: Query) -> list[tuple[str, Filters]]:
        """The filters of each long clause that names publishers ("..., is mentioned by TechCrunch for B, ..."): the
        query's own, narrowed to those publishers (``clause_sources``; a publisher the user's filter leaves out is
        not searched). The clause sub-queries and the bridge hop search such a clause within them."""
        if not self.s.clause_sources:
            return []
        user = query.filters.sources if query.filters else ()
        out = []
        for clause, named in zip(query.facets.clauses, query.facets.clause_sources):
            named = tuple(s for s in named if not user or s in user)
            if named:
                out.append((clause, replace(query.filters or Filters(), sources=named)))
        return out

    def vector_texts(self, facets: Facets) -> list[str]:
        """The sub-query texts ``search`` embeds for this question (parts and clauses)."""
        return ([p.text for p in self._parts(facets)] if self.s.part_queries == "both" else []) + self._clauses(facets)

    def _vectors(self, texts: list[str]) -> dict[str, np.ndarray]:
        """Vectors of the sub-query texts, in one call (the embedder runs four or more texts on all cores)."""
        texts = list(dict.fromkeys(texts))
        if not texts or self.embed is None:
            return {}
        return dict(zip(texts, self.embed(texts)))

    def _rerank(self, query: Query, pool: list[Passage], top_k: int,
                vectors: dict[str, np.ndarray] | None = None) -> list[Passage]:
        """Re-score the first candidates with what a chunk score cannot see, then diversify again:
        - the best single sentence's share of the question's IDF mass (``sentence_boost``): a chunk with one sentence
          that holds most of the question beats one whose matching words are scattered (a proximity signal);
        - in a question of several long clauses, the best single sentence's share of one clause's IDF mass
          (``clause_sentence_boost``): each clause is often a fact told by a different report, which holds little of
          the whole question;
        - the best single sentence's share of the question's terms weighted by how few candidates hold them
          (``local_term_boost``, see ``terms.local_weights``): when every candidate shares the question's topic
          words, the words that tell the candidates apart point at the one telling the asked-for detail;
        - the cosine between the question's vector and the chunk's best sentence's (``sentence_dense_boost``), and, in
          a question of several long clauses, the best such cosine for one clause (``clause_dense_boost``): a chunk
          vector averages a fact stated in one sentence with everything around it, a sentence vector does not;
        - the chunk comes from a publisher, or a report by an author, the question names (``named_source_boost``).

        ``vectors`` holds the sub-query texts' vectors ``search`` already computed (the clauses among them)."""
        if not pool:
            return pool
        dense = self._sentence_cosines(query, pool, vectors or {})
        stems = set(content_stems(query.text))
        clause_stems = [set(content_stems(c)) for c in query.facets.clauses] if self.s.clause_sentence_boost else []
        idf = self.catalog.idf(sorted(stems.union(*clause_stems)))  # one lookup for the question and its clauses
        whole = (stems, sum(idf[t] for t in stems) or 1.0)
        clauses = [(c, sum(idf[t] for t in c) or 1.0) for c in clause_stems]
        sentences = {p.chunk_id: [stems for _, _, stems in sentence_stems(p.text)] for p in pool}
        local = (local_weights(stems, idf, [set().union(*mine) for mine in sentences.values()])
                 if self.s.local_term_boost else {})
        local_terms = (stems, sum(local.values()) or 1.0)
        top = max(p.score for p in pool) or 1.0
        named = set(query.facets.sources)
        by_named = set(query.facets.author_reports) if self.s.author_facets else set()
        scored = []
        for p in pool:
            mine = sentences[p.chunk_id]
            score = (p.score / top + self.s.sentence_boost * _held(whole, mine, idf)
                     + self.s.clause_sentence_boost * max((_held(c, mine, idf) for c in clauses), default=0.0)
                     + (self.s.local_term_boost * _held(local_terms, mine, local) if local else 0.0)
                     + dense.get(p.chunk_id, 0.0)
                     + self.s.named_source_boost * (p.source in named or p.report_id in by_named))
            scored.append((p.chunk_id, score))
        by_id = {p.chunk_id: p for p in pool}
        order = _diversify(sorted(scored, key=lambda kv: -kv[1]), self.s.report_decay, self.s.diversity_after)
        return [replace(by_id[cid], score=round(score, 6)) for cid, score in order[:top_k]]

    def _sentence_cosines(self, query: Query, pool: list[Passage], vectors: dict[str, np.ndarray]) -> dict[str, float]:
        """Per candidate: ``sentence_dense_boost`` x the question's best sentence cosine + ``clause_dense_boost`` x
        the best clause's. Candidates without stored sentence vectors (an index built before them) get nothing."""
        ws, wc = self.s.sentence_dense_boost, self.s.clause_dense_boost
        clauses = query.facets.clauses if wc else []
        if not (ws or clauses):
            return {}
        stored = self.catalog.sentence_vectors([p.chunk_id for p in pool])
        stored = {cid: m for cid, m in stored.items() if len(m)}
        if not stored:
            return {}
        missing = [c for c in clauses if c not in vectors]
        if missing:
            vectors = {**vectors, **self._vectors(missing)}
        probes = np.stack([query.vector] + [vectors[c] for c in clauses if c in vectors])
        out = {}
        for cid, m in stored.items():
            best = (m @ probes.T).max(axis=0)  # each probe's best sentence: the question's, then each clause's
            out[cid] = float(ws * best[0] + (wc * best[1:].max() if len(best) > 1 else 0.0))
        return out

    def _pool(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(4, thread_name_prefix="retrieve")
            return self._executor

    def _ranked(self, query: Query, keyword, dense) -> list[tuple[str, float]]:
        scores = self.combine(keyword, dense)
        self._boost_by_date(scores, query.facets)
        return sorted(scores.items(), key=lambda kv: -kv[1])

    def _keyword(self, query: Query, n: int) -> list[tuple[str, float]]:
        words = content_words(query.text)
        if self.s.dense_weight >= 1.0 or not words:
            return []
        return self.catalog.keyword_search(words, n, query.filters)

    def _dense_all(self, variants: list[tuple[Query, int]]) -> list[list[tuple[str, float]]]:
        """The dense candidates of every ranking: one search per distinct filter (the main ranking and the clause
        rankings share one), exact in memory when the copy there is current and the search scans at most
        ``dense_memory.EXACT_ROWS`` rows, else one store call each, all at once on the thread pool."""
        if self.s.dense_weight <= 0.0:
            return [[] for _ in variants]
        groups: dict[Filters | None, list[int]] = {}
        for i, (q, _) in enumerate(variants):
            groups.setdefault(q.filters, []).append(i)
        held = self.dense_copy.current(self.catalog.keyword_snapshot())
        found: dict[Filters | None, list[list[tuple[str, float]]] | None] = {}
        calls = {}
        for f, idx in groups.items():
            vectors, k = [variants[i][0].vector for i in idx], max(variants[i][1] for i in idx)
            found[f] = dense_memory.search(held, vectors, k, f) if held is not None else None
            if found[f] is None:  # no current copy, or more rows than an exact search should scan
                calls[f] = self._pool().submit(self.store.query_many, vectors, k, f)
        out: list[list[tuple[str, float]]] = [[] for _ in variants]
        for f, idx in groups.items():
            for i, got in zip(idx, found[f] if found[f] is not None else calls[f].result()):
                out[i] = got[: variants[i][1]]
        return out

    def combine(self, keyword: list[tuple[str, float]], dense: list[tuple[str, float]]) -> dict[str, float]:
        """Combined score per candidate chunk: (1 - w) * bm25 / max bm25 + w * cosine / max cosine."""
        w = self.s.dense_weight
        combined: dict[str, float] = {}
        top = keyword[0][1] if keyword and keyword[0][1] > 0 else 1.0
        for cid, s in keyword:
            combined[cid] = (1 - w) * max(s, 0.0) / top
        top = max((s for _, s in dense), default=1.0) or 1.0
        for cid, s in dense:
            combined[cid] = combined.get(cid, 0.0) + w * max(s, 0.0) / top
        return combined

    def _boost_by_date(self, scores: dict[str, float], facets: Facets) -> None:
        """Boost candidates by their report's date (one catalog lookup for all three):
        - published on a date the question names (``date_boost``), or a day before or after it (that times
          ``near_date_share``);
        - inside a publication range the question names, unless it compares reports over time (``range_boost``);
        - for "the latest on X", by how new the report is among the candidates: the newest gains all of
          ``recency_boost``, the oldest nothing."""
        named = facets.dates if self.s.date_boost else []
        ranges = facets.preferred_ranges if self.s.date_ranges and self.s.range_boost else []
        recency = facets.recency and self.s.recency_boost
        if not (named or ranges or recency):
            return
        dated = {cid: d for cid, d in self.catalog.chunk_dates(list(scores)).items() if d}
        for cid, d in dated.items():
            if named and d in named:
                scores[cid] *= 1.0 + self.s.date_boost
            elif named and near(d, named):  # a day off: time zones move a report's date by a day
                scores[cid] *= 1.0 + self.s.near_date_share * self.s.date_boost
            if any(r.contains(d) for r in ranges):
                scores[cid] *= 1.0 + self.s.range_boost
        if recency and len(set(dated.values())) >= 2:
            first, last = min(dated.values()), max(dated.values())
            for cid, d in dated.items():
                scores[cid] *= 1.0 + self.s.recency_boost * (d - first).days / (last - first).days

    def whole_reports(self, passages: list[Passage], reports: int) -> list[Passage]:
        """The passages plus every other chunk of the first ``reports`` reports among them (for list questions,
        whose items are spread over a report), each extra chunk scored below the passages it follows."""
        top = list(dict.fromkeys(p.report_id for p in passages))[:reports]
        have = {p.chunk_id for p in passages}
        floor = min((p.score for p in passages), default=0.0)
        extra = [(cid, floor * 0.5) for cid in self.catalog.chunk_ids_of(top) if cid not in have]
        return passages + self.passages(extra, len(extra))

    def passages(self, ranked: list[tuple[str, float]], top_k: int) -> list[Passage]:
        """The first top-k chunks of ``ranked`` that the catalog holds, with their report metadata."""
        pool = ranked[: top_k * 3]
        rows = self.catalog.chunk_rows([cid for cid, _ in pool])
        out: list[Passage] = []
        for cid, score in pool:
            row = rows.get(cid)
            if row is None:  # a vector whose report the catalog no longer holds
                continue
            out.append(Passage(chunk_id=cid, report_id=row[0], text=row[7], start=row[1], end=row[2], score=round(score, 6),
                               title=row[3], source=row[4], published=row[5], url=row[6], author=row[8]))
            if len(out) >= top_k:
                break
        return out


def _without_repeats(passages: list[Passage], start: int, kept: set[str], excess: int) -> list[Passage]:
    """The passages without up to ``excess`` of those, from position ``start`` on, that are a further chunk of a
    report listed higher up, lowest first (chunk ids in ``kept`` stay): a report's second chunk gives way before a
    report that would otherwise not be listed."""
    if excess <= 0:
        return passages
    listed: set[str] = set()
    repeats: list[int] = []
    for i, p in enumerate(passages):
        if i >= start and p.report_id in listed and p.chunk_id not in kept:
            repeats.append(i)
        listed.add(p.report_id)
    drop = set(repeats[::-1][:excess])
    return [p for i, p in enumerate(passages) if i not in drop]


def _held(terms: tuple[set[str], float], sentences: list[set[str]], idf: dict[str, float]) -> float:
    """The largest share of the terms' IDF mass (``terms`` = the stems and their total) held by one sentence."""
    stems, total = terms
    return max((sum(idf[t] for t in st & stems) for st in sentences), default=0.0) / total


def _today() -> dt.date:
    return dt.date.today()


def _by_reports(f: Filters, report_ids: Sequence[str]) -> Filters | None:
    """``f`` restricted to these reports (and to its own report ids, if any) instead of its authors; None when no
    report is left."""
    ids = set(report_ids) & set(f.reports) if f.reports else set(report_ids)
    return replace(f, authors=(), reports=tuple(sorted(ids))) if ids else None


def _within(f: Filters, user: Filters | None) -> bool:
    """Whether the date range of ``f`` lies inside the user's own date filters."""
    return user is None or ((user.after is None or f.after >= user.after) and (user.before is None or f.before <= user.before))


def _narrow(user: Filters | None, rng: DateRange) -> Filters | None:
    """The user's filters narrowed to a date range the question names; None when the two do not overlap."""
    f = user or Filters()
    after = max((d for d in (f.after, rng.after) if d is not None), default=None)
    before = min((d for d in (f.before, rng.before) if d is not None), default=None)
    if after is not None and before is not None and after > before:
        return None
    return replace(f, after=after, before=before)


def report_of(chunk_id: str) -> str:
    return chunk_id.rsplit("-", 1)[0]


def _diversify(ranked: list[tuple[str, float]], decay: float, head: int = 0) -> list[tuple[str, float]]:
    """Re-rank so that each further chunk of a report already ranked counts ``decay`` times less (1 = no change):
    one long report does not crowd out the second piece of evidence. The first ``head`` chunks stay as they are
    (the best-scored evidence leads, whatever its report) and count as already ranked. Scores are kept as they were."""
    if decay >= 1.0 or len(ranked) < 2:
        return ranked
    out: list[tuple[str, float]] = list(ranked[:head])
    placed: dict[str, int] = {}  # chunks of each report already ranked
    for cid, _ in out:
        placed[report_of(cid)] = placed.get(report_of(cid), 0) + 1
    # each report's chunks in rank order; a heap holds every report's next chunk at its decayed score (equal to
    # re-scanning the whole pool after every pick, which took ~8 ms a question)
    queues: dict[str, list[tuple[int, str, float]]] = {}
    for i, (cid, score) in enumerate(ranked[head:head + 200]):
        queues.setdefault(report_of(cid), []).append((i, cid, score))
    heap = [(-q[0][2] * decay ** placed.get(rid, 0), q[0][0], rid) for rid, q in queues.items()]
    heapq.heapify(heap)
    nxt: dict[str, int] = {}  # index of each report's next chunk in its queue
    while heap:
        _, _, rid = heapq.heappop(heap)
        n = nxt.get(rid, 0)
        _, cid, score = queues[rid][n]
        out.append((cid, score))
        nxt[rid] = n + 1
        placed[rid] = placed.get(rid, 0) + 1
        if n + 1 < len(queues[rid]):
            i, _, following = queues[rid][n + 1]
            heapq.heappush(heap, (-following * decay ** placed[rid], i, rid))
    return out + list(ranked[head + 200:])
