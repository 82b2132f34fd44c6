"""Dense search from the in-memory copy of the chunk vectors: exact (it finds what Chroma finds on an index small
enough for Chroma to be exact, with the same cosines), filtered as the keyword search is, used by retrieval once
held, refreshed after every change to the index, and not used above its size limit or by one-shot commands.
Real components: indexes built by ingest with an embedded Chroma (the vectors are read from it) and the packaged
MiniLM embedder."""
import datetime as dt

import numpy as np
import pytest
from conftest import write_reports

from assistant import dense_memory
from assistant.catalog import Catalog
from assistant.store import VectorStore
from assistant.types import Filters

QUESTIONS = [
    "Which groups did not suspend attacks against US forces?",
    "Who flew to Baghdad to call off the militia strikes?",
    "What did the council approve on the site of the former quarry?",
    "Which road closed after heavy rain and flooding in the valley?",
]


def _held(a):
    assert a.catalog.hold_keyword_index()
    postings = a.catalog.keyword_snapshot()
    assert a.retriever.dense_copy.hold(postings)
    held = a.retriever.dense_copy.current(postings)
    assert held is not None and held.generation == postings.generation
    return held


def test_memory_search_finds_what_chroma_finds_under_every_filter(seed_assistant):
    """On the seed index (a few dozen chunks) Chroma's search is exact, so the two must agree chunk for chunk."""
    a = seed_assistant
    held = _held(a)
    assert held.present.all() and held.matrix.shape == (a.catalog.chunk_count(), 384)
    reports = a.catalog.reports()
    dated = [r for r in reports if r.published]
    filters = [None, Filters(sources=(reports[0].source,)), Filters(sources=tuple(a.catalog.sources()[:2])),
               Filters(reports=tuple(r.id for r in reports[:2])), Filters(after=min(r.published for r in dated)),
               Filters(after=dt.date(2024, 1, 1), before=dt.date(2024, 12, 31))]
    vectors = a.embedder.embed_batch(QUESTIONS)
    compared = 0
    for f in filters:
        for k in (3, 50):
            got = dense_memory.search(held, list(vectors), k, f)
            want = a.store.query_many(list(vectors), k, f)
            for g, w in zip(got, want):
                assert [c for c, _ in g] == [c for c, _ in w], (f, k)
                assert np.allclose([s for _, s in g], [s for _, s in w], atol=1e-5)
                compared += len(w)
    assert compared > 200


def test_an_undated_report_is_not_before_a_date_in_any_search(make_assistant, tmp_path):
    """The keyword search does not keep an undated report for "before X"; the copy in memory filters as it does, and
    so does Chroma, which stores an unknown date as 0 (its "date <= X" alone kept it)."""
    folder = write_reports(tmp_path / "reports", [("dated.md", "Pier report", "The ferry for pier 4 left late.")])
    (folder / "undated.md").write_text("---\ntitle: Pier notice\nsource: Bay Post\n---\nPier notice\n\n"
                                       "The ferry for pier 5 left late.\n")
    a = make_assistant(tmp_path / "index")
    a.ingest([folder], progress=False)
    held = _held(a)
    v = a.embedder.embed_batch(["ferry pier left late"])
    before = Filters(before=dt.date(2024, 12, 31))
    titles = lambda hits: sorted(a.catalog.chunk_rows([c for c, _ in hits])[c][3] for c, _ in hits)  # noqa: E731
    assert titles(dense_memory.search(held, list(v), 10, before)[0]) == ["Pier report"]
    assert titles(a.catalog.keyword_search(["ferry"], 10, before)) == ["Pier report"]
    assert titles(a.store.query_many(list(v), 10, before)[0]) == ["Pier report"]
    assert titles(dense_memory.search(held, list(v), 10)[0]) == ["Pier notice", "Pier report"]
    assert titles(a.store.query_many(list(v), 10)[0]) == ["Pier notice", "Pier report"]
    assert titles(a.catalog.keyword_search(["ferry"], 10)) == ["Pier notice", "Pier report"]


def _count_store_queries(a, monkeypatch):
    calls = []
    real = a.store.query_many
    monkeypatch.setattr(a.store, "query_many", lambda *args, **kw: calls.append(1) or real(*args, **kw))
    return calls


def test_retrieval_searches_the_copy_once_held_with_the_same_results(make_assistant, seed_assistant, monkeypatch):
    off = make_assistant(seed_assistant.settings.data_dir, retrieval={"dense_memory_chunks": 0})  # always Chroma
    calls_off = _count_store_queries(off, monkeypatch)
    assert off.catalog.hold_keyword_index()
    assert not off.retriever.dense_copy.hold(off.catalog.keyword_snapshot())
    from_store = [off.search(q) for q in QUESTIONS]
    assert len(calls_off) >= len(QUESTIONS)

    a = make_assistant(seed_assistant.settings.data_dir)  # a second Assistant on the seed index, with the copy
    calls = _count_store_queries(a, monkeypatch)
    assert a.catalog.hold_keyword_index()
    a.search(QUESTIONS[0])  # the copy is not held yet: Chroma answers, and the copy is read in the background
    assert calls
    _held(a)
    calls.clear()
    from_memory = [a.search(q) for q in QUESTIONS]
    assert calls == []  # every dense search came from the copy
    assert [[p.chunk_id for p in r] for r in from_memory] == [[p.chunk_id for p in r] for r in from_store]
    assert "Nujaba" in " ".join(p.text for p in from_memory[0])


def test_every_change_to_the_index_is_seen(make_assistant, tmp_path):
    folder = write_reports(tmp_path / "reports", [(f"r{i}.md", f"Harbour note {i}", f"The ferry for pier {i} left.")
                                                  for i in range(6)])
    a = make_assistant(tmp_path / "index")
    a.ingest([folder], progress=False)
    old = _held(a)
    question = "The lighthouse at the pier reopened"
    v = a.embedder.embed_batch([question])

    write_reports(folder, [("r2.md", "Harbour note 2", "The lighthouse at pier 2 reopened.")])
    a.ingest([folder], progress=False)
    assert a.retriever.dense_copy.current(a.catalog.keyword_snapshot()) is None  # stale: Chroma answers meanwhile
    new = _held(a)
    assert new.generation != old.generation
    best = dense_memory.search(new, list(v), 1)[0][0]
    assert a.catalog.chunk_rows([best[0]])[best[0]][7].count("lighthouse") == 1
    assert best[1] > dense_memory.search(old, list(v), 1)[0][0][1] + 0.1  # the new text, not the old vector
    assert a.search(question, top_k=1)[0].title == "Harbour note 2"

    (folder / "r2.md").unlink()
    a.ingest([folder], sync=True, progress=False)  # removal is a change too
    gone = _held(a)
    assert gone.matrix.shape[0] == 5 == len({c for c, _ in dense_memory.search(gone, list(v), 50)[0]})
    assert all(a.catalog.chunk_rows([c]) for c, _ in dense_memory.search(gone, list(v), 50)[0])


def test_no_copy_above_the_limit_or_without_the_keyword_copy(make_assistant, tmp_path):
    folder = write_reports(tmp_path / "reports", [(f"r{i}.md", f"Note {i}", f"The ferry for pier {i} left.")
                                                  for i in range(3)])
    a = make_assistant(tmp_path / "index", retrieval={"dense_memory_chunks": 2})
    a.ingest([folder], progress=False)
    assert a.catalog.hold_keyword_index()
    assert not a.retriever.dense_copy.hold(a.catalog.keyword_snapshot())
    assert a.retriever.dense_copy.current(a.catalog.keyword_snapshot()) is None
    assert len(a.search("ferry pier")) == 3  # Chroma answers

    one_shot = make_assistant(tmp_path / "index", retrieval={"keyword_memory_chunks": 0})
    assert one_shot.catalog.keyword_snapshot() is None  # what `report-assistant ask` runs with
    assert one_shot.retriever.dense_copy.current(None) is None
    assert len(one_shot.search("ferry pier")) == 3


def test_a_store_that_cannot_list_its_vectors_is_searched_as_before(seed_assistant):
    unlisted = VectorStore.all_vectors.__get__(seed_assistant.store)  # what a store that does not override it does
    with pytest.raises(NotImplementedError):
        unlisted()
    memory = dense_memory.DenseMemory(unlisted, 50_000)
    catalog = Catalog(seed_assistant.catalog.path, keyword_memory_chunks=100_000)
    assert catalog.hold_keyword_index()
    assert not memory.hold(catalog.keyword_snapshot())
    assert memory.current(catalog.keyword_snapshot()) is None


def test_hold_in_memory_reads_both_copies_and_an_eval_run_searches_every_question_in_memory(make_assistant,
                                                                                             seed_assistant, monkeypatch):
    """The eval reads both copies before its first question, so that no question is searched by Chroma's
    approximate index while the copies are read in the background (figures would depend on timing)."""
    from conftest import ROOT, SEED

    from assistant.evaluation import evaluate

    a = make_assistant(seed_assistant.settings.data_dir)
    calls = _count_store_queries(a, monkeypatch)
    run = evaluate(ROOT / "evals" / "seed.jsonl", assistant=a, corpus=[SEED.parent], progress=False)
    assert len(run.records) >= 20 and calls == []
    assert a.hold_in_memory() == {"keyword": True, "dense": True}
    over = make_assistant(seed_assistant.settings.data_dir, retrieval={"dense_memory_chunks": 1})
    assert over.hold_in_memory() == {"keyword": True, "dense": False}


def test_the_app_reads_both_copies_as_it_starts(make_assistant, seed_assistant, tmp_path, monkeypatch):
    """Without a question asked: the first questions are then searched as every later one (a real Gradio server)."""
    import time

    from conftest import free_port

    from assistant.ui import launch

    monkeypatch.setenv("GRADIO_TEMP_DIR", str(tmp_path / "gradio-tmp"))
    a = make_assistant(seed_assistant.settings.data_dir)
    assert not a.catalog.keyword_memory_held
    demo = launch(a, host="127.0.0.1", port=free_port(), prevent_thread_lock=True, quiet=True)
    try:
        deadline = time.time() + 60
        while not (a.catalog.keyword_memory_held and a.retriever.dense_copy.holds(a.catalog._postings)):
            assert time.time() < deadline, "the app did not read its search copies"
            time.sleep(0.1)
    finally:
        demo.close()


def test_concurrent_reads_of_a_copy_read_it_once(make_assistant, seed_assistant, monkeypatch):
    """The app's start-up read and a first question's background read must not both read (each read's peak memory
    is about twice the copy's)."""
    import threading

    a = make_assistant(seed_assistant.settings.data_dir)
    reads = {"keyword": 0, "dense": 0}
    real_keyword, real_dense = a.catalog._read_keyword_index, a.store.all_vectors

    def keyword():
        reads["keyword"] += 1
        return real_keyword()

    def dense():
        reads["dense"] += 1
        return real_dense()

    monkeypatch.setattr(a.catalog, "_read_keyword_index", keyword)
    a.retriever.dense_copy = dense_memory.DenseMemory(dense, 50_000)
    threads = [threading.Thread(target=a.hold_in_memory) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert reads == {"keyword": 1, "dense": 1}
    assert a.hold_in_memory() == {"keyword": True, "dense": True} and reads == {"keyword": 1, "dense": 1}


def test_a_search_over_more_rows_than_an_exact_scan_should_take_goes_to_chroma(make_assistant, seed_assistant,
                                                                               monkeypatch):
    """Above EXACT_ROWS rows a full scan is slower than Chroma's HNSW index (17.5 ms for five queries at 50,000 rows):
    such a search goes to Chroma even with the copy held; a filtered one that keeps few rows stays in memory."""
    a = make_assistant(seed_assistant.settings.data_dir)
    held = _held(a)
    v = list(a.embedder.embed_batch(QUESTIONS[:1]))
    rows = held.matrix.shape[0]
    one_report = Filters(reports=(a.catalog.reports()[0].id,))
    assert dense_memory.search(held, v, 5, None, max_rows=rows - 1) is None
    assert dense_memory.search(held, v, 5, None, max_rows=rows) is not None
    assert dense_memory.search(held, v, 5, one_report, max_rows=rows - 1) is not None
    calls = _count_store_queries(a, monkeypatch)
    a.search(QUESTIONS[0])
    assert calls == []
    monkeypatch.setattr(dense_memory, "EXACT_ROWS", rows - 1)
    found = a.search(QUESTIONS[0])
    assert len(calls) == 1 and "Nujaba" in " ".join(p.text for p in found)  # the unfiltered search, from Chroma
