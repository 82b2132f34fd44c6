"""A further citation must say more of the question than the ones before it (``answering.novel_citations``): a real
index (embedded Chroma, the real embedder) of the seed report, with the setting on and off."""
from conftest import SEED, assert_citations_hold


def test_a_second_sentence_adding_none_of_the_questions_words_is_not_cited(make_assistant, tmp_path):
    """Seed question L20: 'He said: "Unless we sort out the situation in Gaza, ..."' answers it, and holds Chris
    Doyle's name through its "He". The sentence naming him in full scores within 0.85 of it but adds no word of the
    question ("Kataib Hezbollah's reported pause ... may indicate ..."): it was cited second."""
    on = make_assistant(tmp_path / "index")
    on.ingest([str(SEED.parent)], progress=False)
    off = make_assistant(tmp_path / "index", answering={"novel_citations": False})
    question = "According to Chris Doyle, what has to be resolved before regional tensions can be contained?"
    mine, plain = on.ask(question), off.ask(question)
    assert [c.quote[:40] for c in mine.citations] == ["He said: “Unless we sort out the situati"]
    assert len(plain.citations) == 2 and plain.citations[0].quote == mine.citations[0].quote
    assert mine.confidence == plain.confidence
    # a second sentence with a word of the question the first lacks is still cited: "Baghdad" here
    visit = on.ask("Who confirmed that the IRGC commander had visited Baghdad?")
    assert len(visit.citations) == 2 and "Baghdad" not in visit.citations[0].quote
    assert "Baghdad" in visit.citations[1].quote
    assert_citations_hold(on, mine)
