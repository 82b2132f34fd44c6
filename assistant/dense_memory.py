"""Dense search held in memory: the chunk vectors read once from the vector store into one numpy matrix, searched
exactly (every row's cosine), with the same filters as the keyword search held in memory.

Why: a question is searched densely four to eight times (the question, its clauses, each named publisher, each
dated part), and Chroma answers a query with a metadata filter ("this publisher", "this publisher on this day") in
11-30 ms on the MultiHop index (7,946 chunks), against 2 ms without one: most of ``ask``'s retrieval time on 2 cores.
An exact search of the filtered rows here takes well under a millisecond, and it is exact where Chroma's HNSW graph is
approximate (about 1 in 20 filtered queries returned a slightly different top 25). Chroma stays the store of record:
the copy is read from it, in the background, after the first search (the app: as it starts, ``hold_in_memory``) and
after each change to the index (the keyword generation, which every change bumps after its vectors are written);
searches go to Chroma until it is current, and so does a search over more than ``EXACT_ROWS`` rows, where Chroma's
HNSW index is faster than a full scan.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from . import keyword_memory
from .types import Filters


@dataclass(frozen=True)
class Vectors:
    """The vectors of one keyword snapshot's chunks, in its row order (``postings.chunk_ids``)."""

    postings: keyword_memory.Postings
    matrix: np.ndarray  # float32, rows x dim, unit rows (zeros where the store held no vector)
    present: np.ndarray  # bool: the store held a vector for the row

    @property
    def generation(self) -> str:
        return self.postings.generation


def build(postings: keyword_memory.Postings, ids: Sequence[str], vectors: np.ndarray) -> Vectors:
    """``ids``/``vectors``: what the store holds, in any order; rows follow ``postings.chunk_ids``."""
    dim = vectors.shape[1] if len(vectors) else 0
    matrix = np.zeros((postings.rows, dim), dtype=np.float32)
    present = np.zeros(postings.rows, dtype=bool)
    at = {cid: i for i, cid in enumerate(ids)}
    rows = [(r, at[cid]) for r, cid in enumerate(postings.chunk_ids) if cid in at]
    if rows:
        mine, theirs = (np.array(x, dtype=np.int64) for x in zip(*rows))
        matrix[mine] = vectors[theirs]
        present[mine] = True
    return Vectors(postings, matrix, present)


# Rows one exact search may scan; a search over more goes to the vector store's index (HNSW). Five queries over all
# rows took 2.0 ms at 8,000 rows and 17.5 ms at 50,000 (one core, float32 matrix product), against 2-3 ms for
# Chroma's HNSW at any size; a filtered search scans only the rows it keeps (a tenth of 50,000: 3.5 ms).
EXACT_ROWS = 20_000


def search(v: Vectors, queries: Sequence[np.ndarray], k: int, filters: Filters | None = None,
           max_rows: int | None = None) -> list[list[tuple[str, float]]] | None:
    """Per query vector, ``(chunk_id, cosine)`` of the ``k`` nearest rows the filters keep, best first (ties by
    row); ``None`` when the filters keep more than ``max_rows`` rows (default ``EXACT_ROWS``: search the store)."""
    mask = keyword_memory.mask_rows(v.postings, filters)
    keep = v.present if mask is None else v.present & mask
    n_kept = int(keep.sum())
    if n_kept > (EXACT_ROWS if max_rows is None else max_rows):
        return None
    if not n_kept or not len(queries):
        return [[] for _ in queries]
    if n_kept == len(keep):  # every row: no copy of the whole matrix
        rows, matrix = np.arange(len(keep)), v.matrix
    else:
        rows = np.flatnonzero(keep)
        matrix = v.matrix[rows]
    sims = matrix @ np.asarray(queries, dtype=np.float32).T  # rows x queries
    out = []
    for col in sims.T:
        top = np.argpartition(-col, k - 1)[:k] if len(col) > k else np.arange(len(col))
        top = top[np.lexsort((top, -col[top]))]
        out.append([(v.postings.chunk_ids[rows[i]], float(col[i])) for i in top])
    return out


class DenseMemory:
    """Holds the current ``Vectors`` for a keyword snapshot; reads a new one in a background thread when the
    snapshot moves on. ``read_store`` returns every (id, vector) the store holds."""

    def __init__(self, read_store: Callable[[], tuple[list[str], np.ndarray]], max_chunks: int):
        self._read, self._max = read_store, max_chunks
        self._held: Vectors | None = None
        self._reading: str | None = None  # the generation being (or last) read, so each is read once
        self._lock = threading.Lock()
        self._read_lock = threading.Lock()  # one read at a time

    def _fits(self, postings: keyword_memory.Postings | None) -> bool:
        """Whether a copy may be held for this snapshot (a keyword copy held, within ``max_chunks``, not 0)."""
        return postings is not None and 0 < self._max and postings.rows <= self._max

    def _for(self, postings: keyword_memory.Postings) -> Vectors | None:
        held = self._held
        return held if held is not None and held.generation == postings.generation else None

    def holds(self, postings: keyword_memory.Postings) -> bool:
        """Whether the copy for ``postings``' generation is held (nothing is read)."""
        return self._for(postings) is not None

    def current(self, postings: keyword_memory.Postings | None) -> Vectors | None:
        """The copy for ``postings``' generation when held; else ``None`` (search the store), and it is read."""
        if not self._fits(postings):
            return None
        held = self._for(postings)
        if held is not None:
            return held
        with self._lock:
            if self._reading != postings.generation:
                self._reading = postings.generation
                threading.Thread(target=self.hold, args=(postings,), daemon=True, name="dense-memory").start()
        return None

    def hold(self, postings: keyword_memory.Postings) -> bool:
        """Read the store's vectors for ``postings`` now; whether a copy is held (a store that cannot be read leaves
        searches to the store)."""
        if not self._fits(postings):
            return False
        with self._read_lock:  # a read asked for while another runs waits for it, then finds the copy current
            if self.holds(postings):
                return True
            try:
                ids, vectors = self._read()
            except Exception:  # the store is searched as before; the next change of generation tries again
                return False
            self._held = build(postings, ids, vectors)
            return True
