"""Run eval questions through the public ``Assistant`` API and score each one.

``run`` scores items against an open assistant; ``evaluate`` also prepares the index (incremental ingest) and is
what ``report-assistant eval`` calls.
"""
from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

from assistant import Answer, Assistant, AssistantError, Passage

from . import metrics
from .calibration import (REFUSED_TARGET, WRONGLY_REFUSED_TARGET, best_threshold, refusal_calibration,
                          threshold_grid)
from .datasets import Corpus, EvalDataError, EvalItem, load_jsonl, load_multihop

RETRIEVAL_K = 10
DEFAULT_MULTIHOP_DATA = "../shared/data/multihop-rag"
DEFAULT_MULTIHOP_INDEX = ".cache/multihop-index"


@dataclass
class EvalRun:
    """Everything one run produced: per-question records, figures overall and per kind, the refusal curve."""

    name: str
    records: list[dict[str, Any]]
    summary: dict[str, dict[str, Any]]
    curve: dict[str, list[float]]
    meta: dict[str, Any] = field(default_factory=dict)
    calibration: dict[str, Any] | None = None  # see ``threshold_calibration``; None without both kinds of question
    intervals: dict[str, dict[str, Any]] = field(default_factory=dict)  # 95% bootstrap intervals, as ``summary``
    targets: dict[str, dict[str, Any]] = field(default_factory=dict)  # ``metrics.target_chances`` of all questions

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "meta": self.meta, "summary": self.summary, "intervals": self.intervals, "targets": self.targets,
                "refusal_curve": self.curve, "refusal_calibration": self.calibration, "questions": self.records}


class _AskEachTurn:
    """Fallback used when ``Assistant.chat()`` does not exist: each turn is asked on its own, without context."""

    def __init__(self, assistant: Assistant):
        self.assistant = assistant

    def ask(self, question: str, filters: Any = None) -> Answer:
        return self.assistant.ask(question, filters=filters)


def conversation_mode(assistant: Assistant) -> str:
    return "Assistant.chat()" if callable(getattr(assistant, "chat", None)) else \
        "fallback: Assistant.ask() per turn, no conversation context (Assistant.chat() is missing)"


def run(assistant: Assistant, items: Sequence[EvalItem], *, name: str = "eval", progress: bool = True) -> EvalRun:
    """Ask every item (conversation turns in order, one conversation per ``item.conversation``) and score it."""
    from tqdm import tqdm

    texts: dict[str, str | None] = {}

    def report_text(rid: str) -> str | None:
        if rid not in texts:
            art = assistant.report(rid)
            texts[rid] = art.text if art else None
        return texts[rid]

    use_chat = callable(getattr(assistant, "chat", None))
    if callable(getattr(assistant, "hold_in_memory", None)):
        # every question searched alike: the exact in-memory dense search and Chroma's approximate one can differ
        # by a chunk, and the copies would otherwise be read in the background while the first questions run
        assistant.hold_in_memory()
    sessions: dict[str, Any] = {}
    records = []
    t0 = time.perf_counter()
    for item in tqdm(items, desc=name, unit="q", disable=not progress):
        session = None
        if item.conversation is not None:
            session = sessions.get(item.conversation)
            if session is None:
                session = sessions[item.conversation] = assistant.chat() if use_chat else _AskEachTurn(assistant)
        records.append(score_item(assistant, item, report_text, session))
    wall = time.perf_counter() - t0
    scores = [r["scores"] for r in records]
    in_use = assistant.settings.answering.min_support
    curve = metrics.refusal_curve([(s["confidence"], s["refused"], s["answer_correct"] if s["answerable"] else None)
                                   for s in scores], in_use=in_use)
    meta = {"questions": len(records), "run_seconds": round(wall, 2),
            "conversation_mode": conversation_mode(assistant) if sessions else None,
            "index": assistant.stats(), "retrieval_k": RETRIEVAL_K}
    summary = metrics.summarize_by(scores)
    if sessions:  # conversations: also per turn position, since follow-ups are what they test
        summary.update({f"turn {t}": g for t, g in metrics.summarize_by(
            [{**s, "turn": r["turn"]} for r, s in zip(records, scores) if r["turn"]], "turn").items() if t != "overall"})
    return EvalRun(name=name, records=records, summary=summary, curve=curve, meta=meta,
                   calibration=threshold_calibration(scores, in_use), intervals=metrics.intervals_by(scores),
                   targets=metrics.target_chances(scores))


def threshold_calibration(scores: Sequence[dict[str, Any]], in_use: float) -> dict[str, Any] | None:
    """The refusal threshold in use and the best one on this run, each with its chance of meeting both refusal
    targets on a new set of questions of this size (``calibration.refusal_calibration``); None unless the run has
    answerable and unanswerable questions."""
    def conf(s: dict[str, Any]) -> float:
        return metrics.threshold_confidence(s["confidence"], s["refused"], in_use)

    ans = [conf(s) for s in scores if s["answerable"]]
    una = [conf(s) for s in scores if not s["answerable"]]
    if not ans or not una:
        return None
    rows = refusal_calibration(ans, una, thresholds=threshold_grid(in_use))
    used = next(r for r in rows if r.threshold == round(in_use, 4))
    best = best_threshold(rows)
    return {"in_use": vars(used), "best": vars(best) if best else None, "rows": [vars(r) for r in rows],
            "targets": {"unanswerable_refused": REFUSED_TARGET, "answerable_refused_below": WRONGLY_REFUSED_TARGET}}


def score_item(assistant: Assistant, item: EvalItem, report_text: Callable[[str], str | None],
               session: Any = None) -> dict[str, Any]:
    """Ask one question (through ``session.ask`` for a conversation turn) and compute its scores."""
    error = None
    t0 = time.perf_counter()
    try:
        answer = session.ask(item.question) if session is not None else assistant.ask(item.question)
    except AssistantError as e:
        error = f"{type(e).__name__}: {e}"
        answer = Answer(question=item.question, text="", refused=True)
    latency = (time.perf_counter() - t0) * 1e3
    search_ms = None
    if session is not None:  # the passages the conversation actually read (its question may be rewritten)
        passages: list[Passage] = answer.passages[:RETRIEVAL_K]
    else:
        t1 = time.perf_counter()
        try:
            passages = assistant.search(item.question, top_k=RETRIEVAL_K)
        except AssistantError:
            passages = []
        search_ms = (time.perf_counter() - t1) * 1e3
    s: dict[str, Any] = {"kind": item.kind, "answerable": item.answerable, "refused": bool(answer.refused),
                         "confidence": float(answer.confidence or 0.0), "latency_ms": latency, "search_ms": search_ms}
    if item.answerable and item.evidence:
        s.update(metrics.upstream_retrieval([p.text for p in passages], item.evidence))
        s.update(metrics.report_recall([p.report_id for p in passages], item.evidence_reports, RETRIEVAL_K))
    cited = [metrics.Span(c.report_id, c.start, c.end) for c in answer.citations]
    if item.gold:
        cs = metrics.citation_scores(cited, item.gold)
        s.update(citation_precision=cs["precision"], citation_recall=cs["recall"], citation_f1=cs["f1"])
    intact = metrics.citation_integrity([(c.report_id, c.start, c.end, c.quote) for c in answer.citations], report_text)
    s.update(citations=len(cited), citations_intact=round((intact or 0.0) * len(cited)), citation_integrity=intact)
    if item.answerable:
        share, correct = metrics.answer_score(item.answers, "" if answer.refused else answer.text)
        s.update(answer_items=share, answer_correct=correct)
    else:
        s.update(answer_items=None, answer_correct=None)
    return {
        "id": item.id, "kind": item.kind, "question": item.question, "conversation": item.conversation,
        "turn": item.turn or None, "gold_answers": item.answers, "evidence": item.evidence,
        "evidence_reports": item.evidence_reports, "error": error,
        "answer": {"text": answer.text, "refused": answer.refused, "confidence": answer.confidence,
                   "citations": [c.to_dict() for c in answer.citations], "timings": answer.timings},
        "retrieved": [{"chunk_id": p.chunk_id, "report_id": p.report_id, "start": p.start, "end": p.end,
                       "score": p.score} for p in passages],
        "scores": s,
    }


# ------------------------------------------------------------------------------------------------ whole runs


def evaluate(target: str | Path, *, assistant: Assistant | None = None, corpus: Sequence[str | Path] = ("corpus",),
             data: str | Path = DEFAULT_MULTIHOP_DATA, split: str = "dev", limit: int | None = None,
             index: str | Path | None = None, progress: bool = True) -> EvalRun:
    """Load ``target`` (a JSONL eval file, or ``"multihop"``), ingest what it needs, run and score it.

    JSONL: ``corpus`` is ingested into ``index`` (default: the configured data dir). MultiHop-RAG: ``data``'s
    ``corpus.json`` is ingested into ``index`` (default ``.cache/multihop-index``). Ingest is incremental, so a
    second run reuses the index. Pass ``assistant`` to use an already open one (its index is used as is, plus
    the incremental ingest).
    """
    started = dt.datetime.now().isoformat(timespec="seconds")
    t0 = time.perf_counter()
    if str(target) == "multihop":
        items, corpus_path = load_multihop(data, split, limit)
        inputs, name = [corpus_path], f"multihop-{split}"
        index = index or DEFAULT_MULTIHOP_INDEX
    else:
        path = Path(target)
        if not path.is_file():
            raise EvalDataError(f"eval file {path} does not exist: pass a JSONL eval file or 'multihop'")
        inputs, name = [Path(c) for c in corpus], path.stem
        items = load_jsonl(path, Corpus.read(inputs))
    if limit is not None:
        items = items[:limit]
    if assistant is None:
        assistant = Assistant.open({"data_dir": str(index)} if index else None)
    ingest = assistant.ingest(inputs, progress=progress)
    if ingest.failed:
        raise EvalDataError("cannot ingest the eval corpus: " + "; ".join(f"{f.path}: {f.reason}" for f in ingest.failed))
    result = run(assistant, items, name=name, progress=progress)
    result.meta.update(target=str(target), split=split if str(target) == "multihop" else None, limit=limit,
                       corpus=[str(p) for p in inputs], started=started, ingest=ingest.summary(),
                       wall_seconds=round(time.perf_counter() - t0, 2))
    return result
