"""The core promise on tiny in-repo corpora: ingest, cited answers, refusals, incremental ingest, filters."""
import shutil

import pytest

from assistant import Filters, InputError
from assistant.reading import report_id
from conftest import MINI, NUJABA, SEED, assert_citations_hold

SEED_ID = report_id(str(SEED.resolve()))
PORT_ID = report_id("https://example.org/harbor/port-alder-strike")


def test_seed_question_cites_the_nujaba_sentence(seed_assistant):
    ans = seed_assistant.ask("Which groups did not suspend attacks?")
    assert not ans.refused
    assert "Harakat Hezbollah Al Nujaba" in ans.text and "Kataib Sayyid Al Shuhada" in ans.text
    quotes = {(c.report_id, c.quote) for c in ans.citations}
    assert (SEED_ID, NUJABA) in quotes
    nujaba = next(c for c in ans.citations if c.quote == NUJABA)
    assert f"[{nujaba.n}]" in ans.text
    assert nujaba.title.startswith("Revealed: Iranian commander") and nujaba.published.isoformat() == "2024-02-01"
    assert_citations_hold(seed_assistant, ans)


def test_unanswerable_question_is_refused_with_closest_passages(seed_assistant):
    ans = seed_assistant.ask("How much money does Iran give Kataib Hezbollah each year?")
    assert ans.refused is True
    assert ans.citations == [] and ans.passages
    assert "do not contain" in ans.text


# The refusal threshold's margin here is small: the commander's sentences score 0.330 (0.332-0.334 with the 8-bit
# encoder, which differed by CPU) against min_support 0.3475, calibrated on MultiHop dev (README, Quality).
# Until the 2026-11-27 session the threshold was 0.33 and this was a strict xfail.
def test_near_miss_question_is_refused(seed_assistant):
    ans = seed_assistant.ask("What is the name of the Iranian commander's wife?")
    assert ans.refused is True


@pytest.mark.parametrize("question, expected, report", [
    ("How long did the dockworkers strike last?", "eleven-day strike", PORT_ID),
    ("How much will wages rise under the dockworkers' deal?", "9 percent", PORT_ID),
    ("How many homes will the solar farm power?", "9,000 homes", report_id("https://example.org/valley/solar-farm")),
    ("Who did the US blame for the attack on the Tower 22 base?", "Islamic Resistance in Iraq", SEED_ID),
])
def test_fact_questions_quote_the_right_report(seed_assistant, question, expected, report):
    ans = seed_assistant.ask(question)
    assert not ans.refused
    assert expected in ans.text
    assert any(c.report_id == report and expected in c.quote for c in ans.citations)
    assert_citations_hold(seed_assistant, ans)


def test_search_returns_stored_chunks_with_metadata_and_filters(seed_assistant):
    hits = seed_assistant.search("Kataib Hezbollah suspension", top_k=5)
    assert hits and hits[0].report_id == SEED_ID
    for p in hits:
        text = seed_assistant.report(p.report_id).text
        assert text[p.start:p.end] == p.text
    only_valley = seed_assistant.search("road closed by flooding", filters={"sources": ["valley times"]})
    assert only_valley and {p.source for p in only_valley} == {"Valley Times"}
    dated = seed_assistant.search("council vote", filters=Filters(after=__import__("datetime").date(2024, 1, 1)))
    assert all(p.published and p.published.isoformat() >= "2024-01-01" for p in dated)
    assert report_id("https://example.org/valley/solar-farm") not in {p.report_id for p in dated}


@pytest.mark.parametrize("question, filters, message", [
    ("", None, "empty"),
    ("   \n ", None, "empty"),
    ("x" * 10_000, None, "limit is 2,000"),
    ("Who?", {"after": "2024-02-01", "before": "2024-01-01"}, "after 2024-02-01 is later than before"),
    ("Who?", {"sources": ["No Such Paper"]}, "unknown source 'No Such Paper'"),
    ("Who?", {"after": "last tuesday"}, "use YYYY-MM-DD"),
])
def test_bad_questions_and_filters_raise_clear_errors(seed_assistant, question, filters, message):
    with pytest.raises(InputError, match=message):
        seed_assistant.ask(question, filters=filters)


def test_reingest_is_incremental_and_edits_reembed_one_report(make_assistant, tmp_path):
    folder = tmp_path / "reports"
    shutil.copytree(MINI, folder)
    shutil.copy(SEED, folder / SEED.name)
    a = make_assistant()
    first = a.ingest([folder], progress=False)
    assert len(first.added) == 4 and not first.failed
    again = a.ingest([folder], progress=False)
    assert again.added == again.updated == [] and len(again.unchanged) == 4 and again.chunks_embedded == 0
    md = folder / "port-strike.md"
    md.write_text(md.read_text().replace("eleven-day strike", "twelve-day strike"))
    edited = a.ingest([folder], progress=False)
    assert edited.updated == [PORT_ID] and edited.added == [] and len(edited.unchanged) == 3
    assert 0 < edited.chunks_embedded <= 2
    assert "twelve-day" in a.ask("How long did the dockworkers strike last?").text
    stats = a.stats()
    assert stats["chunks"] == stats["vectors"] == stats["chunks_with_sentence_vectors"]


def test_sync_removes_reports_not_among_inputs(make_assistant, tmp_path):
    a = make_assistant()
    a.ingest([MINI, SEED], progress=False)
    assert a.stats()["reports"] == 4
    rep = a.ingest([SEED], sync=True, progress=False)
    assert len(rep.removed) == 3 and rep.unchanged == [SEED_ID]
    assert [r.id for r in a.reports()] == [SEED_ID]
    assert a.stats()["vectors"] == a.stats()["chunks"] == a.stats()["chunks_with_sentence_vectors"]


def test_bad_files_are_reported_and_good_ones_ingested(make_assistant, tmp_path):
    folder = tmp_path / "mixed"
    folder.mkdir()
    shutil.copy(SEED, folder / "good.txt")
    (folder / "empty.txt").write_text("")
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 40)
    (folder / "broken.json").write_text('[{"title": "x", "body": "y"')
    rep = make_assistant().ingest([folder], progress=False)
    assert len(rep.added) == 1
    reasons = {f.path.split("/")[-1]: f.reason for f in rep.failed}
    assert set(reasons) == {"empty.txt", "binary.txt", "broken.json"}
    assert "empty" in reasons["empty.txt"] and "binary" in reasons["binary.txt"]
    assert "JSON" in reasons["broken.json"] or "json" in reasons["broken.json"]


def test_duplicate_text_under_two_names_is_stored_once(make_assistant, tmp_path):
    folder = tmp_path / "dup"
    folder.mkdir()
    shutil.copy(SEED, folder / "a.txt")
    shutil.copy(SEED, folder / "b.txt")
    rep = make_assistant().ingest([folder], progress=False)
    assert len(rep.added) == 1
    assert len(rep.failed) == 1 and "duplicate" in rep.failed[0].reason


def test_ingest_report_lists_missing_input(make_assistant, tmp_path):
    rep = make_assistant().ingest([tmp_path / "nope"], progress=False)
    assert rep.added == [] and len(rep.failed) == 1 and "no such file" in rep.failed[0].reason


@pytest.mark.parametrize("top_k", [0, -1, 2.5, True])
def test_ask_and_search_reject_a_bad_top_k(seed_assistant, top_k):
    with pytest.raises(InputError, match="top_k must be a whole number"):
        seed_assistant.ask("Who is Barbara Leaf?", top_k=top_k)
    with pytest.raises(InputError, match="top_k must be a whole number"):
        seed_assistant.search("Who is Barbara Leaf?", top_k=top_k)


def test_store_answers_several_vectors_in_one_call_as_it_answers_each(seed_assistant):
    store, emb = seed_assistant.store, seed_assistant.embedder
    vectors = emb.embed_batch(["Kataib Hezbollah suspension", "drone attack on Tower 22", "Iranian commander"])
    many = store.query_many(vectors, 5)
    assert many == [store.query(v, 5) for v in vectors]
    assert all(len(r) == 5 and r[0][1] >= r[-1][1] and -1.0 <= r[-1][1] <= 1.0 for r in many)
    assert store.query_many(vectors[:1], 50, Filters(sources=("no such publisher",))) == [[]]
    top = many[0][0][0]
    source = seed_assistant.catalog.chunk_rows([top])[top][4]
    filtered = store.query_many(vectors[:1], 3, Filters(sources=(source,)))[0]
    assert filtered[0] == many[0][0]
    rows = seed_assistant.catalog.chunk_rows([cid for cid, _ in filtered])
    assert {rows[cid][4] for cid, _ in filtered} == {source}
