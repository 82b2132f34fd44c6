"""A question's parts choose their sentences together, each from a different report, so an earlier part does not
take the only report a later part fits. Real index (embedded Chroma, the packaged embedder)."""
import itertools
import random

from conftest import write_reports

from assistant.assignment import assign

REPORTS = [  # the fares sentence is in the strike report only; the strike is told by a second report too
    ("ends.md", "Ferry strike ends",
     "The ferry strike ended on Monday after the crews accepted the pay offer. "
     "Ferry fares will rise by ten percent in the spring to pay for the new contract."),
    ("back.md", "Crews back at work",
     "Ferry crews returned to work on Tuesday, a day after their strike ended with a new pay deal."),
    ("market.md", "Fish market reopens",
     "The old fish market on the quay reopened on Saturday after a year of repairs to its roof."),
]
QUESTION = ("Does the Harbour Times report that the ferry strike ended after the crews accepted the pay offer, while "
            "another Harbour Times report says that ferry fares will rise by ten percent in the spring?")


def test_assign_fills_every_slot_it_can_then_maximises_the_total():
    assert assign([{"a": 1.0, "b": 0.9}, {"a": 0.95}]) == ["b", "a"]  # in order, the first slot would take "a"
    assert assign([{"a": 1.0, "b": 0.2}, {"a": 0.9, "b": 0.8}]) == ["a", "b"]  # 1.8 beats 1.1
    assert assign([{"a": 0.1, "b": 0.2}, {"a": 0.9, "b": 0.1}]) == ["b", "a"]
    assert assign([{"a": 1.0}, {"a": 0.5}, {}]) == ["a", None, None]  # one option for two slots; nothing for one
    assert assign([]) == [] and assign([{}]) == [None]


def test_assign_matches_trying_every_choice():
    def value(slots, choice):
        taken = [c for c in choice if c is not None]
        ok = len(taken) == len(set(taken)) and all(c is None or c in s for s, c in zip(slots, choice))
        return (len(taken), round(sum(s[c] for s, c in zip(slots, choice) if c is not None), 9)) if ok else None

    r = random.Random(7)
    for _ in range(1500):
        slots = [{k: r.random() for k in "abcdef"[: r.randint(0, 6)] if r.random() < 0.6} for _ in range(r.randint(0, 5))]
        every = [value(slots, c) for c in itertools.product(*[[None, *s] for s in slots])]
        assert value(slots, assign(slots)) == max(v for v in every if v is not None)


def test_each_part_gets_the_report_it_fits_when_chosen_together(make_assistant, tmp_path):
    folder = write_reports(tmp_path / "reports", REPORTS, source="Harbour Times")
    on = make_assistant(tmp_path / "index")
    on.ingest([folder], progress=False)
    off = make_assistant(tmp_path / "index", answering={"joint_parts": False})
    for a in (on, off):  # both search the in-memory vectors: Chroma's scores differ in the sixth decimal
        assert a.hold_in_memory() == {"keyword": True, "dense": True}
    assert [p.text.startswith("while another") for p in on.retriever.analyse(QUESTION).parts] == [False, True]

    together = on.ask(QUESTION)
    assert not together.refused
    assert [(c.title, c.quote.split()[:2]) for c in together.citations] == [
        ("Crews back at work", ["Ferry", "crews"]),  # the strike part yields the strike report to the fares part
        ("Ferry strike ends", ["Ferry", "fares"]),
    ]
    in_order = off.ask(QUESTION)  # part by part: the strike part takes the strike report, fares get no fares sentence
    assert in_order.citations[0].quote.startswith("The ferry strike ended")
    assert not any("fares" in c.quote for c in in_order.citations)
    assert together.confidence == in_order.confidence  # the choice of sentences, not the refusal score
