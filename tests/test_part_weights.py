"""A question in parts describes each report it compares ("the Bay Post report on the operator's safety lapses") and
asks one shared thing ("was there a change in how Tidewater Ferries was portrayed?"). The sentence cited for a part is
the one its description points at, even in other words, not the one repeating the shared question's words
(`answering.part_share`, `answering.part_dense_share`). Real index (embedded Chroma, the real embedder)."""
from conftest import write_reports

BAY_POST = [("ferry.md", "Tidewater Ferries under scrutiny",
             "Tidewater Ferries has carried passengers across the harbour for forty years, and the company now runs "
             "nine boats. Inspectors found that lifejackets were missing on two boats and that crews had skipped the "
             "monthly evacuation drills. The company plans to open a second ticket office on the quay next year.")]
HARBOUR_TIMES = [("award.md", "Ferry line wins award",
                  "Tidewater Ferries won the regional award for punctual service on Friday. Judges praised Tidewater "
                  "Ferries for the way its crews welcome passengers on every crossing.")]
QUESTION = ("Between the Bay Post report on the operator's safety lapses and the Harbour Times report on its award for "
            "punctual service, was there a change in how Tidewater Ferries was portrayed?")


def _cited(make_assistant, tmp_path, name, **settings):
    reports = tmp_path / "reports"
    write_reports(reports, BAY_POST, source="Bay Post", date="2024-04-02")
    write_reports(reports, HARBOUR_TIMES, source="Harbour Times", date="2024-05-10")
    a = make_assistant(tmp_path / name, **settings)
    a.ingest([reports], progress=False)
    ans = a.ask(QUESTION)
    assert not ans.refused
    return {c.source: c.quote for c in ans.citations}


def test_each_part_cites_the_sentence_its_description_points_at(make_assistant, tmp_path):
    cited = _cited(make_assistant, tmp_path, "index")
    assert set(cited) == {"Bay Post", "Harbour Times"}
    assert cited["Bay Post"].startswith("Inspectors found that lifejackets were missing")  # no word of "safety lapses"
    assert cited["Harbour Times"].startswith("Tidewater Ferries won the regional award")


def test_with_the_earlier_even_weights_the_shared_words_win(make_assistant, tmp_path):
    even = _cited(make_assistant, tmp_path, "even", answering={"part_share": 0.5, "part_dense_share": 0.5})
    assert even["Bay Post"].startswith("Tidewater Ferries has carried passengers")  # the control: the weights matter
