"""Eval files are validated line by line; MultiHop-RAG evidence maps to report ids and spans."""
import json

import pytest

from assistant.evaluation import Corpus, EvalDataError, load_jsonl, load_multihop
from assistant.reading import report_id

from conftest import MULTIHOP, NUJABA, ROOT, SEED


@pytest.fixture(scope="module")
def corpus():
    return Corpus.read([SEED])


def write(tmp_path, *objs, raw=None):
    p = tmp_path / "e.jsonl"
    p.write_text(raw if raw is not None else "\n".join(json.dumps(o) for o in objs) + "\n", encoding="utf-8")
    return p


def test_shipped_eval_files_are_valid(corpus):
    seed = load_jsonl(ROOT / "evals" / "seed.jsonl", corpus)
    assert len(seed) >= 20 and sum(not i.answerable for i in seed) >= 4
    convs = load_jsonl(ROOT / "evals" / "conversations.jsonl", corpus)
    assert len({i.conversation for i in convs}) >= 5
    assert all(2 <= sum(j.conversation == i.conversation for j in convs) <= 3 for i in convs)


def test_evidence_resolves_to_report_and_offsets(tmp_path, corpus):
    [item] = load_jsonl(write(tmp_path, {"q": "Who?", "answers": [["Nujaba"]], "evidence": [NUJABA], "kind": "list"}),
                        corpus)
    [[span]] = item.gold
    text = SEED.read_text(encoding="utf-8")
    assert text[span.start:span.end] == NUJABA and span.report_id == corpus.articles[0].id


@pytest.mark.parametrize("obj, message", [
    ({"q": "Who?", "answers": [["x"]], "evidence": [NUJABA], "kind": "gossip"}, "line 2: unknown kind 'gossip'"),
    ({"q": "Who?", "answers": [["x"]], "evidence": ["not in the report at all"], "kind": "who"}, "not found verbatim"),
    ({"q": "Who?", "answers": [["x"]], "evidence": [NUJABA], "kind": "unanswerable"}, "must have empty"),
    ({"q": "Who?", "answers": [], "evidence": [], "kind": "who"}, "needs 'answers' and 'evidence'"),
    ({"q": "Who?", "answers": ["x"], "evidence": [NUJABA], "kind": "who"}, "'answers' must be a list of required"),
    ({"q": "", "answers": [], "evidence": [], "kind": "unanswerable"}, "'q' must be"),
    ({"turns": ["a?", "b?"], "answers": [[["x"]]], "evidence": [[NUJABA], []]}, "one entry per turn"),
])
def test_bad_lines_are_named(tmp_path, corpus, obj, message):
    good = {"q": "Which groups?", "answers": [["Nujaba"]], "evidence": [NUJABA], "kind": "list"}
    path = write(tmp_path, good, obj)
    with pytest.raises(EvalDataError) as e:
        load_jsonl(path, corpus)
    assert f"{path}:2" in str(e.value) and message.replace("line 2: ", "") in str(e.value)


def test_not_json(tmp_path, corpus):
    with pytest.raises(EvalDataError, match=r"e.jsonl:1: not valid JSON"):
        load_jsonl(write(tmp_path, raw="{oops\n"), corpus)


def test_conversation_turns(tmp_path, corpus):
    items = load_jsonl(write(tmp_path, {"id": "c", "turns": ["Which groups fight on?", "Why?"],
                                        "answers": [[["Nujaba"]], []], "evidence": [[NUJABA], []]}), corpus)
    assert [(i.id, i.turn, i.kind, i.answerable) for i in items] == [("c.1", 1, "fact", True),
                                                                      ("c.2", 2, "unanswerable", False)]


@pytest.mark.skipif(not (MULTIHOP / "queries-dev.json").exists(), reason="MultiHop-RAG data not in ../shared")
def test_multihop_loader_maps_facts_to_reports_and_spans():
    items, corpus_path = load_multihop(MULTIHOP, "dev", limit=40)
    assert len(items) == 40 and corpus_path.name == "corpus.json"
    articles = {a.id: a for a in Corpus.read([corpus_path]).articles}
    for item in items:
        if item.kind == "null_query":
            assert not item.answerable and not item.gold
            continue
        assert item.answers and len(item.answers[0]) == 1
        for fact, spans in zip(item.evidence, item.gold):
            for s in spans:
                assert articles[s.report_id].text[s.start:s.end] == fact
    queries = json.loads((MULTIHOP / "queries-dev.json").read_text())
    first = next(i for i in items if i.gold)
    q = next(q for q in queries if str(q["id"]) == first.id)
    assert first.gold[0][0].report_id == report_id(q["evidence_list"][0]["url"])
    with pytest.raises(EvalDataError, match="unknown MultiHop-RAG split"):
        load_multihop(MULTIHOP, "test")
