"""A "Who ...?" question is answered with the person most of the reports read name, citing a sentence that names them
in full. Name finding is plain text (no model); the end-to-end case uses a real index (embedded Chroma, the packaged
embedder)."""
from conftest import write_reports

from assistant.citations import verify
from assistant.person_names import asks_for_person, mentions, named_person
from assistant.types import Answer, Citation, Passage


def test_which_questions_ask_for_a_person():
    assert asks_for_person("Who is the individual accused of fraud?")
    assert asks_for_person("Who, according to The Verge, resigned?")
    assert asks_for_person("Which pop star, who became famous at 16, was the subject of a documentary?")
    assert asks_for_person("What NFL quarterback threw four touchdowns?")
    assert asks_for_person("Which individual is at the centre of the trial?")
    assert not asks_for_person("Which company is at the center of the antitrust case?")
    assert not asks_for_person("What is the latest on the strike?")
    assert not asks_for_person("Which groups did not suspend attacks?")
    assert not asks_for_person("Does the article say who won?")
    assert not asks_for_person("Who else was charged?")  # someone besides the one the reports name most
    assert not asks_for_person("Which other player scored?")
    # several people: a list, answered sentence by sentence ("Which ..." questions are list questions otherwise)
    assert not asks_for_person("Which players scored?") and not asks_for_person("Who were the victims?")
    assert not asks_for_person("Which people attended?") and not asks_for_person("Who are the candidates?")
    assert asks_for_person("Which actress won?") and asks_for_person("Who has the ball?")
    assert not asks_for_person("Who have the unions elected?")


def test_mentions_drop_titles_acronyms_and_a_sentence_s_ordinary_first_word():
    text = "Former FTX CEO Sam Bankman-Fried's lawyers spoke. Because FTX failed, because of it. Judge Lewis Kaplan ruled."
    assert [m for m, _ in mentions(text)] == [("Sam", "Bankman-Fried"), ("Lewis", "Kaplan")]  # "Because FTX": no names
    got = mentions("Holloway said. Harbour chief Dana Holloway left.")
    assert got == ((("Holloway",), False), (("Harbour",), False), (("Dana", "Holloway"), False))
    assert mentions("Dana Holloway left. The firm thanked her.") == ((("Dana", "Holloway"), True),)  # "her" follows
    assert mentions("Lumen Freight grew. " + "x " * 200 + "She left.") == ((("Lumen", "Freight"), False),)  # too far
    # a pronoun goes to the nearest name before it: the chief, not her company
    assert mentions("Lumen Freight chief Dana Holloway said her staff agreed.") == (
        (("Lumen", "Freight"), False), (("Dana", "Holloway"), True))
    assert mentions("Alameda Research CEO Caroline Ellison wept.") == ((("Caroline", "Ellison"), False),)


PASSAGES = [
    ("r1", "Sam Bankman-Fried founded FTX in 2019. Bankman-Fried denied every charge against him."),
    ("r2", "Prosecutors say Bankman-Fried lied to FTX customers for years."),
    ("r3", "The trial of Sam Bankman-Fried opened in New York."),
    ("r4", "FTX collapsed in November. OpenAI and ChatGPT were not involved."),
]


def test_the_person_most_reports_name_in_full_and_by_surname():
    who = named_person("Who is the individual who founded the collapsed exchange?", PASSAGES)
    assert (who.name, who.reports, who.read) == ("Sam Bankman-Fried", 3, 4)
    # FTX is in as many reports, but an acronym never written after a first name is no person
    assert named_person("Who founded the exchange?", [(r, t.replace("Bankman-Fried", "Jones")) for r, t in PASSAGES[3:]]) is None


def test_no_person_when_more_reports_use_a_surname_never_written_in_full():
    short = [(r, t.replace("Sam Bankman-Fried", "Bankman-Fried")) for r, t in PASSAGES[:3]]
    short.append(("r4", "Bankman-Fried was not in court, his lawyers said."))
    ellison = " Former Alameda CEO Caroline Ellison testified. Ellison said she was afraid."
    colleague = [(r, t + ellison) for r, t in short[:3]] + short[3:]  # Ellison in 3 reports, Bankman-Fried in 4
    assert named_person("Who founded the exchange?", colleague) is None  # not Ellison: the surname more reports use
    assert named_person("Who testified?", colleague[:3]).name == "Caroline Ellison"  # 3 reports each: no rival
    with_full = [(r, t.replace("Bankman-Fried", "Sam Bankman-Fried", 1)) for r, t in colleague]
    assert named_person("Who founded the exchange?", with_full).name == "Sam Bankman-Fried"


def test_no_person_when_the_question_names_them_or_too_few_reports_do():
    assert named_person("Who is Sam Bankman-Fried?", PASSAGES) is None
    assert named_person("Who is the founder of the exchange?", PASSAGES[:2] + PASSAGES[3:]) is None  # 2 reports
    others = [(f"x{i}", "The weather was mild and the markets were calm.") for i in range(4)]
    assert named_person("Who founded the exchange?", PASSAGES + others) is None  # 3 of 8 reports: under half
    assert named_person("Who founded the exchange?", PASSAGES + others, min_share=0.3).name == "Sam Bankman-Fried"


def test_a_surname_the_quoted_sentences_use_alone_names_the_person_when_too_few_reports_do():
    two = PASSAGES[:2] + PASSAGES[3:]  # Bankman-Fried in 2 of 3 reports: under the 3 the majority rule needs
    question = "Who is the founder of the exchange?"
    assert named_person(question, two) is None
    quoted = ["Prosecutors say Bankman-Fried lied to FTX customers for years."]
    assert named_person(question, two, quoted=quoted).name == "Sam Bankman-Fried"
    # a quoted surname the passages never write in full, or only one report names: no one
    assert named_person(question, [(r, t.replace("Sam Bankman-Fried", "Bankman-Fried")) for r, t in two],
                        quoted=quoted) is None
    assert named_person(question, PASSAGES[:1] + PASSAGES[3:], quoted=quoted) is None
    # a quoted sentence naming no one the passages name: no one
    assert named_person(question, two, quoted=["FTX collapsed in November."]) is None


def test_a_surname_never_written_alone_is_not_taken_for_a_person():
    places = [(f"r{i}", "Talks were held in New York and later in Hong Kong.") for i in range(4)]
    assert named_person("Who hosted the talks?", places) is None


def test_a_company_named_in_full_and_in_short_is_no_person_without_he_or_she():
    firms = [(f"r{i}", "Shares of Lumen Freight rose. Freight analysts were pleased, and the company thanked them.")
             for i in range(4)]
    assert named_person("Who led the rally?", firms) is None
    people = [(r, t.replace("the company thanked them", "Freight thanked his staff")) for r, t in firms]
    assert named_person("Who led the rally?", people).name == "Lumen Freight"  # he would pass for a person


def _cited(n, quote, start):
    return Citation(n=n, report_id="r1", quote=quote, start=start, end=start + len(quote))


def test_verify_keeps_the_person_line_with_its_quote_and_renumbers_both():
    text = "Jo Hale quit [1] early. Hale left town."
    p = Passage(chunk_id="r1-0000", report_id="r1", text=text, start=0, end=len(text), score=1.0)
    bad = Citation(n=1, report_id="r1", quote="Nobody said this.", start=0, end=17)
    quit_, left = _cited(2, "Jo Hale quit [1] early.", 0), _cited(3, "Hale left town.", 24)
    answer = Answer(question="Who quit?", passages=[p], citations=[bad, quit_, left],
                    text="Jo Hale is named in 3 of the 4 reports read [2]\nNobody said this. [1]\n"
                         "Jo Hale quit [1] early. [2]\nHale left town. [3]")
    kept = verify(answer, lambda rid: text)
    assert [c.n for c in kept.citations] == [1, 2] and kept.citations[0].quote == quit_.quote
    assert kept.text.split("\n") == ["Jo Hale is named in 3 of the 4 reports read [1]",
                                     "Jo Hale quit [1] early. [1]", "Hale left town. [2]"]


REPORTS = [
    ("quit.md", "Harbour chief resigns",
     "Harbour chief Dana Holloway resigned on Monday after nine years at the port authority. "
     "Holloway said she was proud of the new ferry terminal."),
    ("audit.md", "Audit of dredging fund",
     "Auditors found that dredging money had been moved into a private account. "
     "The report says Holloway approved each of the transfers herself."),
    ("lawyer.md", "Lawyer answers auditors",
     "A lawyer for Dana Holloway said the board had signed off every payment. "
     "Holloway will not comment until the inquiry ends."),
    ("market.md", "Fish market reopens",
     "The old fish market on the quay reopened on Saturday after a year of repairs to its roof."),
]
QUESTION = ("Who is the individual who resigned as harbour chief, and who approved the transfers of dredging money "
            "into a private account?")


def test_a_who_question_starts_with_the_person_the_reports_name(make_assistant, tmp_path):
    folder = write_reports(tmp_path / "reports", REPORTS, source="Harbour Times")
    on = make_assistant(tmp_path / "index")
    on.ingest([folder], progress=False)
    answer = on.ask(QUESTION)
    assert not answer.refused
    first = answer.text.split("\n")[0]
    read = len({p.report_id for p in answer.passages})
    assert first == f"Dana Holloway is named in 3 of the {read} reports read [1]"
    assert "Dana Holloway" in answer.citations[0].quote  # the name's citation names them in full
    assert answer.text.split("\n")[1] == f"{answer.citations[0].quote} [1]"  # the quoted sentence follows

    off = make_assistant(tmp_path / "index", answering={"person_line": False})
    plain = off.ask(QUESTION)
    assert not plain.refused and "Holloway" not in plain.text  # the clauses' best sentences never name the person
    assert [c.quote for c in plain.citations] == [c.quote for c in answer.citations[1:]]


def test_the_person_line_reuses_a_quoted_sentence_that_names_them(make_assistant, tmp_path):
    folder = write_reports(tmp_path / "reports", REPORTS, source="Harbour Times")
    on = make_assistant(tmp_path / "index")
    on.ingest([folder], progress=False)
    question = "Who is the individual who resigned as harbour chief after nine years at the port authority?"
    plain = make_assistant(tmp_path / "index", answering={"person_line": False}).ask(question)
    assert "Dana Holloway" in plain.citations[0].quote  # the answer quotes a sentence naming her anyway
    answer = on.ask(question)
    assert answer.text.split("\n") == [f"Dana Holloway is named in 3 of the {len({p.report_id for p in answer.passages})}"
                                       f" reports read [1]"] + plain.text.split("\n")
    assert [c.quote for c in answer.citations] == [c.quote for c in plain.citations]  # no citation added


def test_a_person_two_reports_name_is_named_when_the_quoted_sentence_uses_the_surname(make_assistant, tmp_path):
    """Two reports of those read name Dana Holloway (under the 3 the majority rule needs); the answer quotes the
    sentence calling her "Holloway", and the other report says who Holloway is."""
    reports = [
        ("quit.md", "Harbour chief resigns",
         "Harbour chief Dana Holloway resigned on Monday after nine years at the port authority. "
         "She said she was proud of the new ferry terminal."),
        ("audit.md", "Audit of dredging fund",
         "Auditors found that Holloway approved the transfers of dredging money into a private account herself."),
        ("market.md", "Fish market reopens", "The old fish market on the quay reopened on Saturday after repairs."),
        ("ferry.md", "Ferry timetable", "The winter ferry timetable starts next week with two fewer crossings."),
    ]
    question = "Who approved the transfers of dredging money into a private account?"
    folder = write_reports(tmp_path / "reports", reports, source="Harbour Times")
    on = make_assistant(tmp_path / "index")
    on.ingest([folder], progress=False)
    answer = on.ask(question)
    assert any(c.quote.startswith("Auditors found that Holloway approved") for c in answer.citations)
    read = len({p.report_id for p in answer.passages})
    assert read >= 4  # 2 of 4 or more: the majority rule gives no one
    first = answer.text.split("\n")[0]
    assert first.startswith(f"Dana Holloway is named in 2 of the {read} reports read [")
    n = int(first.rsplit("[", 1)[1].rstrip("]"))
    assert answer.citations[n - 1].quote.startswith("Harbour chief Dana Holloway resigned")
    off = make_assistant(tmp_path / "index", answering={"person_from_quotes": False}).ask(question)
    assert " is named in " not in off.text and "Dana Holloway" not in off.text
