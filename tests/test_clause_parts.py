"""A question that names its publisher once but asks several things in long clauses ("Which operator, fined for A,
also did B, as reported by the Bay Post?") cites one sentence per clause, from different reports. Real index
(embedded Chroma, the real embedder)."""
import pytest

from conftest import write_reports

REPORTS = [  # (file, title, body): the two clauses are told by two different reports of one paper
    ("fine.md", "Ferry operator fined",
     "Tidewater Ferries was fined 40,000 dollars for skipping the required safety drills on its harbour crossings. "
     "The regulator said the drills had not been held for six months. Passengers were not told."),
    ("boats.md", "Electric boats arrive",
     "Tidewater Ferries launched three electric boats on the north route this spring. "
     "The boats charge at the pier overnight and carry 150 passengers each."),
    ("market.md", "Fish market reopens",
     "The old fish market on the quay reopened on Saturday after a year of repairs to its roof."),
]
QUESTION = ("Which ferry operator, fined for skipping the required safety drills on its harbour crossings, also "
            "launched three electric boats on the north route this spring, as reported by the Bay Post?")


@pytest.fixture()
def reports(tmp_path):
    return write_reports(tmp_path / "reports", REPORTS)


def test_each_clause_is_cited_from_its_own_report(make_assistant, reports, tmp_path):
    a = make_assistant(tmp_path / "index")
    a.ingest([reports], progress=False)
    ans = a.ask(QUESTION)
    assert not ans.refused
    assert {c.title for c in ans.citations} == {"Ferry operator fined", "Electric boats arrive"}
    assert any("safety drills" in c.quote for c in ans.citations) and any("electric boats" in c.quote for c in ans.citations)

    one = make_assistant(tmp_path / "one", answering={"clause_parts": False})
    one.ingest([reports], progress=False)
    assert len({c.title for c in one.ask(QUESTION).citations}) == 1  # without: the named paper's best report only


def test_a_clause_no_report_answers_gets_no_citation(make_assistant, reports, tmp_path):
    question = QUESTION.replace(", as reported", ", and opened a floating restaurant beside the old lighthouse, as reported")
    a = make_assistant(tmp_path / "index")
    a.ingest([reports], progress=False)
    assert {c.title for c in a.ask(question).citations} == {"Ferry operator fined", "Electric boats arrive"}
    loose = make_assistant(tmp_path / "loose", answering={"clause_floor": 0.0})
    loose.ingest([reports], progress=False)
    assert "Fish market reopens" in {c.title for c in loose.ask(question).citations}  # any sentence, without the floor
