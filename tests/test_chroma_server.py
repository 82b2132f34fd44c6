"""Server mode against a real `chroma run` process."""
from assistant import Assistant
from conftest import MINI, SEED, NUJABA, assert_citations_hold


def test_ingest_and_ask_through_a_chroma_server(chroma_server, tmp_path, embedder):
    a = Assistant.open({"data_dir": str(tmp_path / "idx"), "chroma_url": chroma_server["url"], "collection": "server_test"},
                       embedder=embedder)
    rep = a.ingest([SEED, MINI], progress=False)
    assert len(rep.added) == 4
    assert a.stats()["vectors"] == a.stats()["chunks"] and a.stats()["chroma"] == chroma_server["url"]
    ans = a.ask("Which groups did not suspend attacks?")
    assert NUJABA in [c.quote for c in ans.citations]
    assert_citations_hold(a, ans)
    # a second process-like client sees the same vectors
    b = Assistant.open({"data_dir": str(tmp_path / "idx"), "chroma_url": chroma_server["url"], "collection": "server_test"},
                       embedder=embedder)
    assert b.store.count() == a.store.count()
