"""Local term weighting, in candidate re-scoring and in choosing what to cite: when every candidate shares the
question's topic words, the word only one of them holds points at the asked-for detail. A pure function, then a real
index (embedded Chroma, the real embedder). When citing, words a negation governs get no weight:
``tests/test_core.py::test_seed_question_cites_the_nujaba_sentence`` fails without that ("Which groups did not
suspend attacks?" then cites the one report that says a group *is* suspending them)."""
import math

import pytest

from assistant.terms import local_weights

from conftest import write_reports


def test_a_term_every_candidate_holds_weighs_little_and_a_rare_one_much():
    idf = {"ferri": 2.0, "paradigm": 2.0, "board": 1.0}
    candidates = [{"ferri", "trial", "board"}, {"ferri"}, {"ferri", "paradigm"}, set()]  # each candidate's stems
    w = local_weights({"ferri", "paradigm", "board"}, idf, candidates)
    assert w["ferri"] == pytest.approx(2.0 * math.log(5 / 3.5))  # held by 3 of 4 candidates
    assert w["paradigm"] == pytest.approx(2.0 * math.log(5 / 1.5))  # the same IDF, held by one: 3.4x the weight
    assert w["board"] == pytest.approx(1.0 * math.log(5 / 1.5))


TRIAL = [  # six reports on one trial, each full of its topic words; one tells the detail the question asks for
    ("t1.md", "Harbourline trial, day two",
     "Ferris sat quietly as the Harbourline trial heard from former staff. Witnesses at the Harbourline trial "
     "described how Ferris ran the exchange. Ferris denies every charge in the Harbourline trial."),
    ("t2.md", "Harbourline trial: the defence",
     "The defence told the Harbourline trial that Ferris acted in good faith. Ferris's lawyers said the Harbourline "
     "trial had heard no proof of intent."),
    ("t3.md", "Inside the Harbourline trial",
     "Jurors at the Harbourline trial heard Ferris's former partner testify for a full day. The Harbourline trial "
     "resumes on Monday with more testimony about Ferris."),
    ("t4.md", "Court notes",
     "An investor from Paradigm said it had pressed Ferris for a board with outside directors. The court then "
     "adjourned for lunch. Ferris faced a long day."),
    ("t5.md", "Harbourline trial: what we learned",
     "The Harbourline trial heard that Ferris kept the accounts himself. Ferris told staff the Harbourline losses "
     "were small."),
    ("t6.md", "Harbourline trial week three",
     "Prosecutors at the Harbourline trial said Ferris misled customers. The Harbourline trial heard Ferris's emails "
     "read aloud."),
]
# the rest of the folder is about other things, so the trial's words are rare in the index as a whole
OTHER = [(f"o{i}.md", f"Local news {i}", f"The city council met on day {i} to discuss the library budget and road "
                                         "repairs. Residents asked about parking.") for i in range(40)]
QUESTION = "What did the Harbourline trial hear from Paradigm about Ferris and the board?"


def test_the_candidate_holding_the_rare_detail_leads(make_assistant, tmp_path):
    folder = write_reports(tmp_path / "reports", TRIAL + OTHER)

    off = make_assistant(tmp_path / "off", retrieval={"local_term_boost": 0.0})
    off.ingest([folder], progress=False)
    ranked = [p.title for p in off.search(QUESTION, top_k=6)]
    assert ranked[0] != "Court notes" and "Court notes" in ranked  # found, but trial-heavy reports come first

    on = make_assistant(tmp_path / "on")
    on.ingest([folder], progress=False)
    assert on.search(QUESTION, top_k=1)[0].title == "Court notes"


def test_the_answer_cites_fewer_sentences_that_only_share_the_topic(make_assistant, tmp_path):
    """The same folder: the answer quotes the Paradigm sentence; sentences that only repeat the trial's words (held by
    every report read) no longer come close enough to its score to be quoted beside it."""
    folder = write_reports(tmp_path / "reports", TRIAL + OTHER)

    def topic_only(a):
        a.ingest([folder], progress=False)
        cited = [c.quote for c in a.ask(QUESTION).citations]
        assert "Paradigm" in cited[0]
        return [q for q in cited if "Paradigm" not in q]

    off = topic_only(make_assistant(tmp_path / "off", answering={"local_term_weight": 0.0}))
    on = topic_only(make_assistant(tmp_path / "on"))
    assert len(on) < len(off)
