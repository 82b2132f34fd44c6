"""A sentence whose "he" / "she" refers to a person named before it holds that person's name for the answerer
(``answering.pronoun_names``): news names a speaker once and then writes "he said". Plain-text cases for who the
pronoun is, then a real index (embedded Chroma, the real embedder), each with a control with the setting off.
"""
from assistant.pronouns import referents
from conftest import SEED, assert_citations_hold, write_reports


def _named(text: str) -> dict[str, tuple[str, ...]]:
    """First words of each sentence with a referent -> the name."""
    return {text[s:s + 12]: name for s, name in referents(text).items()}


def test_a_pronoun_refers_to_the_last_person_named_before_it():
    text = ("Defence Secretary Lloyd Austin spoke on Monday. “We will respond,” Mr Austin told reporters. "
            "The militias operate inside Syria and Iraq. He added that he expected attacks to continue.")
    # "Syria and Iraq" are named last, but a place is not a person; "Mr Austin" is, and his full name is used
    assert _named(text) == {"He added tha": ("Lloyd", "Austin")}


def test_a_sentence_naming_its_own_person_before_the_pronoun_gets_none():
    text = "Mr Austin spoke first. John Kirby said he would not comment. Kirby left early."
    assert _named(text) == {}


def test_organisations_and_places_are_not_persons():
    # an organisation "says" things too, but is written with "the" or after "of"; a bare name is not enough
    text = ("The Kataib Hezbollah group said it would pause. Kataib Hezbollah said its decision was final. "
            "Chris Doyle, the director of the Council for Arab-British Understanding, said the pause was welcome. "
            "He said the region needed calm.")
    assert _named(text) == {"He said the ": ("Chris", "Doyle")}
    assert referents("Acme Corp said it would grow. He said nothing.") == {}  # no person within the text
    assert referents("Apple announced a phone. She liked it.") == {}


def test_a_name_too_far_back_is_not_used():
    text = "Jane Doe said hello. " + "The weather was fine that day. " * 25 + "She said goodbye."
    assert referents(text) == {}
    assert list(referents("Jane Doe said hello. She said goodbye.").values()) == [("Jane", "Doe")]


ENVOY = [("envoy.md", "World desk",
          "Maria Lopez, the envoy of the Blue River Commission, said on Monday that the talks on an agreement over the "
          "dam had gone well.\n\n"
          "The talks cover the dam, the canals and the fishing rights of three villages.\n\n"
          "She said that a final agreement would need at least another year of negotiation.\n\n"
          "Farmers from the villages waited outside the hall.")]


def test_the_sentence_whose_she_is_the_person_asked_about_is_cited(make_assistant, tmp_path):
    """"She said that a final agreement would need ..." answers the question but names neither Maria Lopez nor the
    dam; the first sentence names both and says the talks went well."""
    folder = write_reports(tmp_path / "reports", ENVOY)
    on = make_assistant(tmp_path / "index")
    on.ingest([folder], progress=False)
    off = make_assistant(tmp_path / "index", answering={"pronoun_names": False})
    question = "What did Maria Lopez say an agreement over the dam would need?"
    answer, before = on.ask(question), off.ask(question)
    assert any(c.quote.startswith("She said that a final agreement") for c in answer.citations)
    assert not any(c.quote.startswith("She said") for c in before.citations)
    assert_citations_hold(on, answer)


def test_on_the_seed_report_a_speakers_later_words_are_cited(make_assistant, tmp_path):
    """"Does Lloyd Austin expect the militia attacks to stop?": the answer ("he expected attacks to continue") is in
    a sentence that calls him "He", three paragraphs after "Mr Austin"."""
    on = make_assistant(tmp_path / "index")
    on.ingest([str(SEED.parent)], progress=False)  # as the seed eval's index
    off = make_assistant(tmp_path / "index", answering={"pronoun_names": False})
    question = "Does Lloyd Austin expect the militia attacks to stop?"
    quotes = [c.quote for c in on.ask(question).citations]
    assert any("expected attacks to continue" in q for q in quotes)
    assert not any("expected attacks to continue" in c.quote for c in off.ask(question).citations)


# ------------------------------------------------------------------ "What is the name of the commander ...?"

def test_a_question_for_a_persons_name_says_what_the_name_must_stand_near():
    from assistant.answer_types import named_about

    assert named_about("What is the name of the IRGC commander who travelled to Baghdad?") == {
        "irgc", "command", "travel", "baghdad"}
    assert named_about("What were the names of the three US soldiers killed in Jordan?") == {
        "three", "soldier", "kill", "jordan"}
    assert named_about("What is the name of the company that bought the port?") is None  # not a person
    assert named_about("Who led the raid?") is None  # the "Who" check's business


def test_only_a_sentence_naming_a_person_next_to_what_the_question_says_of_them_can_give_the_name():
    from assistant.answer_types import NAME_WINDOW, named_about
    from assistant.pronouns import sentences_naming
    from assistant.terms import stem, words

    question = "What were the names of the three US soldiers killed in Jordan?"
    asked, about = frozenset(stem(w) for w in words(question)), named_about(question)
    text = ("The Pentagon identified the three soldiers killed as Sgt William Rivers, Kennedy Sanders and Breonna "
            "Moffett. Mr Rivers was 46. “It was a plan resourced by the Islamic Resistance in Iraq to kill US "
            "troops,” said John Kirby, a spokesman. Three soldiers were killed in Jordan.")
    starts = sentences_naming(text, asked, about, NAME_WINDOW)
    assert {text[s:s + 20] for s in starts} == {"The Pentagon identif"}
    # a name the question gives is no answer
    asked_kirby = asked | {stem("kirby")}
    assert sentences_naming("John Kirby said three soldiers were killed.", asked_kirby, about, NAME_WINDOW) == set()


RAID = [("raid.md", "Regional desk",
         "Soldiers raided the village of Ostra before dawn on Sunday, and the commander who led the raid said it had "
         "found weapons.\n\nThe commander who led the raid told reporters that the village was calm again.\n\n"
         "Farmers returned to their fields in the afternoon.")]
RAID_NAMED = [("raid-named.md", "Regional desk",
               "Soldiers raided the village of Ostra before dawn on Sunday.\n\n"
               "The commander who led the raid, Jane Okafor, said it had found weapons.\n\n"
               "Farmers returned to their fields in the afternoon.")]


def test_a_question_for_a_name_the_reports_do_not_give_is_refused(make_assistant, tmp_path):
    folder = write_reports(tmp_path / "reports", RAID)
    on = make_assistant(tmp_path / "index")
    on.ingest([folder], progress=False)
    off = make_assistant(tmp_path / "index", answering={"name_penalty": 1.0})
    question = "What is the name of the commander who led the raid on Ostra?"
    assert on.ask(question).refused
    assert not off.ask(question).refused  # the sentences about the commander score well without the check
    named = make_assistant(tmp_path / "index2")
    named.ingest([write_reports(tmp_path / "reports2", RAID_NAMED)], progress=False)
    answer = named.ask(question)
    assert not answer.refused and "Jane Okafor" in answer.citations[0].quote
    assert_citations_hold(named, answer)


def test_on_the_seed_report_the_names_it_does_not_give_are_refused(make_assistant, tmp_path):
    """The report never names the IRGC commander or the soldiers; John Kirby and Lloyd Austin are named, but not as
    either."""
    on = make_assistant(tmp_path / "index")
    on.ingest([str(SEED.parent)], progress=False)
    off = make_assistant(tmp_path / "index", answering={"name_penalty": 1.0})
    for question in ("What is the name of the IRGC commander who travelled to Baghdad?",
                     "What were the names of the three US soldiers killed in Jordan?"):
        assert on.ask(question).refused, question
        assert not off.ask(question).refused, question
    assert not on.ask("Who confirmed that the IRGC commander had visited Baghdad?").refused


# ------------------------------------------------------------------ "Which officials are quoted ...?"

def test_questions_for_several_people():
    from assistant.person_names import asks_for_people

    assert asks_for_people("Which US officials are quoted reacting to the attack in Jordan?")
    assert asks_for_people("Who are the players named in the report?")
    assert not asks_for_people("Which official confirmed the visit?")  # one person: the person line's business
    assert not asks_for_people("Which militia groups have not announced a suspension?")  # not people
    assert not asks_for_people("Which other players were injured?")


def test_org_speaking_is_not_a_person():
    from assistant.pronouns import people

    text = "Kataib Hezbollah said its decision was final. “We will wait,” said Health Ministry spokesman Omar Haddad."
    assert [name for _, name in people(text)] == [("Omar", "Haddad")]


COUNCIL = [("council.md", "City desk",
            "The city council voted on Tuesday to close the old bridge over the Lenne for repairs.\n\n"
            "“The bridge is no longer safe for lorries,” said Mayor Anna Berg, who proposed the closure.\n\n"
            "Councillor Tom Reyes said the repairs would cost more than the council had planned.\n\n"
            "He added that the ferry would run every half hour while the bridge is closed.\n\n"
            "Shop owners near the bridge said they feared losing customers during the repairs.")]


def test_a_question_for_several_people_cites_each_person_and_names_them(make_assistant, tmp_path):
    folder = write_reports(tmp_path / "reports", COUNCIL)
    on = make_assistant(tmp_path / "index")
    on.ingest([folder], progress=False)
    off = make_assistant(tmp_path / "index", answering={"people_lists": False})
    question = "Which officials commented on the closure of the bridge?"
    answer = on.ask(question)
    assert "Anna Berg" in answer.text and "Tom Reyes" in answer.text
    assert len(answer.citations) == 2  # one sentence per person; the shop owners are no one by name
    assert_citations_hold(on, answer)
    before = off.ask(question)
    assert not ("Anna Berg" in before.text and "Tom Reyes" in before.text and len(before.citations) == 2)


def test_on_the_seed_report_the_quoted_officials_are_each_named(make_assistant, tmp_path):
    """"Which US officials are quoted ...?": Barbara Leaf is quoted as "she", Matthew Miller only after his quote."""
    on = make_assistant(tmp_path / "index")
    on.ingest([str(SEED.parent)], progress=False)
    off = make_assistant(tmp_path / "index", answering={"people_lists": False})
    question = "Which US officials are quoted reacting to the attack in Jordan?"
    text = on.ask(question).text
    assert all(name in text for name in ("Barbara Leaf", "Lloyd Austin", "John Kirby", "Matthew Miller")), text
    assert "Barbara Leaf: She" in text  # the name the pronoun stands for, before the quote
    before = off.ask(question).text
    assert not all(name in before for name in ("Barbara Leaf", "Lloyd Austin", "John Kirby", "Matthew Miller"))


def test_a_person_named_once_after_a_preposition_is_still_a_person_when_named_plainly_elsewhere():
    from assistant.pronouns import people

    text = ("The jury heard testimony from Caroline Ellison on Tuesday. Ellison said the fund was short. "
            "She said she had been told to hide it.")
    assert {name for _, name in people(text)} == {("Caroline", "Ellison")}
    assert list(referents(text).values()) == [("Caroline", "Ellison")]


def test_a_title_written_into_the_name_counts_as_next_to_it():
    from assistant.answer_types import NAME_WINDOW, named_about
    from assistant.pronouns import sentences_naming
    from assistant.terms import stem, words

    question = "What is the name of the defence secretary who spoke at the Pentagon?"
    asked, about = frozenset(stem(w) for w in words(question)), named_about(question)
    text = ("Meanwhile, Defence Secretary Lloyd Austin said the US would act. Mr Austin spoke at the Pentagon on "
            "Monday. The Pentagon said nothing more.")
    assert {text[s:s + 12] for s in sentences_naming(text, asked, about, NAME_WINDOW)} == {"Meanwhile, D", "Mr Austin sp"}
