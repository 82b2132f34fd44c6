"""Sentence vectors: every chunk's sentences are embedded at ingest and stored in the catalog with the report, and
retrieval re-scores candidates by the cosine between the question and their best sentence. Real components: an
embedded Chroma, the SQLite catalog and the packaged MiniLM embedder."""
import numpy as np
import pytest

from assistant.sentences import sentence_spans

from conftest import write_reports

FILLER = "Councillor Ames spoke about parking meters, school lunches, bus shelters and the library budget."
REPORTS = [  # (file, title, body): one report states the fact in one sentence among filler; another scatters its words
    ("ban.md", "Council meeting notes",
     FILLER + " The city voted to prohibit petrol-driven leaf blowers in all its parks from next spring."),
    ("compost.md", "Gardening column", "The city parks sell leaf compost. Readers asked about noisy blowers."),
]
QUESTION = "Which city banned gas-powered leaf blowers in its parks?"


@pytest.fixture
def folder(tmp_path):
    return write_reports(tmp_path / "reports", REPORTS, source="Town Crier")


def test_each_chunks_sentences_are_stored_with_the_report_and_go_with_it(make_assistant, tmp_path, folder, embedder):
    a = make_assistant(tmp_path / "index")
    a.ingest([folder], progress=False)
    catalog = a.retriever.catalog
    chunks = [p for r in a.reports() for p in a.retriever.passages([(c, 0.0) for c in catalog.chunk_ids_of([r.id])], 99)]
    stored = catalog.sentence_vectors([p.chunk_id for p in chunks])
    assert set(stored) == {p.chunk_id for p in chunks}
    for p in chunks:
        sentences = [p.text[s:e] for s, e in sentence_spans(p.text)]
        vectors = stored[p.chunk_id]
        assert vectors.shape == (len(sentences), embedder.dim) and vectors.dtype == np.float32
        # each row is that sentence embedded on its own (float16 storage: equal to about 3 decimals)
        assert np.allclose(vectors, embedder.embed_batch(sentences), atol=2e-3)

    gone = next(r for r in a.reports() if r.title == "Gardening column")
    ids = catalog.chunk_ids_of([gone.id])
    (folder / "compost.md").unlink()
    a.ingest([folder], sync=True, progress=False)
    assert catalog.sentence_vectors(ids) == {}  # removed with its report
    assert len(catalog.sentence_vectors([p.chunk_id for p in chunks])) == len(chunks) - len(ids)


def test_without_sentence_vectors_ingest_stores_none_and_search_still_works(make_assistant, tmp_path, folder):
    a = make_assistant(tmp_path / "plain", embedding={"sentence_vectors": False})
    a.ingest([folder], progress=False)
    ids = [c for r in a.reports() for c in a.retriever.catalog.chunk_ids_of([r.id])]
    assert a.retriever.catalog.sentence_vectors(ids) == {}
    assert {p.title for p in a.search(QUESTION, top_k=2)} == {title for _, title, _ in REPORTS}


def test_a_sentence_that_means_the_question_lifts_its_chunk_over_shared_words(make_assistant, tmp_path, folder):
    off = make_assistant(tmp_path / "off", retrieval={"sentence_dense_boost": 0.0, "clause_dense_boost": 0.0})
    off.ingest([folder], progress=False)
    assert off.search(QUESTION, top_k=1)[0].title != "Council meeting notes"  # shared words win without it

    on = make_assistant(tmp_path / "on")
    on.ingest([folder], progress=False)
    assert on.search(QUESTION, top_k=1)[0].title == "Council meeting notes"


def test_the_answerer_scores_sentences_with_their_stored_vectors(make_assistant, tmp_path, folder, embedder,
                                                                  monkeypatch):
    sentences = set()
    for _, title, body in REPORTS:
        sentences |= {body[s:e] for s, e in sentence_spans(body)}
    embedded: list[str] = []
    real = embedder.embed_batch
    monkeypatch.setattr(embedder, "embed_batch", lambda texts: (embedded.extend(texts), real(texts))[1])

    stored = make_assistant(tmp_path / "stored")
    stored.ingest([folder], progress=False)
    embedded.clear()
    ans = stored.ask(QUESTION)
    assert not ans.refused and "leaf blowers" in ans.citations[0].quote
    assert not sentences & set(embedded)  # every sentence's vector came from the catalog

    asked = make_assistant(tmp_path / "asked", answering={"stored_sentence_vectors": False})
    asked.ingest([folder], progress=False)
    embedded.clear()
    again = asked.ask(QUESTION)
    assert sentences & set(embedded)  # without them, sentences are embedded at question time
    assert again.citations[0].quote == ans.citations[0].quote
