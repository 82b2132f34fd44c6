"""Sentence spans, chunk offsets and token limits, citation verification: small hand-made cases."""
import datetime as dt

from assistant.chunking import chunk_article, header
from assistant.citations import verify
from assistant.sentences import sentence_spans
from assistant.types import Answer, Article, Citation, Passage
from conftest import SEED


def test_sentence_spans_handle_abbreviations_quotes_and_lines():
    t = 'Mr. Austin told U.S. reporters. He said "yes." Then John F. Kennedy left!\nA headline\n  Next one? Yes.'
    assert [t[s:e] for s, e in sentence_spans(t)] == [
        "Mr. Austin told U.S. reporters.", 'He said "yes."', "Then John F. Kennedy left!", "A headline", "Next one?", "Yes."]


def test_chunks_have_exact_offsets_and_fit_the_window(embedder):
    text = SEED.read_text()
    art = Article(id="r1", title="Revealed: Iranian commander", text=text, source="The National", published=dt.date(2024, 2, 1))
    chunks = chunk_article(art, embedder.count_tokens, max_tokens=200)
    assert len(chunks) > 5
    for c in chunks:
        assert text[c.start:c.end] == c.text
        assert embedder.count_tokens([header(art) + "\n" + c.text])[0] + 2 <= 200
    assert chunks[0].start == 0 and chunks[-1].end == len(text.rstrip())


def test_a_long_line_without_punctuation_is_split_within_the_window(embedder):
    text = "word " * 2000 + "x" * 3000
    chunks = chunk_article(Article(id="r2", title="t", text=text), embedder.count_tokens, max_tokens=128)
    assert max(embedder.count_tokens([c.text for c in chunks])) <= 128
    assert all(text[c.start:c.end] == c.text for c in chunks)


def _answer(quote, start, end):
    p = Passage(chunk_id="r1-0000", report_id="r1", text="Alpha beta. Gamma delta.", start=0, end=24, score=1.0)
    c = Citation(n=1, report_id="r1", quote=quote, start=start, end=end)
    return Answer(question="q", text=f"{quote} [1]", citations=[c], passages=[p])


def test_verify_keeps_exact_citations_and_refuses_when_none_hold():
    text = "Alpha beta. Gamma delta."
    good = verify(_answer("Gamma delta.", 12, 24), lambda rid: text)
    assert not good.refused and good.citations[0].quote == "Gamma delta."
    bad = verify(_answer("Gamma delta!", 12, 24), lambda rid: text)
    assert bad.refused and bad.citations == []
    shifted = verify(_answer("Gamma delta.", 11, 23), lambda rid: text)
    assert shifted.refused


def test_sentence_stems_are_each_sentences_content_stems_and_are_remembered():
    from assistant.sentences import sentence_stems
    from assistant.terms import content_stems

    t = "Mr. Smith visited the harbour. The ferries were suspended!\nDredging resumes on Monday."
    got = sentence_stems(t)
    assert [(s, e) for s, e, _ in got] == sentence_spans(t)
    assert [st for _, _, st in got] == [frozenset(content_stems(t[s:e])) for s, e in sentence_spans(t)]
    assert "ferri" in got[1][2] and "dredg" in got[2][2]
    assert sentence_stems(t) is got  # the same passage, read again by the answerer: not split and stemmed again
