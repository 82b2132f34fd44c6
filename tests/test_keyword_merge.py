"""The keyword index is merged (FTS5 'optimize') once enough chunks were added, replaced or removed since its last
merge, and keyword search still finds every stored chunk afterwards. Real components: the SQLite catalog, an
embedded Chroma and the packaged MiniLM embedder."""
import sqlite3

from conftest import write_reports

CHURN = "keyword_index_churn"
REPORTS = [(f"r{i:02d}.md", f"Harbour note {i}", f"The ferry schedule for pier {i} changed on Monday.")
           for i in range(20)]


def _rewrite(folder, numbers, word):
    write_reports(folder, [(f"r{i:02d}.md", f"Harbour note {i}", f"The {word} at pier {i} reopened on Tuesday.")
                           for i in numbers])


def _fts_check(data_dir):
    db = sqlite3.connect(data_dir / "catalog.sqlite3")
    try:  # raises on a corrupt full-text index
        db.execute("INSERT INTO chunks_fts(chunks_fts) VALUES ('integrity-check')")
        return db.execute("SELECT count(*) FROM chunks_fts_data").fetchone()[0]
    finally:
        db.close()


def test_keyword_index_is_merged_after_enough_churn_and_still_finds_everything(make_assistant, tmp_path):
    folder = write_reports(tmp_path / "reports", REPORTS)
    a = make_assistant(tmp_path / "index")
    a.ingest([folder], progress=False)
    assert a.catalog.get_meta(CHURN) == "0"  # added chunks are not churn

    _rewrite(folder, [0], "lighthouse")
    a.ingest([folder], progress=False)
    assert a.catalog.get_meta(CHURN) == "1"  # one chunk replaced is under a quarter of 20: not merged yet

    before = _fts_check(tmp_path / "index")
    _rewrite(folder, [1, 2, 3, 4], "boathouse")
    a.ingest([folder], progress=False)
    assert a.catalog.get_meta(CHURN) == "0"  # 1 + 4 >= 5: merged
    assert _fts_check(tmp_path / "index") < before  # one segment instead of several

    hits = a.search("lighthouse pier reopened", top_k=3)
    assert hits[0].title == "Harbour note 0"
    assert {h.title for h in a.search("boathouse pier reopened", top_k=4)} == {f"Harbour note {i}" for i in (1, 2, 3, 4)}
    assert a.search("ferry schedule pier 7", top_k=1)[0].title == "Harbour note 7"


def _one_chunk_replaced(make_assistant, tmp_path):
    """An index of the 20 reports in which report 0 was replaced once: a tombstone, not yet merged."""
    folder = write_reports(tmp_path / "reports", REPORTS)
    a = make_assistant(tmp_path / "index")
    a.ingest([folder], progress=False)
    _rewrite(folder, [0], "lighthouse")
    a.ingest([folder], progress=False)
    assert a.catalog.get_meta(CHURN) == "1"
    return a, folder


def test_an_index_from_before_merging_is_merged_on_its_next_ingest(make_assistant, tmp_path):
    a, folder = _one_chunk_replaced(make_assistant, tmp_path)
    db = sqlite3.connect(tmp_path / "index" / "catalog.sqlite3")
    with db:
        db.execute("DELETE FROM meta WHERE key = ?", (CHURN,))  # as an index built before this change has it
    db.close()
    before = _fts_check(tmp_path / "index")
    report = a.ingest([folder], progress=False)
    assert report.chunks_embedded == 0  # nothing changed, yet the index is merged once
    assert a.catalog.get_meta(CHURN) == "0"
    assert _fts_check(tmp_path / "index") < before
    assert a.search("ferry schedule pier 12", top_k=1)[0].title == "Harbour note 12"


def test_a_rebuild_counts_the_chunks_it_removed(make_assistant, tmp_path):
    a, folder = _one_chunk_replaced(make_assistant, tmp_path)
    a.ingest([folder], rebuild=True, progress=False)  # 20 chunks removed and embedded again
    assert a.catalog.get_meta(CHURN) == "0"
    assert a.search("lighthouse pier reopened", top_k=1)[0].title == "Harbour note 0"
