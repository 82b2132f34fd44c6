"""The bridge hop: a question asking for an entity it does not name, in several long clauses, is searched a second
time with the name its first passages share. Pure functions first, then real components (an embedded Chroma, the
SQLite catalog and the packaged MiniLM embedder)."""
import pytest

from assistant.bridging import asks_for_entity, bridge_name, names
from assistant.retrieval import _without_repeats
from assistant.types import Passage

from conftest import write_reports


def test_names_are_mid_sentence_capitalised_words_without_stopwords():
    text = "However, the board met. Analysts said Marta Kowalski of Lumen Freight spoke; The plan failed. And She left."
    assert names(text) == ["marta", "kowalski", "lumen", "freight"]  # "However", "Analysts", "The", "And": sentence starts


def test_names_outside_ascii_and_with_apostrophes_are_names_too():
    text = "Officials said Émile Łukasz met Зеленский and O’Brien’s aides at McDonald’s, not the iPhone team."
    assert names(text) == ["emile", "łukasz", "зеленскии", "o'brien", "mcdonald"]  # folded as FTS5 folds; "Phone" is inside a word


def test_bridge_name_is_the_name_most_reports_share_that_the_question_does_not_use():
    question = "Who is the executive at Lumen Freight praised for cutting emissions?"
    passages = [("r1", "Critics say Kowalski of Lumen Freight cut emissions."),
                ("r1", "Again Kowalski, and again Kowalski."),  # one report counts once
                ("r2", "Analysts praised Kowalski this week."),
                ("r3", "Shippers told Reuters that Kowalski was right."),
                ("r4", "Shippers told Reuters nothing.")]
    assert bridge_name(question, passages) == "kowalski"  # 3 of 4 reports; "lumen", "freight" are the question's
    assert bridge_name(question, passages[:2] + passages[4:]) is None  # under min_reports
    assert bridge_name(question, passages, min_share=0.8) is None  # 3 of 4 reports is under 0.8


@pytest.mark.parametrize("question, expected", [
    ("Who is the individual tried for fraud?", True), ("Which company, sued by X, also did Y?", True),
    ('"What firm did both report on?"', True), ("Did the Verge report it before TechCrunch?", False),
    ("Is the reporting consistent?", False)])
def test_only_questions_asking_for_an_entity_get_the_hop(question, expected):
    assert asks_for_entity(question) is expected


def test_the_hops_reports_take_the_places_of_repeat_chunks_first():
    def listing(*ids):  # "r2-1": chunk 1 of report r2
        return [Passage(chunk_id=i, report_id=i.split("-")[0], text=i, start=0, end=1, score=1.0) for i in ids]

    ranked = listing("r1-0", "r2-0", "r1-1", "h1-0", "h2-0", "r3-0", "r2-1", "r4-0")  # h1, h2: the hop's, after 3 kept
    kept = {"h1-0", "h2-0"}
    ids = [p.chunk_id for p in _without_repeats(ranked, 3, kept, excess=2)]
    assert ids == ["r1-0", "r2-0", "r1-1", "h1-0", "h2-0", "r3-0", "r4-0"]  # r2's second chunk goes, lowest first
    ids = [p.chunk_id for p in _without_repeats(ranked, 2, kept, excess=2)]
    assert ids == ["r1-0", "r2-0", "h1-0", "h2-0", "r3-0", "r4-0"]  # from position 2 on: r1's second chunk too
    assert _without_repeats(ranked, 3, kept, excess=0) == ranked
    assert [p.chunk_id for p in _without_repeats(ranked, 3, kept, excess=5)][-2:] == ["r3-0", "r4-0"]  # only repeats


FOCUS = "Marta Kowalski"
REPORTS = [  # 4 reports tell clause 1 about Kowalski, 3 tell clause 2's words about other people, 1 ties them
    *[(f"praise{i}.md", f"Freight praise {i}",
       f"Analysts praised {FOCUS} for cutting delivery emissions at Lumen Freight. {extra}")
      for i, extra in enumerate(["Rivals were slower.", "Diesel trucks went first.", "The board agreed.",
                                 "Investors cheered."])],
    *[(f"depot{i}.md", f"Depot news {i}",
       f"{who} opened a new warehouse in Gdansk. The new warehouse in Gdansk opened with 300 staff.")
      for i, who in enumerate(["Tomas Berg", "Ines Duarte", "Pavel Novak"])],
    ("target.md", "Harbour diary", f"Dockworkers waved as {FOCUS} opened a warehouse in Gdansk in May."),
    # other news, so that the shared name is as rare in the index as a name is in a real one
    *[(f"other{i}.md", f"Other news {i}", f"The {topic} drew a crowd of {100 + i} on Sunday.")
      for i, topic in enumerate(["regatta", "flower show", "chess final", "choir concert", "book fair", "derby",
                                 "marathon", "film night", "food market", "jazz evening", "kite festival", "tattoo"])],
]
QUESTION = "Who is the executive, praised by analysts for cutting delivery emissions, who also opened a new warehouse in Gdansk?"


def test_the_hop_brings_the_report_that_ties_the_second_clause_to_the_shared_name(make_assistant, tmp_path):
    folder = write_reports(tmp_path / "reports", REPORTS, source="Harbour Times")
    settings = {"bridge_keep": 3}
    off = make_assistant(tmp_path / "index", retrieval={**settings, "bridge_hop": False})
    off.ingest([folder], progress=False)
    assert "Harbour diary" not in [p.title for p in off.search(QUESTION, top_k=6)]  # its words lose to the depots

    on = make_assistant(tmp_path / "index", retrieval=settings)
    for a in (off, on):  # both search the in-memory vectors: Chroma's scores differ in the sixth decimal
        assert a.hold_in_memory() == {"keyword": True, "dense": True}
    without = off.search(QUESTION, top_k=6)
    found = on.search(QUESTION, top_k=6)
    assert found[:3] == without[:3]  # the first bridge_keep passages stay
    # each clause's best new report follows them: clause 1's is a praise report, clause 2's the diary
    assert "Harbour diary" in [p.title for p in found[3:5]]
    assert len(found) == 6 and len({p.chunk_id for p in found}) == 6
    assert [p.score for p in found] == sorted((p.score for p in found), reverse=True)

    # a yes/no question names its entities: no hop
    yes_no = "Did analysts praise Kowalski for cutting delivery emissions, and did Berg open a new warehouse in Gdansk?"
    assert on.search(yes_no, top_k=6) == off.search(yes_no, top_k=6)


TWO_PAPERS_QUESTION = ("Who is the executive, praised by analysts for cutting delivery emissions in the Harbour Times, "
                       "who also opened a new warehouse in Gdansk according to the Bay Post?")


@pytest.mark.parametrize("clause_sources, expected", [
    (True, {"praised": ("Harbour Times",), "opened": ("Bay Post",)}),  # each clause within the paper it names
    (False, {"praised": ("Harbour Times", "Bay Post"), "opened": ("Harbour Times", "Bay Post")}),  # every paper named
])
def test_the_hop_searches_a_clause_within_the_paper_it_names(make_assistant, tmp_path, clause_sources, expected):
    folder = write_reports(tmp_path / "reports", [r for r in REPORTS if r[0] != "target.md"], source="Harbour Times")
    write_reports(folder, [r for r in REPORTS if r[0] == "target.md"], source="Bay Post")
    a = make_assistant(tmp_path / "index", retrieval={"bridge_keep": 3, "clause_sources": clause_sources})
    a.ingest([folder], progress=False)
    real, hops = a.catalog.keyword_search, {}

    def recording(terms, k, filters=None):  # the real search; the hop's lookups (the shared name, then the clause) noted
        if terms and terms[0] == "marta":
            hops[terms[1]] = tuple(sorted(filters.sources, reverse=True)) if filters and filters.sources else ()
        return real(terms, k, filters)

    a.catalog.keyword_search = recording
    assert "Harbour diary" in [p.title for p in a.search(TWO_PAPERS_QUESTION, top_k=6)]
    assert hops == expected


PERSON_REPORTS = [  # more reports name the company than the person; the company's depot report is about someone else
    *[(f"praise{i}.md", f"Freight praise {i}",
       f"Analysts praised Lumen Freight chief {FOCUS} for cutting delivery emissions. Kowalski told her staff "
       f"that {extra}")
      for i, extra in enumerate(["rivals were slower.", "diesel trucks went first.", "the board agreed.",
                                 "investors cheered."])],
    *[(f"profit{i}.md", f"Lumen results {i}", f"Lumen Freight posted record profits in quarter {i}, and delivery "
                                              f"emissions fell.") for i in range(3)],
    ("decoy.md", "Depot tour", "Lumen Freight customers toured a new warehouse in Gdansk opened by Ines Duarte."),
    *[(f"depot{i}.md", f"Depot news {i}",
       f"{who} opened a new warehouse in Gdansk. The new warehouse in Gdansk opened with 300 staff.")
      for i, who in enumerate(["Tomas Berg", "Pavel Novak"])],
    ("target.md", "Harbour diary", "Dockworkers waved as Kowalski opened a warehouse in Gdansk in May."),
    *[r for r in REPORTS if r[0].startswith("other")],
]


@pytest.mark.parametrize("bridge_person, name", [(True, "Kowalski"), (False, "freight")])
def test_a_who_question_hops_with_the_person_not_the_company_more_reports_name(make_assistant, tmp_path,
                                                                                bridge_person, name):
    folder = write_reports(tmp_path / "reports", PERSON_REPORTS, source="Harbour Times")
    a = make_assistant(tmp_path / "index", retrieval={"bridge_keep": 3, "bridge_person": bridge_person})
    a.ingest([folder], progress=False)
    assert a.hold_in_memory() == {"keyword": True, "dense": True}
    first = a.search(QUESTION, top_k=10)
    assert a.retriever.bridge_entity(QUESTION, [(p.report_id, p.text) for p in first]) == name
    found = [p.title for p in a.search(QUESTION, top_k=6)]
    assert ("Harbour diary" in found) is bridge_person  # the person's name ties the second clause to its report
