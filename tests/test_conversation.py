"""Conversations: follow-ups are retrieved with the earlier turns' context; the terminal REPL over them."""
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant import Conversation
from assistant.chat_cli import repl
from assistant.conversation import answer_entities, is_follow_up
from assistant.reading import report_id
from conftest import NUJABA, SEED

SEED_ID = report_id(str(SEED.resolve()))
PORT_ID = report_id("https://example.org/harbor/port-alder-strike")


@pytest.mark.parametrize("question, follow", [
    ("Why did it do that?", True),
    ("And the other groups?", True),
    ("When was that?", True),
    ("What did he say?", True),
    ("Who won?", True),
    ("Which groups did not suspend attacks?", False),
    ("How long did the dockworkers strike last?", False),
    ("What did the council approve?", False),
])
def test_follow_up_detection(question, follow):
    assert is_follow_up(question) is follow


def test_seed_answer_entities(seed_assistant):
    ans = seed_assistant.ask("Which groups did not suspend attacks?")
    names = answer_entities(ans, limit=10)
    assert "Harakat Hezbollah Al Nujaba" in names and "Kataib Sayyid Al Shuhada" in names
    assert not {"Despite", "The", "Tuesday"} & set(names)


def test_follow_up_is_retrieved_with_the_previous_turn(seed_assistant):
    conv = seed_assistant.chat()
    assert isinstance(conv, Conversation)
    first = conv.ask("Which groups did not suspend attacks?")
    assert any(c.quote == NUJABA for c in first.citations)
    assert conv.last.context is None  # the first question stands alone
    follow = conv.ask("When was that?")
    ctx = conv.last.context
    assert ctx and "Nujaba" in ctx and "suspend" in ctx
    assert follow.question == "When was that?"  # the user's wording is kept
    assert not follow.refused and all(c.report_id == SEED_ID for c in follow.citations)
    bare = seed_assistant.ask("When was that?")  # without the conversation the same words find nothing useful
    assert bare.refused or {c.report_id for c in bare.citations} != {SEED_ID} or bare.text != follow.text
    assert [t.question for t in conv.turns] == ["Which groups did not suspend attacks?", "When was that?"]


def test_pronoun_follow_up_resolves_to_the_named_person(seed_assistant):
    conv = seed_assistant.chat()
    conv.ask("Who is the port director?")
    ans = conv.ask("What did he say?")
    assert "Samuel Reyes" in conv.last.context
    assert not ans.refused and any(c.report_id == PORT_ID and "Samuel Reyes" in c.quote for c in ans.citations)


def test_standalone_question_after_a_topic_gets_no_context(seed_assistant):
    conv = seed_assistant.chat()
    conv.ask("Which groups did not suspend attacks?")
    ans = conv.ask("How long did the dockworkers strike last?")
    assert conv.last.context is None
    assert "eleven-day strike" in ans.text


def test_reset_forgets_the_turns(seed_assistant):
    conv = seed_assistant.chat()
    conv.ask("Who is the port director?")
    conv.reset()
    assert conv.turns == [] and conv.sources() == []
    assert conv.context_for("What did he say?") is None


def test_conversation_filters_apply_to_every_turn(seed_assistant):
    conv = seed_assistant.chat(filters={"sources": ["Valley Times"]})
    for q in ("What did the council approve?", "How many homes will it power?"):
        ans = conv.ask(q)
        assert {c.source for c in ans.citations} <= {"Valley Times"}
    assert "9,000 homes" in ans.text


def test_repl_answers_and_lists_sources(seed_assistant):
    lines = iter(["Which groups did not suspend attacks?", "/sources", "When was that?", "/history", "/reset",
                  "/history", "/nope", ""])

    def read(_prompt):
        try:
            return next(lines)
        except StopIteration:
            raise EOFError from None

    out = io.StringIO()
    assert repl(seed_assistant.chat(), read=read, out=out) == 0
    text = out.getvalue()
    assert "Harakat Hezbollah Al Nujaba" in text
    assert f"\u201c{NUJABA}\u201d" in text  # /sources shows the quote
    assert "retrieved with:" in text  # /history shows the follow-up's context
    assert "(conversation reset)" in text and "No turns yet." in text and "unknown command" in text


def test_chat_subcommand_runs_and_reports_an_empty_index(tmp_path):
    exe = Path(sys.executable).parent / "report-assistant"
    env = {**os.environ, "ASSISTANT_DATA_DIR": str(tmp_path / "empty")}
    r = subprocess.run([str(exe), "chat"], input="Anything?\n/quit\n", capture_output=True, text=True, env=env,
                       timeout=180)
    assert r.returncode == 0
    assert "no reports yet" in r.stdout and "ingest" in r.stdout
