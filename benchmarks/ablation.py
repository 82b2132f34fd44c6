"""Ablation on MultiHop-RAG dev: the shipped mechanism set, then each mechanism turned off in turn (issue 4).

    .venv/bin/python benchmarks/ablation.py [--index .cache/multihop-index] [--limit N] [--only NAME ...]

Every variant runs on the same index with the same embedder (only retrieval/answering settings differ), through
the evaluation harness (``assistant.evaluation.run``). Prints a table and writes benchmarks/results/ablation.json.
"""
from __future__ import annotations

import argparse
import json
import time

from _common import RESULTS, ROOT, require, MULTIHOP

VARIANTS: dict[str, dict] = {
    "shipped": {},
    "keyword only (dense weight 0)": {"retrieval": {"dense_weight": 0.0}},
    "dense only (dense weight 1)": {"retrieval": {"dense_weight": 1.0}},
    "no publisher sub-queries": {"retrieval": {"source_facets": False}},
    "no date boost": {"retrieval": {"date_boost": 0.0}},
    "no report diversity": {"retrieval": {"report_decay": 1.0}},
    "diversity from the first passage (no 3-passage lead)": {"retrieval": {"diversity_after": 0}},
    "no candidate re-scoring (all boosts off, decay 0.7 as before)": {"retrieval": {"rerank_depth": 0, "report_decay": 0.7}},
    "no best-sentence boost": {"retrieval": {"sentence_boost": 0.0}},
    "no local term weighting in re-scoring (best-sentence boost 0.6 as before)": {"retrieval": {"local_term_boost": 0.0, "sentence_boost": 0.6}},
    "no local term weighting when citing": {"answering": {"local_term_weight": 0.0}},
    "no named-publisher boost": {"retrieval": {"named_source_boost": 0.0}},
    "no question parts (neither retrieval nor citation)": {"retrieval": {"part_queries": "off"}, "answering": {"part_selection": False}},
    "part sub-queries by keyword only (no part vector)": {"retrieval": {"part_queries": "keyword"}},
    "no per-part citation choice": {"answering": {"part_selection": False}},
    "part citations scored half by the part, half terms and half MiniLM (before the 2026-11-27 morning session)": {"answering": {"part_share": 0.5, "part_dense_share": 0.5}},
    "bridge hop keeps the first 6 passages in place and pushes down what follows (before the 2026-11-27 late-morning session)": {"retrieval": {"bridge_keep": 6, "bridge_repeats_first": False}},
    "bridge hop pushes down what follows the kept passages (no repeats first; keep 4)": {"retrieval": {"bridge_repeats_first": False}},
    "parts choose their sentences one by one in question order (before the 2026-11-27 late-morning session)": {"answering": {"joint_parts": False}},
    "no person line for 'Who ...?' questions (before the 2026-11-27 afternoon session)": {"answering": {"person_line": False}},
    "bridge hop with the name most reports share, not the person's surname (before the 2026-11-27 afternoon session)": {"retrieval": {"bridge_person": False}},
    "publishers only as stored, not as people write them ('CNBC', 'the NYT'; before the 2026-11-27 evening session)": {"retrieval": {"source_names_as_written": False}},
    "the refusal score counts the publishers' names (before the 2026-11-27 evening session)": {"answering": {"support_without_sources": False}},
    "person line only for the person most reports name, not from the quoted sentences (before the 2026-11-27 evening session)": {"answering": {"person_from_quotes": False}},
    "no per-publisher citation choice (parts off too)": {"answering": {"facet_selection": False, "part_selection": False}},
    "no lead and length priors": {"answering": {"lead_boost": 1.0, "length_prior": 0.0}},
    "no opening-line discount in citing": {"answering": {"opening_factor": 1.0}},
    "no long-sentence discount in citing": {"answering": {"long_prior": 0.0}},
    "no clause sub-queries": {"retrieval": {"clause_queries": False}},
    "clause sub-queries within the publishers a clause names (2026-11-27 morning to 2026-11-27/28 night sessions)": {"retrieval": {"clause_sources": True}},
    "clauses cut at every break (no coordinated pieces kept together; before the 2026-11-27 morning session)": {"retrieval": {"coordinated_clauses": False}},
    "no clause-sentence boost": {"retrieval": {"clause_sentence_boost": 0.0}},
    "no sentence-vector boosts": {"retrieval": {"sentence_dense_boost": 0.0, "clause_dense_boost": 0.0}},
    "no clause sentence-vector boost": {"retrieval": {"clause_dense_boost": 0.0}},
    "answerer without stored sentence vectors (embeds its best sentences at question time)": {"answering": {"stored_sentence_vectors": False}},
    "no bridge hop": {"retrieval": {"bridge_hop": False}},
    "no named-publisher lead": {"retrieval": {"named_source_lead": False}},
    "no exact-day preference (a day either side counts as the day, in citing and in the date boost)": {"retrieval": {"near_date_share": 1.0}, "answering": {"exact_day_first": False}},
    "no exact-day preference in the date boost (a day either side boosted as the day)": {"retrieval": {"near_date_share": 1.0}},
    "no clause parts for citing": {"answering": {"clause_parts": False}},
    "no author facets": {"retrieval": {"author_facets": False}, "answering": {"author_penalty": 1.0}},
    "no day-filtered part sub-queries": {"retrieval": {"part_date_queries": False}},
    "no publication-date ranges": {"retrieval": {"date_ranges": False}},
    "no recency preference": {"retrieval": {"recency_boost": 0.0}, "answering": {"recency_penalty": 0.0}},
    "no unknown-publisher refusal": {"answering": {"refuse_unknown_outlets": False}},
    "no answer-type discount": {"answering": {"answer_type_penalty": 1.0}},
    "no context from the sentence before (before the 2026-11-28 session)": {"answering": {"context_carry": 0.0}},
    "'Who ...?' in one clause accepts a sentence naming no one new (before the 2026-11-28 session)": {"answering": {"who_needs_name": False}},
    "a sentence's 'he' / 'she' does not hold the person's name (before the 2026-11-28 morning session)": {"answering": {"pronoun_names": False}},
    "'What is the name of the <person> ...?' accepts a sentence naming no one (before the 2026-11-28 morning session)": {"answering": {"name_penalty": 1.0}},
    "a question for several people cites the best sentences, whoever they name (before the 2026-11-28 morning session)": {"answering": {"people_lists": False}},
    "'Why ...?' accepts a sentence saying no reason (before the 2026-11-28 morning session)": {"answering": {"why_needs_reason": False}},
    "'What did X say ...?' accepts a sentence X did not say (before the 2026-11-28 morning session)": {"answering": {"speaker_check": False}},
    "'the group' does not hold the organisation's name (before the 2026-11-28 afternoon session)": {"answering": {"organisation_names": False}},
    "'What kind of X ...?' accepts a sentence saying no kind (before the 2026-11-28 afternoon session)": {"answering": {"kind_needs_word": False}},
    "a yes/no question's verb not preferred in citing (before the 2026-11-28 afternoon session)": {"answering": {"verb_penalty": 1.0}},
    "every sentence within 0.85 of the best cited, new words or not (before the 2026-11-28 afternoon session)": {"answering": {"novel_citations": False}},
    "headline lines discounted 0.8, as other lines (before the 2026-11-28 morning session; 0.6 ships)": {"answering": {"headline_factor": 0.8}},
    "no list-question whole reports": {"answering": {"list_reports": 0}},
    "no publication-order line": {"answering": {"date_order": False}},
    "dense search in Chroma's HNSW index (no exact copy in memory)": {"retrieval": {"dense_memory_chunks": 0}},
    "refusal threshold 0.34 (before the 2026-11-27 late-night session; 0.3475 ships)": {"answering": {"min_support": 0.34}},
}
COLUMNS = [("hits@4", "H@4"), ("hits@10", "H@10"), ("mrr@10", "MRR@10"), ("map@10", "MAP@10"),
           ("all_reports@10", "all rep@10"), ("citation_precision", "cit P"), ("citation_recall", "cit R"),
           ("unanswerable_refused", "null refused"), ("answerable_refused", "wrongly refused"),
           ("latency_p50_ms", "p50 ms"), ("latency_p95_ms", "p95 ms"), ("answer_correct", "answer correct")]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--index", default=str(ROOT / ".cache" / "multihop-index"))
    ap.add_argument("--data", default=str(MULTIHOP))
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--only", nargs="*", default=None, help="variant names to run (default: all)")
    args = ap.parse_args()

    from assistant import Assistant
    from assistant.embedding import MiniLMEmbedder
    from assistant.evaluation import load_multihop, run

    items, corpus = load_multihop(require(__import__("pathlib").Path(args.data)), "dev", args.limit)
    base = Assistant.open({"data_dir": args.index})
    rep = base.ingest([corpus], progress=False)
    if rep.chunks_embedded:
        print(f"note: the index was not current; {rep.summary()}")
    embedder: MiniLMEmbedder = base.embedder  # type: ignore[assignment]
    rows = {}
    for name, overrides in VARIANTS.items():
        if args.only and name not in args.only:
            continue
        a = Assistant.open({"data_dir": args.index, **overrides}, embedder=embedder)
        t0 = time.perf_counter()
        result = run(a, items, name=name, progress=False)
        rows[name] = {**result.summary["overall"], "wall_s": round(time.perf_counter() - t0, 1)}
        print(f"{name}: done in {rows[name]['wall_s']} s", flush=True)
    header = "| variant | " + " | ".join(c[1] for c in COLUMNS) + " |"
    print("\n" + header + "\n|" + "---|" * (len(COLUMNS) + 1))
    for name, r in rows.items():
        cells = [f"{r[k]:.3f}" if isinstance(r.get(k), float) and not k.startswith("latency") else
                 (f"{r[k]:.0f}" if r.get(k) is not None else "-") for k, _ in COLUMNS]
        print(f"| {name} | " + " | ".join(cells) + " |")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "ablation.json").write_text(json.dumps({"questions": len(items), "variants": rows}, indent=2))


if __name__ == "__main__":
    main()
