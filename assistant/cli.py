"""``report-assistant``: a thin command line over the public API (parse, call, render, map errors to exit codes).

Exit codes: 0 an answer or a refusal, 2 bad usage, 1 any other error (with a message naming the cause).
"""
from __future__ import annotations

import argparse
import json
import sqlite3
import sys
from typing import TYPE_CHECKING

from . import _offline  # noqa: F401

if TYPE_CHECKING:  # the import itself stays lazy: it loads the models' libraries
    from .core import Assistant


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="report-assistant", description="Ask questions of a folder of news reports, with cited sentences.")
    sub = p.add_subparsers(dest="command", required=True)

    ing = sub.add_parser("ingest", help="add or update reports from files and folders")
    ing.add_argument("inputs", nargs="+", help="files or folders (.txt .md .html .pdf .json .jsonl)")
    ing.add_argument("--sync", action="store_true", help="also remove stored reports that are not among the inputs")
    ing.add_argument("--rebuild", action="store_true", help="drop the whole index first and ingest the inputs afresh")
    ing.add_argument("--json", action="store_true", help="print the ingest report as JSON")
    ing.add_argument("--quiet", action="store_true", help="no progress bars")

    for name, helptext in (("ask", "answer a question with cited sentences"), ("search", "show the passages retrieval finds")):
        q = sub.add_parser(name, help=helptext)
        q.add_argument("question")
        q.add_argument("--json", action="store_true", help="print JSON")
        q.add_argument("--top-k", type=int, default=None, help="passages to retrieve")
        _filter_options(q)

    ch = sub.add_parser("chat", help="a conversation in the terminal: follow-ups use earlier turns (/sources, /reset)")
    _filter_options(ch)

    st = sub.add_parser("stats", help="what the index holds")
    st.add_argument("--json", action="store_true")

    ev = sub.add_parser("eval", help="score retrieval, citations, answers and refusals on an eval set")
    ev.add_argument("target", help="a JSONL eval file (e.g. evals/seed.jsonl), or 'multihop' for MultiHop-RAG")
    ev.add_argument("--out", required=True, help="folder for report.json, report.md and report.html")
    ev.add_argument("--corpus", action="append", default=None, help="reports a JSONL file refers to (repeatable; default corpus/)")
    ev.add_argument("--data", default="../shared/data/multihop-rag", help="the MultiHop-RAG folder (corpus.json, queries-SPLIT.json)")
    ev.add_argument("--split", default="dev", help="MultiHop-RAG split (dev)")
    ev.add_argument("--limit", type=int, default=None, help="only the first N questions (quick runs)")
    ev.add_argument("--index", default=None, help="data dir of the index to use (default: the configured one; "
                                                  "for multihop .cache/multihop-index)")
    ev.add_argument("--quiet", action="store_true", help="no progress bars")
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from .errors import AssistantError

    out = sys.stdout
    if args.command in ("ask", "search") and not args.json:
        sys.stdout = _Inert(out)  # report text may hold terminal escapes: print them as visible marks, never run them
    try:
        return _run(args)
    except AssistantError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except sqlite3.DatabaseError as exc:  # damage the catalog's open-time check could not see
        print(f"error: the catalog is damaged ({exc}); run `report-assistant ingest --rebuild <inputs>` to rebuild it",
              file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    finally:
        sys.stdout = out


class _Inert:
    """A stdout that shows control characters (ESC, BEL, C1, ...; not tab or newline) as U+FFFD."""

    _CONTROL = dict.fromkeys([*range(0x00, 0x09), 0x0B, 0x0C, 0x0D, *range(0x0E, 0x20), *range(0x7F, 0xA0)], "\ufffd")

    def __init__(self, stream):
        self._stream = stream

    def write(self, text: str) -> int:
        return self._stream.write(text.translate(self._CONTROL))

    def __getattr__(self, name):
        return getattr(self._stream, name)


def _run(args: argparse.Namespace) -> int:
    from .core import Assistant
    from .errors import IndexUnavailable

    if args.command == "eval":
        return _eval(args)
    if args.command == "chat":
        from .chat_cli import run

        return run(_filters(args))
    if args.command in ("ask", "search") and args.top_k is not None and args.top_k < 1:
        print("error: --top-k must be at least 1", file=sys.stderr)
        return 2
    # one command, then exit: no copy of the keyword index in memory, which a background read would build (about
    # 1 s of CPU on 8,000 chunks, shared with the question's own work) for searches that never come
    one_shot = {"retrieval": {"keyword_memory_chunks": 0}}
    try:
        a = Assistant.open(one_shot)
    except IndexUnavailable:
        if not (args.command == "ingest" and args.rebuild):
            raise
        for gone in Assistant.drop_damaged_index():  # the index cannot even be opened: drop the damaged part, rebuild
            print(f"deleted the damaged {gone}", file=sys.stderr)
        a = Assistant.open(one_shot)
    if args.command == "ingest":
        rep = a.ingest(args.inputs, sync=args.sync, rebuild=args.rebuild, progress=not args.quiet)
        if args.json:
            print(json.dumps(rep.to_dict(), indent=2))
        else:
            print(rep.summary())
            for f in rep.failed:
                print(f"  failed: {f.path}: {f.reason}")
        return 0
    if args.command == "stats":
        s = a.stats()
        print(json.dumps(s, indent=2) if args.json else "\n".join(f"{k}: {v}" for k, v in s.items()))
        return 0
    filters = _filters(args)
    warn_if_outdated(a)
    if args.command == "search":
        passages = a.search(args.question, top_k=args.top_k, filters=filters)
        if args.json:
            print(json.dumps([p.to_dict() for p in passages], indent=2, ensure_ascii=False))
        else:
            for i, p in enumerate(passages, 1):
                print(f"{i}. [{p.score:.3f}] {p.title} ({p.source}, {p.published or 'undated'}) {p.chunk_id}")
                print("   " + " ".join(p.text.split())[:300])
        return 0
    ans = a.ask(args.question, filters=filters, top_k=args.top_k)
    if args.json:
        print(json.dumps(ans.to_dict(), indent=2, ensure_ascii=False))
        return 0
    print(ans.text)
    shown = ans.citations if not ans.refused else []
    if shown:
        print("\nSources:")
        for c in shown:
            print(f"[{c.n}] {c.title} ({c.source or 'unknown source'}, {c.published or 'undated'}) chars {c.start}-{c.end} {c.url}")
    elif ans.refused and ans.passages:
        print("\nClosest passages:")
        for p in ans.passages[:3]:
            print(f"- {p.title} ({p.source}, {p.published or 'undated'}): " + " ".join(p.text.split())[:200])
    return 0


def warn_if_outdated(a: Assistant) -> None:
    """A note on stderr when the index was embedded or chunked with other settings (``Assistant.index_current``)."""
    if not a.index_current():
        print(f"note: the reports in {a.settings.data_dir} were embedded or chunked with other settings than the current "
              f"ones (embedder now {a.embedder.name}, e.g. after an upgrade); run `report-assistant ingest` on the same "
              "reports to re-embed them; until then passages may rank a little differently", file=sys.stderr)


def _eval(args: argparse.Namespace) -> int:
    from .evaluation import calibration_line, evaluate, write_reports

    if args.limit is not None and args.limit < 1:
        print("error: --limit must be at least 1", file=sys.stderr)
        return 2
    run = evaluate(args.target, corpus=args.corpus or ["corpus"], data=args.data, split=args.split, limit=args.limit,
                   index=args.index, progress=not args.quiet)
    paths = write_reports(run, args.out)
    o = run.summary["overall"]
    shown = ("hits@10", "mrr@10", "citation_precision", "citation_recall", "citation_integrity", "answer_correct",
             "unanswerable_refused", "answerable_refused", "latency_p50_ms", "latency_p95_ms")
    print(f"{run.name}: {o['questions']} questions in {run.meta['wall_seconds']} s")
    sure = run.intervals.get("overall", {})

    def figure(k: str) -> str:
        if not isinstance(o.get(k), float):
            return f"{k} -"
        iv = sure.get(k)
        return f"{k} {o[k]:.3f}" + (f" ({iv[0]:.3f}-{iv[1]:.3f})" if iv else "")

    print("  " + ", ".join(figure(k) for k in shown))
    print("  (in brackets: 95% bootstrap intervals over the questions; report.md has them for every figure)")
    if run.targets:
        print("  chance of meeting each target on another set like this: "
              + ", ".join(f"{k} {t['target']}: {t['chance']:.2f}" for k, t in run.targets.items()))
    calibration = calibration_line(run)
    if calibration:
        print("  " + calibration)
    print("  wrote " + ", ".join(str(p) for p in paths.values()))
    return 0


def _filter_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--source", action="append", default=[], help="only this source (repeatable)")
    parser.add_argument("--author", action="append", default=[], help="only reports by this author field as stored (repeatable)")
    parser.add_argument("--after", default=None, help="only reports published on or after YYYY-MM-DD")
    parser.add_argument("--before", default=None, help="only reports published on or before YYYY-MM-DD")


def _filters(args: argparse.Namespace) -> dict:
    return {"sources": args.source, "authors": args.author, "after": args.after, "before": args.before}


if __name__ == "__main__":
    sys.exit(main())
