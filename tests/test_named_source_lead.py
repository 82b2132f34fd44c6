"""A question naming two publishers gets each one's best passage first. Real components: the SQLite catalog, an
embedded Chroma and the packaged MiniLM embedder."""
from conftest import write_reports

FERRY = [(f"ferry{i}.md", f"Ferry strike day {i}",
          f"The ferry strike ended on Monday after the union accepted the ferry pay offer. {extra}")
         for i, extra in enumerate(["Crossings resumed at dawn.", "Queues formed at the pier.", "Commuters cheered."])]
TRAM = [("tram.md", "Tram fares", "Tram fares rose by ten cents in the city this spring, the transit board said.")]
OTHER = [(f"other{i}.md", f"Other news {i}", f"The {topic} drew a crowd on Sunday.")
         for i, topic in enumerate(["regatta", "flower show", "chess final", "choir concert", "book fair", "derby"])]
QUESTION = ("Does the Harbour Times report that the ferry strike ended after the union accepted the pay offer, "
            "while the Bay Post reports that tram fares rose?")


def test_each_named_publishers_best_passage_comes_first(make_assistant, tmp_path):
    harbour = write_reports(tmp_path / "harbour", FERRY + OTHER[:3], source="Harbour Times")
    bay = write_reports(tmp_path / "bay", TRAM + OTHER[3:], source="Bay Post")
    off = make_assistant(tmp_path / "index", retrieval={"named_source_lead": False})
    off.ingest([harbour, bay], progress=False)
    on = make_assistant(tmp_path / "index")
    for a in (off, on):  # both search the in-memory vectors: Chroma's scores differ in the sixth decimal (seen in CI)
        assert a.hold_in_memory() == {"keyword": True, "dense": True}

    without = off.search(QUESTION, top_k=5)
    assert [p.source for p in without[:3]] == ["Harbour Times"] * 3  # the ferry reports share the question's words
    found = on.search(QUESTION, top_k=5)
    assert found[0] == without[0] and found[1].title == "Tram fares"  # each publisher's best, in rank order
    assert [p.chunk_id for p in found[2:]] == [p.chunk_id for p in without if p.title != "Tram fares"][1:]
    assert {p.chunk_id for p in found} == {p.chunk_id for p in without}  # only the order changes
    assert [p.score for p in found] == sorted((p.score for p in found), reverse=True)

    one = "Does the Harbour Times report that the ferry strike ended after the union accepted the pay offer?"
    assert on.search(one, top_k=5) == off.search(one, top_k=5)  # one named publisher: nothing to interleave
