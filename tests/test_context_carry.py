"""A sentence's term coverage also counts, ``answering.context_carry`` (0.25) times, the question's words it lacks
and the sentence before it holds: news sentences lean on the one before ("... launched a drone attack against
Haifa. Israel has not confirmed the attack."). A real index (embedded Chroma, the real embedder); each test has a
control with the setting off.
"""
from assistant.answering import _coverage
from conftest import MINI, SEED, assert_citations_hold, write_reports

HOSPITAL = [("hospital.md", "Local news",
             "Northfield Hospital opened its new cancer wing on Friday. It was paid for by a local charity, the Lantern "
             "Trust. Staff gave tours of the wards. The car park was full by noon.")]


def test_the_previous_sentence_lends_the_words_a_sentence_lacks():
    idf = {"council": 2.0, "stadium": 2.0, "cost": 3.0}
    own, before = frozenset({"cost", "dollar"}), frozenset({"council", "approv", "stadium"})
    assert _coverage(set(idf), own, idf, False) == 3.0
    assert _coverage(set(idf), own, idf, False, before, 0.25) == 3.0 + 0.25 * 4.0
    # words the sentence holds itself count once, as its own
    assert _coverage(set(idf), own | {"council"}, idf, False, before, 0.25) == 5.0 + 0.25 * 2.0
    assert _coverage(set(idf), own, idf, False, before, 0.0) == 3.0


def test_a_sentence_leaning_on_the_one_before_is_cited(make_assistant, tmp_path):
    """"It was paid for by a local charity" shares only "paid" with the question; the hospital and the wing are in
    the sentence before it."""
    folder = write_reports(tmp_path / "reports", HOSPITAL)
    on = make_assistant(tmp_path / "index")
    on.ingest([folder], progress=False)
    off = make_assistant(tmp_path / "index", answering={"context_carry": 0.0})
    question = "Who paid for the new cancer wing at Northfield Hospital?"
    answer, before = on.ask(question), off.ask(question)
    assert any(c.quote.startswith("It was paid for by a local charity, the Lantern Trust") for c in answer.citations)
    assert not any(c.quote.startswith("It was paid for") for c in before.citations)
    assert_citations_hold(on, answer)


def test_on_the_seed_report_the_reason_after_its_subject_is_cited(make_assistant, tmp_path):
    """"Why were Tehran and the Co-ordination Framework unhappy ...?": the answer ("went too far") follows the
    sentence naming the Co-ordination Framework and says "the CF". The "Why" check (a reason cue: "believed") finds it
    too, so both assistants compared here leave that check off."""
    shipped = make_assistant(tmp_path / "index")
    shipped.ingest([str(SEED.parent), str(MINI)], progress=False)
    on = make_assistant(tmp_path / "index", answering={"why_needs_reason": False})
    off = make_assistant(tmp_path / "index", answering={"context_carry": 0.0, "why_needs_reason": False})
    question = "Why were Tehran and the Co-ordination Framework unhappy with the militias over the Jordan attack?"
    quotes = [c.quote for c in on.ask(question).citations]
    assert any("went too far" in q for q in quotes)
    assert not any("went too far" in c.quote for c in off.ask(question).citations)
    assert any("went too far" in c.quote for c in shipped.ask(question).citations)
