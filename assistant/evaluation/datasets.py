"""Eval data: JSONL question files (validated line by line) and the MultiHop-RAG loader.

Both produce ``EvalItem``s whose gold evidence is resolved to report ids and character spans, using the same
report ids ``Assistant.ingest`` gives (``assistant.reading``).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from assistant import InputError
from assistant.reading import iter_reports
from assistant.types import Article

from .metrics import Span

KINDS = ("fact", "list", "who", "what", "why", "when", "where", "how", "date", "number", "yesno", "unanswerable",
         # MultiHop-RAG's question types
         "comparison_query", "inference_query", "temporal_query", "null_query")
UNANSWERABLE = ("unanswerable", "null_query")
MULTIHOP_SPLITS = ("dev",)


class EvalDataError(InputError):
    """An eval file (or data folder) that cannot be used; the message names the file, the line and the fix."""


@dataclass
class EvalItem:
    """One question to score (a conversation turn is one item too, with ``conversation``/``turn`` set)."""

    id: str
    question: str
    kind: str
    answers: list[list[str]] = field(default_factory=list)   # required items, each a list of alternatives
    evidence: list[str] = field(default_factory=list)        # verbatim gold spans (MultiHop: the facts)
    gold: list[list[Span]] = field(default_factory=list)     # per evidence span, every place it occurs
    conversation: str | None = None
    turn: int = 0
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def answerable(self) -> bool:
        return self.kind not in UNANSWERABLE and bool(self.answers)

    @property
    def evidence_reports(self) -> list[str]:
        return sorted({s.report_id for g in self.gold for s in g})


class Corpus:
    """The reports an eval file refers to, to find where each evidence span sits."""

    def __init__(self, articles: Sequence[Article]):
        self.articles = list(articles)
        self.by_url = {a.url: a for a in self.articles if a.url}

    @classmethod
    def read(cls, inputs: Sequence[str | Path]) -> "Corpus":
        articles = [r for r in iter_reports([str(p) for p in inputs]) if isinstance(r, Article)]
        if not articles:
            raise EvalDataError(f"no readable report in {', '.join(map(str, inputs))}: pass the corpus the eval file "
                                "was written for (--corpus PATH)")
        return cls(articles)

    def locate(self, span: str, articles: Sequence[Article] | None = None) -> list[Span]:
        """Every occurrence of ``span`` in the given reports (all reports by default)."""
        found = []
        for a in self.articles if articles is None else articles:
            i = a.text.find(span)
            while i >= 0:
                found.append(Span(a.id, i, i + len(span)))
                i = a.text.find(span, i + 1)
        return found


# ------------------------------------------------------------------------------------------------ JSONL files


def load_jsonl(path: str | Path, corpus: Corpus) -> list[EvalItem]:
    """Read and validate an eval file; raise ``EvalDataError`` naming the first bad line."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").split("\n")
    except OSError as e:
        raise EvalDataError(f"cannot read eval file {path}: {e.strerror or e}") from None
    items: list[EvalItem] = []
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{path}:{n}"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            raise EvalDataError(f"{where}: not valid JSON ({e.msg}, column {e.colno})") from None
        if not isinstance(obj, dict):
            raise EvalDataError(f"{where}: expected a JSON object, got {type(obj).__name__}")
        items.extend(_conversation(obj, n, where, corpus) if "turns" in obj else [_question(obj, n, where, corpus)])
    if not items:
        raise EvalDataError(f"{path} holds no questions: write one JSON object per line")
    return items


def _question(obj: dict, n: int, where: str, corpus: Corpus) -> EvalItem:
    q = obj.get("q")
    if not isinstance(q, str) or not q.strip():
        raise EvalDataError(f"{where}: 'q' must be a non-empty question string (or use 'turns' for a conversation)")
    kind = obj.get("kind")
    if kind not in KINDS:
        raise EvalDataError(f"{where}: unknown kind {kind!r}; use one of {', '.join(KINDS)}")
    answers, evidence = _answers(obj.get("answers"), where), _evidence(obj.get("evidence"), where)
    item = EvalItem(id=str(obj.get("id", f"L{n}")), question=q.strip(), kind=kind, answers=answers, evidence=evidence,
                    meta={"line": n})
    _check_answerability(item, where)
    item.gold = _resolve(evidence, where, corpus)
    return item


def _conversation(obj: dict, n: int, where: str, corpus: Corpus) -> list[EvalItem]:
    turns = obj.get("turns")
    if not isinstance(turns, list) or not turns or not all(isinstance(t, str) and t.strip() for t in turns):
        raise EvalDataError(f"{where}: 'turns' must be a non-empty list of question strings")
    answers, evidence = obj.get("answers"), obj.get("evidence")
    for key, value in (("answers", answers), ("evidence", evidence)):
        if not isinstance(value, list) or len(value) != len(turns):
            raise EvalDataError(f"{where}: '{key}' must be a list with one entry per turn ({len(turns)} turns)")
    kinds = obj.get("kinds")
    if kinds is not None and (not isinstance(kinds, list) or len(kinds) != len(turns)):
        raise EvalDataError(f"{where}: 'kinds' (optional) must be a list with one kind per turn")
    conv_id = str(obj.get("id", f"L{n}"))
    items = []
    for i, turn in enumerate(turns):
        tw = f"{where} turn {i + 1}"
        a, e = _answers(answers[i], tw), _evidence(evidence[i], tw)
        kind = kinds[i] if kinds else ("unanswerable" if not a else "fact")
        if kind not in KINDS:
            raise EvalDataError(f"{tw}: unknown kind {kind!r}; use one of {', '.join(KINDS)}")
        item = EvalItem(id=f"{conv_id}.{i + 1}", question=turn.strip(), kind=kind, answers=a, evidence=e,
                        conversation=conv_id, turn=i + 1, meta={"line": n})
        _check_answerability(item, tw)
        item.gold = _resolve(e, tw, corpus)
        items.append(item)
    return items


def _answers(value: Any, where: str) -> list[list[str]]:
    ok = isinstance(value, list) and all(
        isinstance(item, list) and item and all(isinstance(a, str) and a.strip() for a in item) for item in value)
    if not ok:
        raise EvalDataError(f"{where}: 'answers' must be a list of required items, each a non-empty list of "
                            'acceptable strings, e.g. [["Baghdad"], ["Kataib Hezbollah", "KH"]] ([] if unanswerable)')
    return [[a.strip() for a in item] for item in value]


def _evidence(value: Any, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(s, str) and s.strip() for s in value):
        raise EvalDataError(f"{where}: 'evidence' must be a list of verbatim spans from a report ([] if unanswerable)")
    return list(value)


def _check_answerability(item: EvalItem, where: str) -> None:
    if item.kind in UNANSWERABLE and (item.answers or item.evidence):
        raise EvalDataError(f"{where}: kind {item.kind!r} must have empty 'answers' and 'evidence'")
    if item.kind not in UNANSWERABLE and not (item.answers and item.evidence):
        raise EvalDataError(f"{where}: an answerable question needs 'answers' and 'evidence' "
                            "(or kind 'unanswerable' with both empty)")


def _resolve(evidence: list[str], where: str, corpus: Corpus) -> list[list[Span]]:
    gold = []
    for span in evidence:
        found = corpus.locate(span)
        if not found:
            raise EvalDataError(f"{where}: evidence span not found verbatim in any report of the corpus: "
                                f"{span[:80]!r}{'...' if len(span) > 80 else ''} (copy it exactly from the report)")
        gold.append(found)
    return gold


# ------------------------------------------------------------------------------------------------ MultiHop-RAG


def load_multihop(data_dir: str | Path, split: str = "dev", limit: int | None = None) -> tuple[list[EvalItem], Path]:
    """MultiHop-RAG questions of a split, with each evidence fact mapped to its report (by url) and span.

    Returns the items and the path of ``corpus.json`` (what to ingest). ``null_query`` questions are the
    unanswerable ones; every other answer becomes one required item ``[[answer]]``.
    """
    data = Path(data_dir)
    if split not in MULTIHOP_SPLITS:
        raise EvalDataError(f"unknown MultiHop-RAG split {split!r}; available here: {', '.join(MULTIHOP_SPLITS)}")
    corpus_path, queries_path = data / "corpus.json", data / f"queries-{split}.json"
    for p in (corpus_path, queries_path):
        if not p.is_file():
            raise EvalDataError(f"{p} is missing: pass the MultiHop-RAG folder with --data (it holds corpus.json and "
                                f"queries-{split}.json)")
    try:
        queries = json.loads(queries_path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as e:
        raise EvalDataError(f"{queries_path}: not valid JSON ({e.msg}, line {e.lineno})") from None
    if limit is not None:
        queries = queries[:limit]
    corpus = Corpus.read([corpus_path])
    items = []
    for i, q in enumerate(queries):
        where = f"{queries_path} query {q.get('id', i)}"
        qtype = q.get("question_type")
        if qtype not in KINDS:
            raise EvalDataError(f"{where}: unknown question_type {qtype!r}")
        facts, gold = [], []
        for ev in q.get("evidence_list") or []:
            art = corpus.by_url.get(" ".join(str(ev.get("url", "")).split()))
            if art is None:
                raise EvalDataError(f"{where}: evidence url {ev.get('url')!r} is not in {corpus_path}")
            fact = ev["fact"]
            spans = corpus.locate(fact, [art])
            if not spans:
                raise EvalDataError(f"{where}: evidence fact not found in its report {art.title!r}: {fact[:80]!r}")
            facts.append(fact)
            gold.append(spans)
        null = qtype == "null_query"
        items.append(EvalItem(id=str(q.get("id", i)), question=q["query"], kind=qtype,
                              answers=[] if null else [[str(q["answer"])]], evidence=facts, gold=gold,
                              meta={"gold_answer": q.get("answer")}))
    return items, corpus_path
