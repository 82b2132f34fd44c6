"""Priors on where and how long a sentence is, in choosing what to cite (not in the refusal score). A real index
(embedded Chroma, the real embedder); each test has a control with the prior off.

- The opening line of a report sums up its story in the words a question uses, but rarely states the detail asked
  for: it counts ``answering.opening_factor`` (0.8) times its score. On MultiHop dev, 9.5% of the answers' citations
  started in a report's first 100 characters and 21% of those were gold evidence (44% of all citations), while 3.6%
  of the gold facts start there.
- A sentence over 300 characters matches many of the question's words by its size alone and holds several claims:
  it counts (300 / chars) ** ``answering.long_prior`` (1.0). On MultiHop dev, 6.2% of citations were that long and
  7% of those were gold evidence, while 1% of the gold facts are.
"""
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


def _cited(make_assistant, tmp_path, reports, question, prior_off):
    """The quotes cited for ``question`` on an index of ``reports``, with the shipped settings and with one prior
    off (``prior_off``: answering settings)."""
    folder = write_reports(tmp_path / "reports", reports)
    shipped = make_assistant(tmp_path / "index")
    shipped.ingest([folder], progress=False)
    off = make_assistant(tmp_path / "index", answering=prior_off)
    answers = [shipped.ask(question), off.ask(question)]
    assert not any(a.refused for a in answers)
    return [[c.quote for c in a.citations] for a in answers]


def test_the_sentence_stating_the_change_is_cited_rather_than_the_opening_line(make_assistant, tmp_path):
    shipped, off = _cited(make_assistant, tmp_path, FERRY, QUESTION, {"opening_factor": 1.0})
    assert len(shipped) == 1 and shipped[0].startswith(DETAIL)
    # the control: without the discount the opening line, which holds more of the question's words, is cited
    assert [q[:len(OPENING)] for q in off] == [OPENING]


LIBRARY = [("library.md", "Library news",
            "Readers queued outside the town library on Saturday morning. Volunteers handed out coffee at the door. "
            "Children's story hour drew a bigger crowd than usual. The mayor stopped by in the afternoon and chatted "
            "with staff. A jazz trio played in the reading garden until dusk. The library board, which met on Thursday "
            "evening in the council chamber with residents, staff, the mayor, two councillors and a representative of "
            "the regional arts fund in attendance, discussed the opening hours, the roof repairs, the parking, the new "
            "café, the children's section and the budget for next year at length before adjourning shortly after ten "
            "o'clock without a vote on any item. Staff said the quiet study room was full every day. From March, the "
            "library will open at 8 a.m. on weekdays and stay open until 9 p.m. on Thursdays. The board will meet "
            "again in April.")]
HOURS = "What did the Bay Post report about when the library will open on weekdays?"


def test_the_sentence_stating_the_hours_is_cited_rather_than_a_long_one_naming_every_topic(make_assistant, tmp_path):
    shipped, off = _cited(make_assistant, tmp_path, LIBRARY, HOURS, {"long_prior": 0.0})
    assert len(shipped) == 1 and shipped[0].startswith("From March, the library will open at 8 a.m. on weekdays")
    assert len(off) == 1 and off[0].startswith("The library board, which met on Thursday") and len(off[0]) > 300
