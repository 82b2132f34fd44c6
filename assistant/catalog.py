"""The catalog: reports (metadata, full text, content hashes), chunk offsets and the keyword index, in SQLite.

One SQLite file under the data dir. Each report is replaced in one transaction, so the catalog never holds half a
report; the keyword side (FTS5, BM25 ranking, Porter stemming) lives in the same file and updates incrementally, and
so do the vectors of each chunk's sentences (float16, for re-scoring candidates by their best sentence).
Keyword searches are answered from the FTS5 index read into memory (``keyword_memory``, the same BM25) when the
index holds at most ``keyword_memory_chunks`` chunks, and by FTS5 itself otherwise or until that copy is read.
"""
from __future__ import annotations

import datetime as dt
import sqlite3
import threading
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

from . import keyword_memory
from .errors import IndexUnavailable
from .terms import idf_from_frequencies, match_expression
from .types import Article, Chunk, Filters, ReportInfo

SCHEMA_VERSION = 1
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS reports (
    id TEXT PRIMARY KEY, title TEXT, source TEXT, published TEXT, url TEXT, author TEXT, origin TEXT,
    hash TEXT, text_hash TEXT, text TEXT, n_chunks INTEGER);
CREATE INDEX IF NOT EXISTS reports_text_hash ON reports(text_hash);
CREATE TABLE IF NOT EXISTS chunks (
    rowid INTEGER PRIMARY KEY, id TEXT UNIQUE, report_id TEXT, idx INTEGER, start INTEGER, "end" INTEGER);
CREATE INDEX IF NOT EXISTS chunks_report ON chunks(report_id);
CREATE VIRTUAL TABLE IF NOT EXISTS chunks_fts USING fts5(body, tokenize='porter unicode61 remove_diacritics 2');
CREATE VIRTUAL TABLE IF NOT EXISTS chunks_vocab USING fts5vocab(chunks_fts, 'row');
CREATE TABLE IF NOT EXISTS sentence_vectors (chunk_id TEXT PRIMARY KEY, dim INTEGER, vectors BLOB);
"""


class Catalog:
    def __init__(self, path: Path, keyword_memory_chunks: int = 0):
        """``keyword_memory_chunks``: hold the keyword index in memory when it has at most this
        many chunks (about 1.5-2 KB a chunk); 0 = always search FTS5."""
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._writes = 0  # commits through this object: with PRAGMA data_version (others' commits), when to re-read
        self._names: dict[str, tuple[tuple[int, int], list[str]]] = {}
        self._memory_chunks = keyword_memory_chunks
        self._postings: keyword_memory.Postings | None = None  # the keyword index in memory, at some generation
        self._reading: str | None = None  # the generation being (or last) read, so each is read once
        self._memory_lock = threading.Lock()
        self._read_lock = threading.Lock()  # one read of the keyword index at a time (its peak memory is ~2x the copy)
        try:
            c = self._conn().conn
            c.executescript(_SCHEMA)
            c.execute("INSERT OR IGNORE INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
            # bumped in the transaction of every change to the chunks: when the in-memory keyword index is stale
            c.execute("INSERT OR IGNORE INTO meta VALUES ('keyword_generation', '0')")
            c.execute("SELECT count(*) FROM reports").fetchone()
        except sqlite3.DatabaseError as exc:
            raise IndexUnavailable(
                f"the catalog {self.path} is unreadable ({exc}); run `report-assistant ingest --rebuild <inputs>` to rebuild it"
            ) from exc

    def _conn(self) -> sqlite3.Connection:
        c = getattr(self._local, "conn", None)
        if c is None:
            c = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            c.execute("PRAGMA journal_mode=WAL")
            c.execute("PRAGMA synchronous=NORMAL")
            self._local.conn = c
        return _Tx(c, self)

    def _q(self, sql: str, args: Sequence = ()) -> list[tuple]:
        return self._conn().conn.execute(sql, args).fetchall()

    # -- writing ----------------------------------------------------------------------------------------
    def hashes(self) -> dict[str, tuple[str, str]]:
        return {r[0]: (r[1], r[2]) for r in self._q("SELECT id, hash, text_hash FROM reports")}

    def replace_report(self, article: Article, hash_: str, text_hash: str, chunks: Sequence[Chunk], bodies: Sequence[str],
                       sentence_vectors: Sequence[np.ndarray] | None = None) -> None:
        """Replace a report, its chunks and keyword index, and (when given) each chunk's sentence vectors (one
        ``n_sentences x dim`` array per chunk, rows in ``sentence_spans`` order) in one transaction."""
        if sentence_vectors is not None and len(sentence_vectors) != len(chunks):
            raise ValueError(f"{len(sentence_vectors)} sentence-vector arrays for {len(chunks)} chunks of {article.id}")
        with self._conn() as c:
            _delete(c, [article.id])
            c.execute(
                "INSERT INTO reports VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (article.id, article.title, article.source, article.date_str, article.url, article.author,
                 article.origin, hash_, text_hash, article.text, len(chunks)),
            )
            for ch, body in zip(chunks, bodies):
                cur = c.execute("INSERT INTO chunks (id, report_id, idx, start, \"end\") VALUES (?,?,?,?,?)",
                                (ch.id, ch.report_id, ch.index, ch.start, ch.end))
                c.execute("INSERT INTO chunks_fts (rowid, body) VALUES (?, ?)", (cur.lastrowid, body))
            for ch, vecs in zip(chunks, sentence_vectors or []):
                vecs = np.asarray(vecs, dtype=np.float16)
                c.execute("INSERT INTO sentence_vectors VALUES (?, ?, ?)", (ch.id, vecs.shape[1] if vecs.ndim == 2 else 0,
                                                                           vecs.tobytes()))

    def get_meta(self, key: str) -> str | None:
        row = self._q("SELECT value FROM meta WHERE key = ?", (key,))
        return row[0][0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        with self._conn() as c:
            c.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    def optimize_keyword_index(self) -> None:
        """Merge the keyword index's segments into one (FTS5 'optimize'). Replaced and deleted chunks leave segments
        and tombstones behind that every keyword search reads: on the MultiHop index after four full re-embeds, a
        keyword search took 12 ms before and 8 ms after (0.3 s for 7,900 chunks)."""
        with self._conn() as c:
            c.execute("INSERT INTO chunks_fts(chunks_fts) VALUES ('optimize')")

    def a_finished_report(self) -> tuple[str, str] | None:
        """(id, content hash) of one report whose last ingest finished (its hash is set), or None."""
        rows = self._q("SELECT id, hash FROM reports WHERE hash != '' LIMIT 1")
        return (rows[0][0], rows[0][1]) if rows else None

    def mark_pending(self, report_id: str) -> None:
        """Forget a report's hash before its vectors change, so an interrupted ingest redoes it."""
        with self._conn() as c:
            c.execute("UPDATE reports SET hash = '' WHERE id = ?", (report_id,))

    def delete_reports(self, ids: Iterable[str]) -> None:
        with self._conn() as c:
            _delete(c, list(ids))

    # -- reading ----------------------------------------------------------------------------------------
    def report_with_text_hash(self, text_hash: str) -> str | None:
        row = self._q("SELECT id FROM reports WHERE text_hash = ? LIMIT 1", (text_hash,))
        return row[0][0] if row else None

    def article(self, report_id: str) -> Article | None:
        rows = self._q("SELECT id, title, text, source, published, url, author, origin FROM reports WHERE id = ?", (report_id,))
        if not rows:
            return None
        r = rows[0]
        return Article(id=r[0], title=r[1], text=r[2], source=r[3], published=_date(r[4]), url=r[5], author=r[6], origin=r[7])

    def reports(self) -> list[ReportInfo]:
        rows = self._q("SELECT id, title, source, published, url, author, origin, n_chunks FROM reports ORDER BY published DESC, title")
        return [ReportInfo(r[0], r[1], r[2], _date(r[3]), r[4], r[5], r[6], r[7]) for r in rows]

    def sources(self) -> list[str]:
        """The distinct sources of the stored reports (the same list object until the catalog changes)."""
        return self._distinct("source")

    def authors(self) -> list[str]:
        """The distinct author fields of the stored reports (the same list object until the catalog changes)."""
        return self._distinct("author")

    def _distinct(self, column: str) -> list[str]:
        # asked on every question: a scan of the reports table (about 45 ms at 100k reports) only after a change
        conn = self._conn().conn
        version = (conn.execute("PRAGMA data_version").fetchone()[0], self._writes)
        got = self._names.get(column)
        if got is None or got[0] != version:
            names = [r[0] for r in conn.execute(f"SELECT DISTINCT {column} FROM reports WHERE {column} != '' ORDER BY {column}")]
            got = self._names[column] = (version, names)
        return got[1]

    def reports_by(self, authors: Sequence[str]) -> list[str]:
        """Ids of the reports whose author field is one of ``authors``."""
        if not authors:
            return []
        marks = ",".join("?" * len(authors))
        return [r[0] for r in self._q(f"SELECT id FROM reports WHERE author IN ({marks}) ORDER BY id", list(authors))]

    def date_range(self) -> tuple[dt.date | None, dt.date | None]:
        r = self._q("SELECT min(published), max(published) FROM reports WHERE published != ''")[0]
        return _date(r[0]), _date(r[1])

    def chunk_count(self) -> int:
        return self._q("SELECT count(*) FROM chunks")[0][0]

    def sentence_vector_count(self) -> int:
        """Chunks whose sentence vectors are stored."""
        return self._q("SELECT count(*) FROM sentence_vectors")[0][0]

    def counts(self) -> tuple[int, int]:
        return self._q("SELECT count(*) FROM reports")[0][0], self._q("SELECT count(*) FROM chunks")[0][0]

    def chunk_ids_of(self, report_ids: Sequence[str]) -> list[str]:
        if not report_ids:
            return []
        marks = ",".join("?" * len(report_ids))
        return [r[0] for r in self._q(f"SELECT id FROM chunks WHERE report_id IN ({marks}) ORDER BY report_id, idx",
                                      list(report_ids))]

    def chunk_rows(self, chunk_ids: Sequence[str]) -> dict[str, tuple]:
        """chunk id -> (report_id, start, end, title, source, published, url, text[start:end], author)."""
        if not chunk_ids:
            return {}
        marks = ",".join("?" * len(chunk_ids))
        rows = self._q(
            f"SELECT c.id, c.report_id, c.start, c.\"end\", r.title, r.source, r.published, r.url, "
            f"substr(r.text, c.start + 1, c.\"end\" - c.start), r.author FROM chunks c JOIN reports r ON r.id = c.report_id "
            f"WHERE c.id IN ({marks})",
            list(chunk_ids),
        )
        return {r[0]: (r[1], r[2], r[3], r[4], r[5], _date(r[6]), r[7], r[8], r[9] or "") for r in rows}

    def sentence_vectors(self, chunk_ids: Sequence[str]) -> dict[str, np.ndarray]:
        """chunk id -> its sentences' unit vectors (``n x dim`` float32), for the chunks that have them (an index
        built before they were stored has none until its next ingest)."""
        if not chunk_ids:
            return {}
        marks = ",".join("?" * len(chunk_ids))
        rows = self._q(f"SELECT chunk_id, dim, vectors FROM sentence_vectors WHERE chunk_id IN ({marks})", list(chunk_ids))
        return {r[0]: np.frombuffer(r[2], dtype=np.float16).reshape(-1, r[1]).astype(np.float32) for r in rows if r[1]}

    def chunk_dates(self, chunk_ids: Sequence[str]) -> dict[str, dt.date | None]:
        if not chunk_ids:
            return {}
        marks = ",".join("?" * len(chunk_ids))
        rows = self._q(f"SELECT c.id, r.published FROM chunks c JOIN reports r ON r.id = c.report_id WHERE c.id IN ({marks})",
                       list(chunk_ids))
        return {r[0]: _date(r[1]) for r in rows}

    def keyword_search(self, words: Sequence[str], n: int, filters: Filters | None = None) -> list[tuple[str, float]]:
        """``(chunk_id, bm25)`` of the chunks holding any of ``words``, best first; bm25 is positive, larger is
        better (FTS5's, from the in-memory copy when it is held and current)."""
        if not words:
            return []
        held = self._current_postings()
        if held is not None:
            got = keyword_memory.search(held, words, n, filters)
            if got is not None:
                return got
        match = match_expression(list(words))
        where, args = _filter_sql(filters)
        sql = (
            "SELECT c.id, -bm25(chunks_fts) AS s FROM chunks_fts JOIN chunks c ON c.rowid = chunks_fts.rowid "
            + ("JOIN reports r ON r.id = c.report_id " if where else "")
            + "WHERE chunks_fts MATCH ? " + where + " ORDER BY bm25(chunks_fts) LIMIT ?"
        )
        try:
            return [(r[0], float(r[1])) for r in self._q(sql, [match, *args, n])]
        except sqlite3.OperationalError:
            return []

    def _current_postings(self) -> keyword_memory.Postings | None:
        """The in-memory keyword index when it is current; else ``None``, and a background thread reads the current
        one (searches use FTS5 meanwhile: a one-question command does not wait for a copy it will not reuse)."""
        if not self._memory_chunks:
            return None
        generation = self.get_meta("keyword_generation") or "0"
        held = self._postings
        if held is not None and held.generation == generation:
            return held
        with self._memory_lock:
            if self._reading != generation:
                self._reading = generation
                threading.Thread(target=self.hold_keyword_index, daemon=True, name="keyword-memory").start()
        return None

    def keyword_snapshot(self) -> keyword_memory.Postings | None:
        """The in-memory keyword index when it is held and current, else ``None`` (and it is being read); the dense
        copy in memory (``dense_memory``) follows its rows, filters and generation."""
        return self._current_postings()

    @property
    def keyword_memory_held(self) -> bool:
        """Whether keyword searches are answered from a current in-memory copy (else by FTS5)."""
        held = self._postings
        return held is not None and held.generation == (self.get_meta("keyword_generation") or "0")

    def hold_keyword_index(self) -> bool:
        """Read the keyword index into memory now (when it has at most ``keyword_memory_chunks`` chunks); whether a
        current copy is held. One read transaction, so the copy is one consistent state of the index."""
        if not self._memory_chunks or not self.path.exists():
            return False
        with self._read_lock:  # a read asked for while another runs waits for it, then finds the copy current
            return self.keyword_memory_held or self._read_keyword_index()

    def _read_keyword_index(self) -> bool:
        try:
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            try:
                conn.execute("BEGIN")
                generation = conn.execute("SELECT value FROM meta WHERE key = 'keyword_generation'").fetchone()
                chunks = conn.execute("SELECT rowid, id, report_id FROM chunks ORDER BY rowid").fetchall()
                if len(chunks) > self._memory_chunks:
                    return False
                reports = conn.execute("SELECT id, source, coalesce(author, ''), coalesce(published, '') FROM reports").fetchall()
                conn.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.chunks_instances "
                             "USING fts5vocab(main, chunks_fts, 'instance')")
                instances = conn.execute("SELECT term, group_concat(doc) FROM temp.chunks_instances GROUP BY term").fetchall()
                conn.execute("COMMIT")
            finally:
                conn.close()
        except sqlite3.Error:
            return False  # searches go on with FTS5
        self._postings = keyword_memory.build(generation[0] if generation else "0",
                                              np.array([r[0] for r in chunks], dtype=np.int64), [r[1] for r in chunks],
                                              [r[2] for r in chunks], reports, instances)
        return True

    def idf(self, stems: Sequence[str]) -> dict[str, float]:
        """BM25 idf of each stem over the indexed chunks (shared by retrieval re-scoring and answer scoring)."""
        return idf_from_frequencies(self.document_frequencies(stems), self.chunk_count(), stems)

    def document_frequencies(self, terms: Sequence[str]) -> dict[str, int]:
        if not terms:
            return {}
        marks = ",".join("?" * len(terms))
        return {r[0]: r[1] for r in self._q(f"SELECT term, doc FROM chunks_vocab WHERE term IN ({marks})", list(terms))}


class _Tx:
    """``with catalog._conn() as c`` runs a write transaction (BEGIN IMMEDIATE ... COMMIT/ROLLBACK)."""

    def __init__(self, conn: sqlite3.Connection, catalog: "Catalog"):
        self.conn, self.catalog = conn, catalog

    def __enter__(self) -> sqlite3.Connection:
        self.conn.execute("BEGIN IMMEDIATE")
        return self.conn

    def __exit__(self, exc_type, *_):
        self.conn.execute("ROLLBACK" if exc_type else "COMMIT")
        self.catalog._writes += 1


def _delete(c: sqlite3.Connection, ids: list[str]) -> None:
    """Remove reports, in the caller's transaction (``replace_report`` calls this first, so every change to the
    chunks passes here and bumps the keyword generation)."""
    c.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'keyword_generation'")
    for rid in ids:
        rowids = [r[0] for r in c.execute("SELECT rowid FROM chunks WHERE report_id = ?", (rid,))]
        c.executemany("DELETE FROM chunks_fts WHERE rowid = ?", [(r,) for r in rowids])
        c.execute("DELETE FROM sentence_vectors WHERE chunk_id IN (SELECT id FROM chunks WHERE report_id = ?)", (rid,))
        c.execute("DELETE FROM chunks WHERE report_id = ?", (rid,))
        c.execute("DELETE FROM reports WHERE id = ?", (rid,))


def _filter_sql(filters: Filters | None) -> tuple[str, list]:
    if filters is None or filters.empty:
        return "", []
    parts, args = [], []
    if filters.sources:
        parts.append(f"r.source IN ({','.join('?' * len(filters.sources))})")
        args.extend(filters.sources)
    if filters.authors:
        parts.append(f"r.author IN ({','.join('?' * len(filters.authors))})")
        args.extend(filters.authors)
    if filters.reports:
        parts.append(f"r.id IN ({','.join('?' * len(filters.reports))})")
        args.extend(filters.reports)
    if filters.after:
        parts.append("r.published >= ?")
        args.append(filters.after.isoformat())
    if filters.before:
        parts.append("r.published != '' AND r.published <= ?")
        args.append(filters.before.isoformat())
    return "AND " + " AND ".join(parts) + " ", args


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None
