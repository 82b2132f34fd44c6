"""Candidate re-scoring by single sentences: in a question of several long clauses, a chunk with one sentence that
states a whole clause beats chunks that scatter the question's words over many sentences, even when that clause is
a small share of the whole question. A pure function, then a real index (embedded Chroma, the real embedder)."""
import pytest

from assistant.retrieval import _held

from conftest import write_reports


def test_held_is_the_best_single_sentences_share_of_the_terms_idf_mass():
    idf = {"ferri": 1.0, "fine": 2.0, "drill": 3.0, "boat": 4.0}
    terms = ({"ferri", "fine", "drill"}, 6.0)
    sentences = [{"ferri", "boat"}, {"fine", "drill", "harbour"}, set()]
    assert _held(terms, sentences, idf) == pytest.approx(5.0 / 6.0)  # the second sentence; "boat" is not a term
    assert _held(terms, [], idf) == 0.0


FILLER = " ".join(f"Councillor {n} spoke about parking meters, school lunches and the library budget."
                  for n in ("Ames", "Berg", "Cole"))
REPORTS = [  # (file, title, body): two reports each state one clause whole; three scatter words of all clauses
    ("drills.md", "Regulator fines operator",
     "Tidewater Ferries was fined for skipping the required safety drills on its harbour crossings. " + FILLER),
    ("boats.md", "New boats", "Tidewater Ferries launched three electric boats on the north route this spring. " + FILLER),
    ("d1.md", "Harbour round-up", "The ferry operator's harbour drills were fined. Three electric boats were in the "
                                  "restaurant. A lighthouse route opened this spring."),
    ("d2.md", "Ferry season", "Harbour crossings were skipped this spring. Safety boats floated near the old restaurant. "
                              "The north route drills launched."),
    ("d3.md", "Port notes", "The floating ferry restaurant was fined for its harbour crossings. Electric lighthouse "
                            "boats were launched on the north route."),
]
QUESTION = ("Which ferry operator, fined for skipping the required safety drills on its harbour crossings, also launched "
            "three electric boats on the north route this spring, and opened a floating restaurant beside the old "
            "lighthouse?")


def test_a_sentence_stating_one_clause_whole_lifts_its_chunk(make_assistant, tmp_path):
    folder = write_reports(tmp_path / "reports", REPORTS)
    stating = {"Regulator fines operator", "New boats"}

    off = make_assistant(tmp_path / "off", retrieval={"clause_sentence_boost": 0.0})
    off.ingest([folder], progress=False)
    assert {p.title for p in off.search(QUESTION, top_k=2)} != stating  # scattered words win a place without it

    on = make_assistant(tmp_path / "on")
    on.ingest([folder], progress=False)
    assert {p.title for p in on.search(QUESTION, top_k=2)} == stating
