"""A long clause that names its publisher ("fined, according to the Bay Post, for skipping the required safety
drills ...") is searched within that publisher's reports (`retrieval.clause_sources`): a report of another
publisher that repeats the clause's words gets no support from that clause's sub-query. Off by default since the
2026-11-28 session (docs/quality.md, "Clause sub-queries"); these tests turn it on. Real index (embedded Chroma, the
real embedder)."""
import pytest

from conftest import write_reports

QUESTION = ("Which ferry operator, fined according to the Bay Post for skipping the required safety drills on its "
            "harbour crossings, also launched three electric boats on the north route, as the Harbour Times reported?")


@pytest.fixture()
def reports(tmp_path):
    folder = tmp_path / "reports"
    write_reports(folder, [("fine.md", "Ferry operator fined",
                            "Tidewater Ferries was fined 40,000 dollars for skipping safety drills. The regulator said "
                            "so on Monday.")], source="Bay Post")
    write_reports(folder, [("boats.md", "Electric boats arrive",
                            "Tidewater Ferries launched three electric boats on the north route this spring. They "
                            "carry 150 passengers.")], source="Harbour Times")
    write_reports(folder, [("drills.md", "Drills skipped across the harbour",
                            "Skipping the required safety drills on harbour crossings is common among ferry firms, "
                            "inspectors said. Required safety drills on harbour crossings are often skipped.")],
                  source="Coast Gazette")
    return folder


def _scores(make_assistant, reports, tmp_path, name, **settings):
    a = make_assistant(tmp_path / name, **settings)
    a.ingest([reports], progress=False)
    facets = a.retriever.analyse(QUESTION)
    assert facets.clause_sources[0] == ["Bay Post"] and facets.clause_sources[1] == []
    return {p.title: p.score for p in a.search(QUESTION, top_k=10)}


def test_a_clause_naming_a_publisher_is_searched_within_it(make_assistant, reports, tmp_path):
    within = _scores(make_assistant, reports, tmp_path, "within", retrieval={"clause_sources": True})
    everywhere = _scores(make_assistant, reports, tmp_path, "everywhere", retrieval={"clause_sources": False})
    assert list(within)[:2] == ["Electric boats arrive", "Ferry operator fined"]
    # the other paper's report repeating the clause's words led that clause's sub-ranking only when searched everywhere
    assert within["Drills skipped across the harbour"] < everywhere["Drills skipped across the harbour"] - 0.02
    # the named papers' reports keep their scores
    assert within["Ferry operator fined"] == pytest.approx(everywhere["Ferry operator fined"], abs=1e-6)


def test_the_users_source_filter_still_binds(make_assistant, reports, tmp_path):
    a = make_assistant(tmp_path / "index", retrieval={"clause_sources": True})
    a.ingest([reports], progress=False)
    # the clause names the Bay Post, which the user's filter leaves out: nothing of the Bay Post is searched
    found = a.search(QUESTION, top_k=10, filters={"sources": ["Coast Gazette", "Harbour Times"]})
    assert found and {p.source for p in found} <= {"Coast Gazette", "Harbour Times"}
    # the user's filter keeps it: the clause is searched within it and its report is found
    found = a.search(QUESTION, top_k=10, filters={"sources": ["Bay Post"]})
    assert [p.title for p in found] == ["Ferry operator fined"]
