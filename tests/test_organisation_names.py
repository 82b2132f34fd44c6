"""A sentence whose "the group" / "the company" ... refers to an organisation named before it holds that name for the
answerer (``answering.organisation_names``): news calls an organisation "a small group" once, then writes "the group
added". Plain-text cases for which organisation is meant, then a real index (embedded Chroma, the real embedder) of
the seed report, with a control with the setting off.
"""
from assistant.pronouns import organisation_referents, organisations
from conftest import SEED, assert_citations_hold


def _named(text: str) -> dict[str, tuple[str, ...]]:
    """First words of each sentence with a referent -> the name."""
    return {text[s:s + 12]: name for s, name in organisation_referents(text).items()}


def test_the_group_is_the_last_organisation_called_a_group_before_it():
    text = ("Kataib Hezbollah, an Iran-backed group, paused its attacks. Late on Wednesday, The True Promise Corps, a "
            "small group within the network, announced more attacks. The attacks will go on, the group added.")
    assert _named(text) == {"The attacks ": ("True", "Promise", "Corps")}
    # a later plain mention of an organisation called a group once counts as the last one named
    text = ("Kataib Hezbollah, an Iran-backed group, paused. The True Promise Corps, a small group, fought on. Kataib "
            "Hezbollah said its decision was final. The group said it wanted calm.")
    assert _named(text) == {"The group sa": ("Kataib", "Hezbollah")}
    # "a group called X", and another word than "group": the word must be the one the text called it by
    text = "An umbrella group called the Islamic Resistance claimed it. Acme Corp, a small company, sold drones. " \
           "The group denied it. The company declined to comment."
    assert _named(text) == {"The group de": ("Islamic", "Resistance"), "The company ": ("Acme", "Corp")}


def test_what_is_not_an_organisation_the_text_called_so():
    # "the director of the Council ...": a person's title, not what the text calls him
    assert organisations("Chris Doyle, the director of the Council for Arab-British Understanding, spoke.") == ()
    # "Iraq" in "the Islamic Resistance in Iraq, an Iran-backed group" is a place inside the name, not the group
    assert [n for _, n, _ in organisations("It blamed the Islamic Resistance in Iraq, an Iran-backed group.")] == []
    # no organisation called a group before it, or one too far back, or the sentence naming its own
    assert organisation_referents("Iraq is a country. The group said nothing.") == {}
    far = "The True Promise Corps, a small group, spoke. " + "The weather was fine that day. " * 25 + "The group left."
    assert organisation_referents(far) == {}
    assert _named("Acme, a small company, grew. Then Acme said the company was calm.") == {}
    # "the X club" is no typing: X is as often a place ("the Merseyside club") as the club's name
    assert organisations("The Merseyside club sacked him. The club said nothing.") == ()
    assert organisations("Initially, the company sold drones.") == ()  # a sentence's first word, and a clause
    assert organisation_referents("The group of militias met. The group of seven spoke.") == {}


def test_on_the_seed_report_what_the_group_added_is_cited(make_assistant, tmp_path):
    """Seed question L25: the answer is "..., the group added", two sentences after the True Promise Corps is named.
    Without its name the sentence shares only "attacks" with the question, and the answer quoted the announcement
    alone."""
    on = make_assistant(tmp_path / "index")
    on.ingest([str(SEED.parent)], progress=False)
    off = make_assistant(tmp_path / "index", answering={"organisation_names": False})
    question = "Until when does the True Promise Corps say its attacks will go on?"
    mine, plain = on.ask(question), off.ask(question)
    assert any("the group added" in c.quote for c in mine.citations)
    assert not any("the group added" in c.quote for c in plain.citations)
    assert_citations_hold(on, mine)
