"""'How many <things> were <done>?': the number has to count the things asked about (assistant/answer_types.py)."""
import pytest

from assistant.answer_types import counted, counts, fits
from conftest import MINI, SEED, assert_citations_hold


@pytest.mark.parametrize("question, stems", [
    ("How many drones were used in the attack on Tower 22?", {"drone", "us"}),  # "used" stems to "us"
    ("How many US soldiers were killed in the attack?", {"soldier", "kill"}),  # "US" folds to the stopword "us"
    ("How many people were wounded at Tower 22?", {"peopl", "wound"}),
    ("How many homes will the solar farm power?", {"home", "solar"}),  # "will the": the next content word
    ("How much money does Iran give Kataib Hezbollah?", set()),  # amounts: any number will do
    ("Who did Washington hold responsible?", set()),
])
def test_counted_words_and_verb(question, stems):
    assert counted(question) == stems


def test_a_number_must_stand_near_the_counted_noun_or_the_verb():
    drones = counted("How many drones were used in the attack on Tower 22?")
    assert counts("Two drones hit the base.", drones)
    assert counts("The militants used three of them.", drones)
    # a number, and the question's words, but not how many drones: "22" names the tower, "three" counts attacks
    assert not counts("The network claimed three attacks in Syria, including at Al Tanf base, just across the border"
                      " from Tower 22, but did not mention Tower 22 or Jordan by name.", drones)
    assert not counts("The attack killed three US soldiers.", drones)  # "US" is no "used"
    assert not counts("Drones were used in the attack.", drones)  # no number at all
    wounded = counted("How many people were wounded at Tower 22?")
    assert counts("It killed three American soldiers and wounded about 40.", wounded)


def test_other_answer_types_keep_their_tests():
    assert fits("Who did Washington blame?") is None
    when = fits("When did the strike end?")
    assert when("It ended on Tuesday.") and not when("It ended.")
    much = fits("How much will wages rise?")
    assert much("Wages rise 9 percent.") and not much("Wages rise.")
    loose = fits("How many drones were used?", count_near=False)  # the setting off: any number will do
    assert loose("The network claimed three attacks.")


def test_a_count_the_reports_do_not_give_is_refused(make_assistant, tmp_path):
    """On the seed report: it counts soldiers killed and wounded, attacks claimed, and names Tower 22, but never says
    how many drones were used. Without the rule the answer quoted 'three attacks ... Tower 22' with confidence 0.53."""
    on = make_assistant(tmp_path / "index")
    on.ingest([str(SEED.parent), str(MINI)], progress=False)
    question = "How many drones were used in the attack on Tower 22?"
    assert on.ask(question).refused is True
    off = make_assistant(tmp_path / "index", answering={"count_near_noun": False}).ask(question)
    assert not off.refused and "Tower 22" in off.text
    wounded = on.ask("How many people were wounded at Tower 22?")
    assert not wounded.refused and "wounded about 40" in wounded.text
    assert_citations_hold(on, wounded)
