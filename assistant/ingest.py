"""Ingest: read reports, skip the unchanged ones by content hash, chunk, embed, store.

Each chunk is embedded whole (for the vector store) and, unless ``embedding.sentence_vectors`` is off, sentence by
sentence (for the catalog's sentence vectors: retrieval re-scores candidates by their best sentence, the answerer
scores every sentence with them); a sentence repeated in the next chunk (the overlap) is embedded once.

Crash safety: a report is first marked pending in the catalog, then its vectors are replaced in the store, then its
catalog rows (text, chunks, keyword index, hash) are replaced in one transaction. A run killed at any point leaves
the report pending or stale, so the next run redoes exactly that report; vectors of reports the catalog does not
know are removed at the start of every run.

The keyword index is merged (FTS5 'optimize') at the end of a run once the chunks replaced or removed since its
last merge reach a quarter of the stored chunks: the tombstones they leave behind slow every keyword search.
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from .catalog import Catalog
from .chunking import chunk_article, header, indexed_text
from .embedding import Embedder
from .errors import IndexUnavailable, IngestLocked
from .reading import iter_reports
from .sentences import sentence_spans
from .settings import Settings
from .store import VectorStore, date_int
from .types import Article, Chunk, FileFailure, IngestReport

Progress = Callable[[int, int, str], None]  # (done, total, stage)
_CLEAN = "last_ingest_clean"  # catalog meta key: "1" when the last ingest run finished
_GROUP_CHUNKS = 256  # chunks embedded together (crosses reports, so batches stay full)
_CHURN = "keyword_index_churn"  # catalog meta key: chunks replaced or removed since the keyword index was merged
_MERGE_SHARE = 0.25  # merge the keyword index once the churn reaches this share of the stored chunks


@contextmanager
def ingest_lock(data_dir: Path):
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / "ingest.lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            other = Path(path).read_text().strip() or "another process"
            raise IngestLocked(
                f"another ingest (pid {other}) is writing to {data_dir}; wait for it to finish, then run this one again"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        yield
    finally:
        os.close(fd)


def check_index(catalog: Catalog, store: VectorStore, data_dir: Path | str) -> None:
    """Raise ``IndexUnavailable`` (naming the fix) when there is no index, or its two halves disagree beyond repair
    by an ordinary ingest: vectors without a catalog, or a catalog without vectors. Small differences (an ingest in
    progress, or one killed) are left to the next ingest, which redoes exactly the unfinished reports."""
    n_reports, n_chunks = catalog.counts()
    n_vectors = store.count()
    if n_chunks and not n_vectors:
        raise IndexUnavailable(
            f"the index at {data_dir} is damaged: the catalog lists {n_reports} reports but the vector store is empty "
            "(was its chroma folder deleted?); run `report-assistant ingest --rebuild <inputs>` to rebuild it")
    if n_vectors and not n_chunks:
        raise IndexUnavailable(
            f"the index at {data_dir} is damaged: the vector store holds {n_vectors} vectors but the catalog lists no "
            "reports (was catalog.sqlite3 deleted?); run `report-assistant ingest --rebuild <inputs>` to rebuild it")
    if not n_reports:
        raise IndexUnavailable(f"the index at {data_dir} holds no reports yet; run `report-assistant ingest <inputs>` first")


def reset_index(settings: Settings) -> list[str]:
    """Delete whichever half of the index cannot be opened (the catalog file, or the embedded Chroma folder), for
    ``ingest --rebuild`` on a damaged index. A Chroma server is never touched. Returns what was deleted."""
    from .store import ChromaStore

    data_dir = Path(settings.data_dir)
    deleted = []
    with ingest_lock(data_dir):
        try:
            Catalog(data_dir / "catalog.sqlite3")
        except IndexUnavailable:
            for suffix in ("", "-wal", "-shm", "-journal"):
                f = data_dir / f"catalog.sqlite3{suffix}"
                if f.exists():
                    f.unlink()
                    deleted.append(str(f))
        if not settings.chroma_url:
            try:
                ChromaStore(settings.collection, data_dir=data_dir)
            except IndexUnavailable:
                shutil.rmtree(data_dir / "chroma", ignore_errors=True)
                deleted.append(str(data_dir / "chroma"))
    return deleted


def content_hash(article: Article, signature: str) -> str:
    payload = json.dumps(
        [article.title, article.source, article.date_str, article.url, article.author, article.text, signature],
        ensure_ascii=False,
    )
    return hashlib.sha256(payload.encode("utf-8", "surrogatepass")).hexdigest()


def text_hash(text: str) -> str:
    return hashlib.sha256(" ".join(text.split()).lower().encode("utf-8", "surrogatepass")).hexdigest()


def index_signature(settings: Settings, embedder: Embedder) -> str:
    """What every report's content hash is keyed on besides the report: the embedder and the chunking settings. A
    change re-embeds the report on its next ingest."""
    c = settings.chunking
    signature = f"{embedder.name}|{c.max_tokens}|{c.overlap_sentences}|{c.header}"
    if settings.embedding.sentence_vectors:  # an index built without them is re-embedded on its next ingest
        signature += "|sv"
    return signature


def index_is_current(catalog: Catalog, settings: Settings, embedder: Embedder) -> bool:
    """False when the index's reports were embedded or chunked with other settings than these (e.g. by another
    embedder build after an upgrade): questions are then embedded differently from the stored passages until an
    ingest of the same reports re-embeds them. Checks one report (a whole index is ingested with one signature)."""
    one = catalog.a_finished_report()
    if one is None:
        return True
    article = catalog.article(one[0])
    return article is None or content_hash(article, index_signature(settings, embedder)) == one[1]


class Ingestor:
    def __init__(self, settings: Settings, catalog: Catalog, store: VectorStore, embedder: Embedder):
        self.s, self.catalog, self.store, self.embedder = settings, catalog, store, embedder
        self.signature = index_signature(settings, embedder)

    def run(self, inputs: Sequence[str | Path], sync: bool = False, rebuild: bool = False, progress: Progress | None = None) -> IngestReport:
        t0 = time.perf_counter()
        report = IngestReport()
        with ingest_lock(Path(self.s.data_dir)):
            clean = self.catalog.get_meta(_CLEAN) == "1" and not rebuild
            self.catalog.set_meta(_CLEAN, "0")  # until this run ends: a run killed from here on makes the next one scan
            before = self.catalog.chunk_count()  # before a rebuild's removals: they leave tombstones too
            if rebuild:
                self._remove(list(self.catalog.hashes()) + list(self.store.report_ids()))
            known = self.catalog.hashes()
            stored = self._stored_report_ids(known, clean)
            orphans = stored - set(known)
            if orphans:
                self.store.delete_reports(sorted(orphans))
            for rid in set(known) - stored:  # vectors lost (e.g. the chroma folder deleted): embed these again
                known[rid] = ("", known[rid][1])
            pending, seen, failed_paths = self._plan(inputs, known, report, progress, sync)
            self._embed_and_store(pending, known, report, progress)
            if sync:
                self._sync(seen, failed_paths, report)
            self._merge_keyword_index(before, report.chunks_embedded)
            self.catalog.set_meta(_CLEAN, "1")
        report.seconds = time.perf_counter() - t0
        return report

    def _merge_keyword_index(self, before: int, embedded: int) -> None:
        """Merge the keyword index once the chunks replaced or removed since its last merge reach ``_MERGE_SHARE``
        of the stored chunks (a full re-embed does; a few changed reports do not: a merge rewrites the whole index).
        Added chunks do not count: FTS5 merges its segments as they are added (a merge after a first ingest of the
        MultiHop corpus saved well under 1 ms of an 8 ms lookup), while a replaced or deleted chunk leaves a tombstone
        that every lookup reads until a merge."""
        after = self.catalog.chunk_count()
        stored = self.catalog.get_meta(_CHURN)  # none on a chunk-holding index: one from before merging, merged once
        churn = (before if stored is None else int(stored)) + max(0, before + embedded - after)  # replaced or removed
        if after and churn >= _MERGE_SHARE * after:
            self.catalog.optimize_keyword_index()
            churn = 0
        self.catalog.set_meta(_CHURN, str(churn))

    def _stored_report_ids(self, known, clean: bool) -> set[str]:
        """The reports the vector store holds vectors for. Reading them means paging through every vector's metadata
        (168 s at a million chunks), so when the previous run ended cleanly and the store holds exactly as many
        vectors as the catalog has chunks, the two halves agree and the catalog's list is used."""
        if clean and self.store.count() == self.catalog.chunk_count():
            return set(known)
        return self.store.report_ids()

    # -- stages -----------------------------------------------------------------------------------------
    def _plan(self, inputs, known, report, progress, sync=False):
        pending: list[tuple[Article, str, str, list[Chunk]]] = []
        seen: set[str] = set()
        failed_paths: list[str] = []
        batch_texts: dict[str, str] = {}
        batch_origins: dict[str, str] = {}
        renamed: list[tuple[Article, str, str, str]] = []  # (article, hash, text hash, stored twin) under sync
        n = 0
        for item in iter_reports(inputs, max_bytes=self.s.max_file_mb * 1_000_000):
            n += 1
            if progress:
                progress(n, 0, "reading")
            if isinstance(item, FileFailure):
                report.failed.append(item)
                failed_paths.append(item.path.split(":")[0])
                continue
            art = item
            if art.id in seen:
                report.failed.append(FileFailure(art.origin, f"same report id as an earlier input (same url {art.url!r}); skipped"))
                continue
            h = content_hash(art, self.signature)
            if known.get(art.id, ("",))[0] == h:
                seen.add(art.id)
                report.unchanged.append(art.id)
                continue
            th = text_hash(art.text)
            twin = batch_texts.get(th) or self.catalog.report_with_text_hash(th)
            if twin and twin != art.id and sync and twin not in batch_origins:
                renamed.append((art, h, th, twin))  # decided once all inputs are read: renamed, or a copy?
                continue
            if twin and twin != art.id:
                other = batch_origins.get(twin) or getattr(self.catalog.article(twin), "origin", "")
                report.failed.append(FileFailure(art.origin, f"same text as {other} (report {twin}); skipped as a duplicate"))
                continue
            self._add_pending(art, h, th, pending, seen, batch_texts, batch_origins, report)
        for art, h, th, twin in renamed:  # the stored twin is among the inputs: a copy; else sync drops it: a rename
            if twin in seen or th in batch_texts:
                other = batch_origins.get(twin) or getattr(self.catalog.article(twin), "origin", "")
                report.failed.append(FileFailure(art.origin, f"same text as {other} (report {twin}); skipped as a duplicate"))
            else:
                self._add_pending(art, h, th, pending, seen, batch_texts, batch_origins, report)
        return pending, seen, failed_paths

    def _add_pending(self, art, h, th, pending, seen, batch_texts, batch_origins, report) -> None:
        chunks = chunk_article(art, self.embedder.count_tokens, self.s.chunking.max_tokens,
                               self.s.chunking.overlap_sentences, self.s.chunking.header)
        if not chunks:
            report.failed.append(FileFailure(art.origin, "no text to index after reading"))
            return
        seen.add(art.id)
        batch_texts[th] = art.id
        batch_origins[art.id] = art.origin
        pending.append((art, h, th, chunks))

    def _embed_and_store(self, pending, known, report, progress) -> None:
        total = sum(len(p[3]) for p in pending)
        done = 0
        group: list = []
        for i, item in enumerate(pending):
            group.append(item)
            if sum(len(g[3]) for g in group) >= _GROUP_CHUNKS or i == len(pending) - 1:
                done += self._store_group(group, known, report)
                group = []
                if progress:
                    progress(done, total, "embedding")

    def _store_group(self, group, known, report) -> int:
        bodies = []
        for art, _, _, chunks in group:
            head = header(art) if self.s.chunking.header else ""
            bodies.append([indexed_text(head, c.text) for c in chunks])
        vectors = self.embedder.embed_batch([b for bs in bodies for b in bs])
        reports = [chunks for _, _, _, chunks in group]
        sentence_vectors = self._sentence_vectors(reports) if self.s.embedding.sentence_vectors else [None] * len(group)
        at = 0
        for (art, h, th, chunks), bs, svs in zip(group, bodies, sentence_vectors):
            vecs = vectors[at: at + len(chunks)]
            at += len(chunks)
            self.catalog.mark_pending(art.id)
            self.store.delete_reports([art.id])
            meta = {"report_id": art.id, "source": art.source, "date": date_int(art.published)}
            self.store.upsert([c.id for c in chunks], vecs, [meta] * len(chunks))
            self.catalog.replace_report(art, h, th, chunks, bs, svs)
            (report.updated if art.id in known else report.added).append(art.id)
            report.chunks_embedded += len(chunks)
        return at

    def _sentence_vectors(self, reports: list[list[Chunk]]) -> list[list[np.ndarray]]:
        """Per report, per chunk: its sentences' vectors (rows in ``sentence_spans`` order), from one embedding call
        for the whole group in which each distinct sentence of a report is embedded once."""
        spans = [[[(c.start + s, c.start + e) for s, e in sentence_spans(c.text)] for c in chunks] for chunks in reports]
        texts: dict[tuple[int, int, int], str] = {}
        for r, (chunks, per_chunk) in enumerate(zip(reports, spans)):
            for c, sp in zip(chunks, per_chunk):
                for s, e in sp:
                    texts.setdefault((r, s, e), c.text[s - c.start: e - c.start])
        row = {key: i for i, key in enumerate(texts)}
        vecs = self.embedder.embed_batch(list(texts.values())) if texts else np.zeros((0, self.embedder.dim), np.float32)
        return [[vecs[[row[(r, s, e)] for s, e in sp]] for sp in per_chunk] for r, per_chunk in enumerate(spans)]

    def _sync(self, seen, failed_paths, report) -> None:
        gone = []
        for info in self.catalog.reports():
            if info.id in seen:
                continue
            origin_file = info.origin.split("#")[0]
            if any(origin_file == p or origin_file.startswith(p.rstrip("/") + "/") for p in failed_paths):
                continue  # its file failed to read this time: keep the stored version rather than lose it
            gone.append(info.id)
        self._remove(gone)
        report.removed.extend(gone)

    def _remove(self, ids) -> None:
        ids = sorted(set(ids))
        if ids:
            self.store.delete_reports(ids)
            self.catalog.delete_reports(ids)
