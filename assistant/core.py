"""``Assistant``: the public entry point that wires the stages together.

reading -> chunking -> embedding -> store + catalog (ingest); question -> retrieval -> answering -> citation check (ask).
"""
from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Sequence

from .answering import REFUSAL, Answerer, ExtractiveAnswerer
from .catalog import Catalog
from .citations import verify
from .embedding import Embedder, MiniLMEmbedder
from .ingest import Ingestor, Progress, check_index, index_is_current, reset_index
from .questions import MAX_QUESTION_CHARS, check_question, check_top_k, parse_filters
from .retrieval import Query, Retriever
from .settings import Settings, get_settings
from .store import ChromaStore, VectorStore
from .terms import content_words
from .types import Answer, Article, Filters, IngestReport, Passage, ReportInfo


_MAX_CONTEXT_CHARS = 400


class Assistant:
    """Ask questions of a folder of reports; every answer sentence cites the report sentence it quotes.

    Parts are injected (``embedder``, ``store``, ``answerer``); each defaults to the one the settings name.
    """

    def __init__(self, settings: Settings | dict | None = None, *, embedder: Embedder | None = None,
                 store: VectorStore | None = None, answerer: Answerer | None = None):
        self.settings = s = get_settings(settings)
        data_dir = Path(s.data_dir)
        self.catalog = Catalog(data_dir / "catalog.sqlite3", s.retrieval.keyword_memory_chunks)
        self.embedder = embedder or MiniLMEmbedder(s.embedding.model_path, s.embedding.backend,
                                                   s.embedding.batch_size, s.embedding.threads, s.embedding.cache_dir)
        self.store = store or ChromaStore(s.collection, data_dir=data_dir, url=s.chroma_url)
        self.retriever = Retriever(self.catalog, self.store, s.retrieval, self.embedder.embed_batch)
        self.answerer = answerer or ExtractiveAnswerer(self.embedder, self.catalog.idf, s.answering, self.catalog.sentence_vectors)

    @classmethod
    def open(cls, settings: Settings | dict | None = None, **parts: Any) -> "Assistant":
        """Open (or create) the index named by the settings (``ASSISTANT_*`` environment variables by default)."""
        return cls(settings, **parts)

    @staticmethod
    def drop_damaged_index(settings: Settings | dict | None = None) -> list[str]:
        """Delete whichever part of the index cannot be opened (catalog file or embedded Chroma folder), so that
        ``open`` then ``ingest(..., rebuild=True)`` can rebuild it. Returns what was deleted."""
        return reset_index(get_settings(settings))

    # -- ingest -----------------------------------------------------------------------------------------
    def ingest(self, inputs: Sequence[str | Path] | str | Path, *, sync: bool = False, rebuild: bool = False,
               progress: Progress | bool = True) -> IngestReport:
        """Add or update reports from files and folders; ``sync`` also removes reports not among the inputs."""
        if isinstance(inputs, (str, Path)):
            inputs = [inputs]
        callback = _tqdm_progress() if progress is True else (progress or None)
        try:
            return Ingestor(self.settings, self.catalog, self.store, self.embedder).run(inputs, sync, rebuild, callback)
        finally:
            if hasattr(callback, "close"):
                callback.close()

    # -- questions --------------------------------------------------------------------------------------
    def search(self, question: str, top_k: int | None = None, filters: Filters | dict | None = None) -> list[Passage]:
        """The ranked passages ``ask`` would read."""
        return self._search(self._query(question, filters), top_k)

    def ask(self, question: str, filters: Filters | dict | None = None, top_k: int | None = None, *,
            context: str | None = None) -> Answer:
        """An answer whose every sentence cites a report sentence, or a refusal (``answer.refused``).

        ``context`` is extra text (e.g. key terms of earlier turns, see ``Conversation``) appended to the question
        for retrieval; evidence is scored with the question's own words when it has at least two content words,
        else with the context too. ``answer.question`` stays the user's own question."""
        t0 = time.perf_counter()
        own = check_question(question) if context and context.split() else None  # checked alone, then context added
        if own:
            question = f"{own} {' '.join(context.split())[:_MAX_CONTEXT_CHARS]}"[:MAX_QUESTION_CHARS]
        query = self._query(question, filters)
        t1 = time.perf_counter()
        passages = self._search(query, self.settings.answering.passages if top_k is None else top_k)
        reading = passages
        if query.facets.listing and self.settings.answering.list_reports:
            reading = self.retriever.whole_reports(passages, self.settings.answering.list_reports)
        t2 = time.perf_counter()
        if query.facets.unknown_outlets and self.settings.answering.refuse_unknown_outlets:
            # the question needs reports from a publisher of which the index holds none
            outlets = ", ".join(dict.fromkeys(query.facets.unknown_outlets))
            answer = Answer(question=query.text, text=f"{REFUSAL} The index holds no reports from {outlets}.",
                            passages=passages, refused=True)
        else:
            scoring = self._query(own, filters) if own and len(content_words(own)) >= 2 else query  # own words if any
            drafted = self.answerer.answer(scoring.text, reading, scoring.vector, scoring.facets)
            answer = verify(drafted, self._report_text)
        if own:
            answer.question = own
        t3 = time.perf_counter()
        answer.timings = {"embed_ms": (t1 - t0) * 1e3, "retrieve_ms": (t2 - t1) * 1e3, "answer_ms": (t3 - t2) * 1e3,
                          "total_ms": (t3 - t0) * 1e3}
        return answer

    def hold_in_memory(self) -> dict[str, bool]:
        """Read the keyword index and the chunk vectors into memory now, instead of in the background after the first
        search (see ``retrieval.keyword_memory_chunks`` and ``retrieval.dense_memory_chunks``): every question after
        this is searched the same way (until then dense searches go to Chroma's approximate index, which can rank a
        chunk differently). Copies already current are not read again. Returns which copies are held (none when the
        index is over the limits)."""
        keyword = self.catalog.hold_keyword_index()
        snapshot = self.catalog.keyword_snapshot() if keyword else None
        dense = snapshot is not None and self.retriever.dense_copy.hold(snapshot)
        return {"keyword": keyword, "dense": dense}

    def chat(self, filters: Filters | dict | None = None) -> "Conversation":
        """A conversation: follow-up questions are retrieved with the context of the earlier turns."""
        from .conversation import Conversation

        return Conversation(self, filters=filters)

    # -- the index --------------------------------------------------------------------------------------
    def reports(self) -> list[ReportInfo]:
        return self.catalog.reports()

    def report(self, report_id: str) -> Article | None:
        return self.catalog.article(report_id)

    def sources(self) -> list[str]:
        return self.catalog.sources()

    def authors(self) -> list[str]:
        """The distinct author fields of the stored reports (what the ``authors`` filter takes)."""
        return self.catalog.authors()

    def index_current(self) -> bool:
        """False when the stored reports were embedded or chunked with other settings than this assistant's (another
        embedder build after an upgrade, another backend or chunk size): search and ask still work, but questions
        are embedded differently from the stored passages until ``ingest`` of the same reports re-embeds them (here or
        in another process: checked on every call by hashing one stored report, 0.05 ms on the MultiHop index; the cost
        grows with that report's length)."""
        return index_is_current(self.catalog, self.settings, self.embedder)

    def stats(self) -> dict[str, Any]:
        n_reports, n_chunks = self.catalog.counts()
        first, last = self.catalog.date_range()
        return {"reports": n_reports, "chunks": n_chunks, "vectors": self.store.count(), "sources": len(self.sources()),
                "first_date": first.isoformat() if first else None, "last_date": last.isoformat() if last else None,
                "data_dir": str(Path(self.settings.data_dir).resolve()), "chroma": self.settings.chroma_url or "embedded",
                "embedder": self.embedder.name, "index_current": self.index_current(),
                "chunks_with_sentence_vectors": self.catalog.sentence_vector_count()}

    # -- internals --------------------------------------------------------------------------------------
    def _query(self, question: str, filters: Filters | dict | None) -> Query:
        text = check_question(question)
        if not getattr(self, "_index_ok", False):  # once it held reports, trust it (ingest repairs small differences)
            check_index(self.catalog, self.store, self.settings.data_dir)
            self._index_ok = True
        f = parse_filters(filters, self.catalog.sources(), self.catalog.authors()) if filters else None
        facets = self.retriever.analyse(text)
        # the question and its sub-queries in one call: four or more texts are embedded on all cores, and the
        # retriever then finds the sub-queries' vectors in the embedder's cache
        vectors = self.embedder.embed_batch([text, *self.retriever.vector_texts(facets)])
        return Query(text=text, vector=vectors[0], filters=f, facets=facets)

    def _search(self, query: Query, top_k: int | None) -> list[Passage]:
        return self.retriever.search(query, self.settings.retrieval.top_k if top_k is None else check_top_k(top_k))

    def _report_text(self, report_id: str) -> str | None:
        art = self.catalog.article(report_id)
        return art.text if art else None


def _tqdm_progress():
    from tqdm import tqdm

    bars: dict[str, Any] = {}

    def update(done: int, total: int, stage: str) -> None:
        bar = bars.get(stage)
        if bar is None:
            bar = bars[stage] = tqdm(total=total or None, desc=stage, unit="chunks" if stage == "embedding" else "reports")
        bar.n = done
        bar.refresh()

    update.close = lambda: [b.close() for b in bars.values()]  # type: ignore[attr-defined]
    return update
