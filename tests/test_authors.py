"""Authors named in a question ("What did Mara Quill write about the dredging?") are matched against the stored author
fields; author filters in the Python API and the CLI. Pure functions, then a real index (embedded Chroma, the real
embedder)."""
import pytest

from assistant import InputError
from assistant.query_analysis import AuthorMatcher, SourceMatcher, analyse, author_names
from assistant.questions import parse_filters
from assistant.types import Filters


@pytest.mark.parametrize("field, names", [
    ("Sarah Perez", ["Sarah Perez"]),
    ("By Jane Doe and Sam Roe", ["Jane Doe", "Sam Roe"]),
    ("Kyle Wiggers, Ingrid Lunden", ["Kyle Wiggers", "Ingrid Lunden"]),
    ("Ann-Marie de la Cruz", ["Ann-Marie de la Cruz"]),
    ("Reuters", []),  # one word: the source matcher's business
    ("staff writer", []),  # not a name
    ("", []),
])
def test_author_names_are_the_people_an_author_field_names(field, names):
    assert author_names(field) == names


def test_authors_are_found_by_full_name_in_the_question():
    sources = SourceMatcher(["The New York Times", "TechCrunch"])
    m = AuthorMatcher(["Sarah Perez", "Kyle Wiggers, Ingrid Lunden", "The New York Times", "News"], sources)
    assert m.find("What did Ingrid Lunden and Sarah Perez write about Threads?") == ["Kyle Wiggers, Ingrid Lunden",
                                                                                      "Sarah Perez"]
    assert m.find("what did sarah perez write?") == []  # a lower-case name is not taken for a person
    assert m.find("What did Perez write?") == []  # a surname alone is not enough
    assert m.find("What did The New York Times say?") == []  # an author field that is a publisher is the source's
    facets = analyse("Did Sarah Perez cover the TechCrunch event?", sources, authors=m)
    assert facets.authors == ["Sarah Perez"] and facets.sources == ["TechCrunch"]


def test_author_filters_resolve_to_the_stored_spelling_and_reject_unknown_authors():
    f = parse_filters({"authors": ["sarah perez"]}, ["TechCrunch"], ["Sarah Perez", "Jane Doe"])
    assert f == Filters(authors=("Sarah Perez",))
    assert parse_filters({"author": "JANE DOE"}, [], ["Jane Doe"]).authors == ("Jane Doe",)
    with pytest.raises(InputError, match=r"unknown author 'Nobody'; known authors: Jane Doe, Sarah Perez"):
        parse_filters({"authors": ["Nobody"]}, [], ["Sarah Perez", "Jane Doe"])


DREDGING = [  # (file, author, title, body): three reports on one story; Mara Quill's uses the fewest question words
    ("a.md", "Tom Brandt", "Harbour dredging starts",
     "The harbour dredging began on Monday. Harbour dredging crews said the harbour dredging would take a year."),
    ("b.md", "Mara Quill", "Silt worries fishermen",
     "Fishermen said the silt stirred up by the dredging in the harbour is killing mussels along the north pier."),
    ("c.md", "Lena Ortiz, Tom Brandt", "Harbour dredging cost rises",
     "The cost of the harbour dredging rose again, and the harbour dredging contract was extended."),
]


@pytest.fixture()
def dredging_reports(tmp_path):
    folder = tmp_path / "reports"
    folder.mkdir()
    for name, author, title, body in DREDGING:
        (folder / name).write_text(f"---\ntitle: {title}\nsource: Bay Post\nauthor: {author}\ndate: 2024-05-0{ord(name[0]) - 96}\n"
                                   f"---\n{title}\n\n{body}\n")
    return folder


def test_a_question_naming_an_author_finds_and_cites_their_report(make_assistant, dredging_reports, tmp_path):
    question = "What did Mara Quill write about the harbour dredging?"
    # without author facets the best sentence scores 0.347, just under the refusal threshold (0.3475): the threshold
    # is lowered here so that the answer shows what the words alone would cite
    plain = make_assistant(tmp_path / "plain", retrieval={"author_facets": False}, answering={"min_support": 0.3})
    plain.ingest([dredging_reports], progress=False)
    assert plain.search(question, top_k=3)[0].title != "Silt worries fishermen"  # the words alone prefer the others
    assert plain.ask(question).citations[0].title != "Silt worries fishermen"

    a = make_assistant(tmp_path / "authors")
    a.ingest([dredging_reports], progress=False)
    assert a.search(question, top_k=3)[0].title == "Silt worries fishermen"
    ans = a.ask(question)
    assert not ans.refused and ans.citations[0].title == "Silt worries fishermen"
    assert ans.citations[0].author == "Mara Quill" and ans.to_dict()["citations"][0]["author"] == "Mara Quill"


def test_author_filters_keep_to_their_reports_everywhere(make_assistant, dredging_reports, tmp_path):
    a = make_assistant(tmp_path / "index")
    a.ingest([dredging_reports], progress=False)
    hits = a.search("harbour dredging", top_k=5, filters={"authors": ["tom brandt"]})
    assert [h.title for h in hits] == ["Harbour dredging starts"]  # "Lena Ortiz, Tom Brandt" is another author field
    hits = a.search("harbour dredging", top_k=5, filters={"authors": ["Tom Brandt", "Lena Ortiz, Tom Brandt"]})
    assert {h.title for h in hits} == {"Harbour dredging starts", "Harbour dredging cost rises"}
    ans = a.ask("What happened to the harbour dredging cost?", filters={"authors": ["Mara Quill"]})
    assert ans.passages and all(p.title == "Silt worries fishermen" for p in ans.passages)
    assert all(c.title == "Silt worries fishermen" for c in ans.citations)
    # an author filter and a date filter with no report in common: nothing, not an error
    assert a.search("harbour dredging", filters={"authors": ["Mara Quill"], "after": "2024-05-03"}) == []
    with pytest.raises(InputError, match="unknown author 'Nobody'"):
        a.search("harbour dredging", filters={"authors": ["Nobody"]})


def test_cli_author_filter(dredging_reports, tmp_path, monkeypatch, capsys):
    from assistant.cli import main

    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(tmp_path / "cli-index"))
    assert main(["ingest", str(dredging_reports)]) == 0
    capsys.readouterr()
    assert main(["search", "harbour dredging", "--author", "Mara Quill"]) == 0
    out = capsys.readouterr().out
    assert "Silt worries fishermen" in out and "Harbour dredging starts" not in out


def test_new_authors_are_known_as_soon_as_they_are_ingested(make_assistant, dredging_reports, tmp_path):
    """The author and source lists are read once per catalog change, not on every question; a change made through
    this Assistant, or through another one on the same index (another SQLite connection), is seen at once."""
    a = make_assistant(tmp_path / "index")
    a.ingest([dredging_reports], progress=False)
    names = a.catalog.authors()
    assert a.catalog.authors() is names  # unchanged catalog: not read again
    (dredging_reports / "d.md").write_text("---\ntitle: Pier closed\nsource: Bay Post\nauthor: Ivo Stenberg\n"
                                           "date: 2024-05-06\n---\nPier closed\n\nThe north pier closed for the dredging.\n")
    a.ingest([dredging_reports], progress=False)
    assert "Ivo Stenberg" in a.catalog.authors()
    assert a.retriever.analyse("What did Ivo Stenberg write about the pier?").authors == ["Ivo Stenberg"]

    other = tmp_path / "more"
    other.mkdir()
    (other / "e.md").write_text("---\ntitle: Mussels return\nsource: Harbour Weekly\nauthor: Noor Haddad\n"
                                "date: 2024-05-07\n---\nMussels return\n\nMussels are back on the north pier.\n")
    make_assistant(tmp_path / "index").ingest([other], progress=False)  # a second Assistant: its own connection
    assert "Noor Haddad" in a.catalog.authors() and "Harbour Weekly" in a.sources()
    hits = a.search("What did Noor Haddad write about mussels?", top_k=1)
    assert hits[0].title == "Mussels return"
