"""The opening line of a report sums up its story in the words a question uses, but rarely states the detail asked
for: in choosing what to cite it counts ``answering.opening_factor`` (0.8) times its score. On MultiHop dev, 9.5% of
the answers' citations started in a report's first 100 characters and 21% of those were gold evidence (44% of all
citations), while 3.6% of the gold facts start there. A real index (embedded Chroma, the real embedder)."""
from conftest import write_reports

FERRY = [("ferry.md", "Ferry service",
          "The harbour ferry service will change its timetable and fares next month, the transport board said on "
          "Monday. Board members met for three hours before the vote. Several residents spoke at the meeting, and two "
          "asked for more evening sailings. The meeting was held in the old customs house on the waterfront. Coffee "
          "and biscuits were served to the public gallery, which was full by seven o'clock. The chair thanked the "
          "staff for their hard work over the winter. Under the new timetable, the first ferry will leave the harbour "
          "at 5:40 a.m. and the last at 11:15 p.m., with fares rising by 40 cents. The board will review the changes "
          "in the spring.")]
QUESTION = "What did the Bay Post report about the ferry timetable changes?"  # one sentence of the named publisher
OPENING = "The harbour ferry service will change its timetable and fares next month"
DETAIL = "Under the new timetable, the first ferry will leave the harbour at 5:40 a.m."


def test_the_sentence_stating_the_change_is_cited_rather_than_the_opening_line(make_assistant, tmp_path):
    folder = write_reports(tmp_path / "ferry", FERRY)
    shipped = make_assistant(tmp_path / "index")
    shipped.ingest([folder], progress=False)
    ans = shipped.ask(QUESTION)
    assert not ans.refused and len(ans.citations) == 1
    assert ans.citations[0].quote.startswith(DETAIL)
    # the control: without the discount the opening line, which holds more of the question's words, is cited
    off = make_assistant(tmp_path / "index", answering={"opening_factor": 1.0})
    ans = off.ask(QUESTION)
    assert [c.quote[:len(OPENING)] for c in ans.citations] == [OPENING]
