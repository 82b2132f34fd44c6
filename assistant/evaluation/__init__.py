"""Evaluation harness: score retrieval, citations, answers, refusals and latency on eval files or MultiHop-RAG.

    from assistant.evaluation import evaluate, write_reports
    run = evaluate("evals/seed.jsonl", corpus=["corpus"])      # or evaluate("multihop", data=..., split="dev")
    write_reports(run, "reports/seed"); run.summary["overall"]
"""
from .datasets import KINDS, Corpus, EvalDataError, EvalItem, load_jsonl, load_multihop
from .metrics import Span
from .reporting import calibration_line, write_reports
from .runner import EvalRun, evaluate, run

__all__ = ["evaluate", "run", "write_reports", "calibration_line", "EvalRun", "EvalItem", "EvalDataError", "Corpus",
           "load_jsonl", "load_multihop", "Span", "KINDS"]
