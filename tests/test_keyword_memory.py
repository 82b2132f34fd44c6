"""Keyword search from the in-memory copy of the keyword index ranks exactly as SQLite FTS5 does (the same chunks, in
the same order, with the same BM25 scores, under every kind of filter), notices every change to the index, and is
not used above its size limit. Real components: the SQLite catalog (FTS5) of indexes built by ingest, with an
embedded Chroma and the packaged MiniLM embedder."""
import datetime as dt

from conftest import write_reports

from assistant import keyword_memory
from assistant.catalog import Catalog
from assistant.terms import content_words
from assistant.types import Filters

QUESTIONS = [
    "Which groups did not suspend attacks against US forces?",
    "Who flew to Baghdad to call off the militia strikes?",
    "What did the council approve on the site of the former quarry?",
    "Why did the dockworkers end the strike at Port Alder?",
    "Which road closed after heavy rain and flooding in the valley?",
    "Iran-backed militias blamed for the deadly attack on American troops in Jordan",
    "possibly apologies technology vs assemblies",  # words whose FTS5 stems depart from the published Porter
]


def _filters(fts: Catalog) -> list:
    reports = fts.reports()
    authors = fts.authors()
    return [None, Filters(sources=(reports[0].source,)), Filters(sources=tuple(fts.sources()[:2])),
            Filters(reports=tuple(r.id for r in reports[:2])), Filters(authors=(authors[0],)),
            Filters(after=dt.date(2023, 11, 20)), Filters(before=dt.date(2023, 12, 31)),
            Filters(after=dt.date(2024, 1, 1), before=dt.date(2024, 3, 5))]


def test_memory_search_equals_fts5_under_every_filter(seed_assistant):
    path = seed_assistant.catalog.path
    mem, fts = Catalog(path, keyword_memory_chunks=100_000), Catalog(path)
    assert mem.hold_keyword_index() and mem.keyword_memory_held
    assert not fts.hold_keyword_index() and not fts.keyword_memory_held  # 0 = always FTS5
    postings = mem._postings
    found = 0
    for question in QUESTIONS:
        words = content_words(question)
        for f in _filters(fts):
            for n in (3, 50):
                got = keyword_memory.search(postings, words, n, f)  # the in-memory path itself, no fallback
                want = fts.keyword_search(words, n, f)
                assert got is not None
                assert [c for c, _ in got] == [c for c, _ in want], (question, f, n)
                assert all(abs(a - b) <= 1e-9 * max(1.0, abs(b)) for (_, a), (_, b) in zip(got, want))
                assert mem.keyword_search(words, n, f) == got  # what the catalog answers with
                found += len(want)
    assert found > 100  # the comparisons were about chunks actually found


def test_a_word_fts5_may_split_is_left_to_fts5(seed_assistant):
    mem = Catalog(seed_assistant.catalog.path, keyword_memory_chunks=100_000)
    assert mem.hold_keyword_index()
    words = ["αθηνα", "militia"]  # not [a-z0-9]: FTS5's tokenizer decides
    assert keyword_memory.search(mem._postings, words, 10) is None
    assert mem.keyword_search(words, 10) == Catalog(seed_assistant.catalog.path).keyword_search(words, 10) != []


def test_every_change_to_the_index_is_seen(make_assistant, tmp_path):
    folder = write_reports(tmp_path / "reports", [(f"r{i}.md", f"Harbour note {i}", f"The ferry for pier {i} left.")
                                                  for i in range(6)])
    a = make_assistant(tmp_path / "index")
    a.ingest([folder], progress=False)
    assert a.catalog.hold_keyword_index()
    assert a.catalog.keyword_search(["lighthouse"], 5) == []

    write_reports(folder, [("r2.md", "Harbour note 2", "The lighthouse at pier 2 reopened.")])
    a.ingest([folder], progress=False)
    assert not a.catalog.keyword_memory_held  # stale: FTS5 answers until the copy is read again
    hits = a.catalog.keyword_search(["lighthouse"], 5)
    assert [c for c, _ in hits] == [c for c, _ in Catalog(a.catalog.path).keyword_search(["lighthouse"], 5)]
    assert len(hits) == 1
    assert a.catalog.hold_keyword_index() and a.catalog.keyword_memory_held
    assert a.catalog.keyword_search(["lighthouse"], 5) == hits
    assert a.search("lighthouse pier reopened", top_k=1)[0].title == "Harbour note 2"

    (folder / "r2.md").unlink()
    a.ingest([folder], sync=True, progress=False)  # removal is a change too
    assert a.catalog.keyword_search(["lighthouse"], 5) == []
    assert a.catalog.hold_keyword_index()
    assert a.catalog.keyword_search(["lighthouse"], 5) == []
    assert len(a.catalog.keyword_search(["ferry"], 10)) == 5


def test_an_index_above_the_limit_stays_in_fts5(make_assistant, tmp_path):
    folder = write_reports(tmp_path / "reports", [(f"r{i}.md", f"Note {i}", f"The ferry for pier {i} left.")
                                                  for i in range(3)])
    a = make_assistant(tmp_path / "index", retrieval={"keyword_memory_chunks": 2})
    a.ingest([folder], progress=False)
    assert not a.catalog.hold_keyword_index() and not a.catalog.keyword_memory_held
    assert len(a.catalog.keyword_search(["ferry"], 10)) == 3


def test_a_one_shot_cli_command_builds_no_copy(seed_assistant, monkeypatch, capsys):
    """`report-assistant ask` answers one question and exits: reading the keyword index into memory (in a background
    thread, after the first search) would only compete with the question for the CPU. The CLI runs in-process here
    so that the read can be watched; the Python API, which serves many questions, still reads it."""
    import threading

    from assistant import Assistant, cli

    started = threading.Event()
    real = Catalog.hold_keyword_index

    def watched(self):
        started.set()
        return real(self)

    monkeypatch.setattr(Catalog, "hold_keyword_index", watched)
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(seed_assistant.settings.data_dir))
    assert cli.main(["ask", QUESTIONS[0]]) == 0
    assert "Nujaba" in capsys.readouterr().out
    assert cli.main(["search", QUESTIONS[1]]) == 0
    assert "1. [" in capsys.readouterr().out
    assert not started.wait(2.0)

    api = Assistant.open({"data_dir": str(seed_assistant.settings.data_dir)}, embedder=seed_assistant.embedder,
                         store=seed_assistant.store)
    api.search(QUESTIONS[0])
    assert started.wait(10.0)  # the watch sees a read when there is one
