"""Vector store adapter: the only module that imports chromadb and llama-index.

``VectorStore`` is the small interface; ``ChromaStore`` keeps chunk vectors in Chroma through llama-index's
``ChromaVectorStore`` (adding nodes), embedded (PersistentClient under the data dir) or on a ``chroma run`` server.
Queries, deletes by report and paging through ids use the collection itself: ``ChromaVectorStore`` offers no delete
by metadata, and its query takes one vector per call and fetches documents and metadata this store does not need.
llama-index is imported on first use (about 1.5 s).
"""
from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from pathlib import Path
from typing import Sequence
from urllib.parse import urlparse

import numpy as np

from .errors import IndexUnavailable, InputError
from .types import Filters


class VectorStore(ABC):
    """Chunk vectors with a little metadata (report id, source, date) for filtering."""

    @abstractmethod
    def upsert(self, ids: Sequence[str], vectors: np.ndarray, metadatas: Sequence[dict]) -> None: ...

    @abstractmethod
    def delete_reports(self, report_ids: Sequence[str]) -> None: ...

    @abstractmethod
    def query(self, vector: np.ndarray, k: int, filters: Filters | None = None) -> list[tuple[str, float]]:
        """``(chunk_id, cosine similarity)`` best first."""

    def query_many(self, vectors: Sequence[np.ndarray], k: int, filters: Filters | None = None) -> list[list[tuple[str, float]]]:
        """``query`` for several vectors under the same filters (stores that can do it in one call override this)."""
        return [self.query(v, k, filters) for v in vectors]

    def all_vectors(self) -> tuple[list[str], np.ndarray]:
        """Every chunk id and its vector (``n x dim`` float32), for a copy held in memory (``dense_memory``)."""
        raise NotImplementedError(f"{type(self).__name__} cannot list its vectors")

    @abstractmethod
    def report_ids(self) -> set[str]: ...

    @abstractmethod
    def count(self) -> int: ...


_MAX_BATCH = 5000  # vectors per Chroma call (below its per-request limit)
_VECTOR_PAGE = 1000  # vectors per page read by all_vectors: 5,000 peaked at about 100 MB more memory, 1,000 at 34


def date_int(value) -> int:
    return int(value.strftime("%Y%m%d")) if value else 0


class ChromaStore(VectorStore):
    def __init__(self, collection: str, data_dir: Path | None = None, url: str = ""):
        self._collection_name = collection
        self._data_dir = data_dir
        self._url = url
        self._lock = threading.Lock()
        self._connect()

    # -- connection -------------------------------------------------------------------------------------
    def _connect(self) -> None:
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        settings = ChromaSettings(anonymized_telemetry=False)
        try:
            if self._url:
                u = urlparse(self._url)
                if u.scheme not in ("http", "https") or not u.hostname:
                    raise InputError(f"chroma_url {self._url!r} is not an http(s)://host:port address; fix ASSISTANT_CHROMA_URL")
                client = chromadb.HttpClient(
                    host=u.hostname, port=u.port or (443 if u.scheme == "https" else 8000), ssl=u.scheme == "https", settings=settings
                )
                client.heartbeat()
            else:
                assert self._data_dir is not None
                path = Path(self._data_dir) / "chroma"
                path.mkdir(parents=True, exist_ok=True)
                client = chromadb.PersistentClient(path=str(path), settings=settings)
            coll = client.get_or_create_collection(
                self._collection_name, embedding_function=None, configuration={"hnsw": {"space": "cosine"}}
            )
        except InputError:
            raise
        except Exception as exc:  # chromadb raises many types; name the store and the fix
            where = self._url or str(Path(self._data_dir or ".") / "chroma")
            hint = (
                "start it with `make chroma` or fix ASSISTANT_CHROMA_URL"
                if self._url
                else "run `report-assistant ingest --rebuild <inputs>` to rebuild the index"
            )
            raise IndexUnavailable(f"cannot open the Chroma store at {where}: {exc}; {hint}") from exc
        self._client = client
        self._collection = coll
        self._vs = None  # llama-index's ChromaVectorStore over the collection, made on first use

    def _vector_store(self):
        if self._vs is None:
            from llama_index.vector_stores.chroma import ChromaVectorStore

            self._vs = ChromaVectorStore(chroma_collection=self._collection)
        return self._vs

    def _call(self, fn):
        """Run a Chroma call; on a lost server connection reconnect once and retry."""
        try:
            return fn()
        except Exception as exc:
            if not self._url:
                raise IndexUnavailable(f"the Chroma store failed: {exc}; run `report-assistant ingest --rebuild <inputs>`") from exc
            with self._lock:
                self._connect()
            return fn()

    # -- interface --------------------------------------------------------------------------------------
    def upsert(self, ids, vectors, metadatas) -> None:
        from llama_index.core.schema import TextNode

        ids = list(ids)
        nodes = [TextNode(id_=i, text="", embedding=np.asarray(v, dtype=np.float32).tolist(), metadata=dict(m))
                 for i, v, m in zip(ids, vectors, metadatas)]
        for at in range(0, len(ids), _MAX_BATCH):
            batch_ids, batch = ids[at:at + _MAX_BATCH], nodes[at:at + _MAX_BATCH]
            self._call(lambda: self._collection.delete(ids=batch_ids))  # add() does not replace
            self._call(lambda: self._vector_store().add(batch))

    def delete_reports(self, report_ids) -> None:
        for rid in report_ids:
            self._call(lambda rid=rid: self._collection.delete(where={"report_id": rid}))

    def query(self, vector, k, filters=None):
        return self.query_many([vector], k, filters)[0]

    def query_many(self, vectors, k, filters=None):
        # the collection itself, not ChromaVectorStore.query: that fetches documents and metadata too and takes one
        # vector per call (7 ms a query against 2 ms here, and 5.5 ms for four vectors in one call)
        where = _where(filters)
        embeddings = [np.asarray(v, dtype=np.float32).tolist() for v in vectors]
        # no count() first: Chroma returns what it has when k exceeds it (one round trip less per query)
        res = self._call(lambda: self._collection.query(query_embeddings=embeddings, n_results=k, include=["distances"],
                                                        **({"where": where} if where else {})))
        # the collection's space is cosine: distance = 1 - cosine similarity
        return [[(i, 1.0 - float(d)) for i, d in zip(ids, dists)] for ids, dists in zip(res["ids"], res["distances"])]

    def all_vectors(self) -> tuple[list[str], np.ndarray]:
        ids: list[str] = []
        blocks: list[np.ndarray] = []
        for got in self._pages("embeddings", _VECTOR_PAGE):
            ids.extend(got["ids"])
            blocks.append(np.asarray(got["embeddings"], dtype=np.float32))
        return ids, (np.vstack(blocks) if blocks else np.zeros((0, 0), dtype=np.float32))

    def report_ids(self) -> set[str]:
        return {m.get("report_id", "") for got in self._pages("metadatas", _MAX_BATCH) for m in got["metadatas"] or []}

    def _pages(self, include: str, size: int):
        """The collection's records, ``size`` at a time (one get() of every record fails past about 32k vectors:
        "too many SQL variables"); only non-empty pages."""
        offset = 0
        while True:
            got = self._call(lambda: self._collection.get(include=[include], limit=size, offset=offset))
            if got["ids"]:
                yield got
            if len(got["ids"]) < size:
                return
            offset += size

    def count(self) -> int:
        return int(self._call(lambda: self._collection.count()))


def _where(filters: Filters | None) -> dict | None:
    if filters is None or filters.empty:
        return None
    conds = []
    if filters.authors:  # the vectors carry no author: the retriever turns authors into report ids first
        raise ValueError("resolve author filters to report ids before querying the vector store")
    if filters.sources:
        conds.append({"source": {"$in": list(filters.sources)}})
    if filters.reports:
        conds.append({"report_id": {"$in": list(filters.reports)}})
    if filters.after:
        conds.append({"date": {"$gte": date_int(filters.after)}})
    if filters.before:
        conds.append({"date": {"$lte": date_int(filters.before)}})
        if not filters.after:  # an unknown date is stored as 0: an undated report is not "before" a date
            conds.append({"date": {"$gt": 0}})
    return conds[0] if len(conds) == 1 else {"$and": conds}
