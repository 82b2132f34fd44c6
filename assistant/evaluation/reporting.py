"""Write an ``EvalRun`` as report.json (everything), report.md (tables) and report.html (tables + plots).

Plots are matplotlib figures embedded as base64 PNG, so the HTML file stands alone.
"""
from __future__ import annotations

import base64
import html
import io
import json
import math
from pathlib import Path
from typing import Any

from .calibration import NOISE, RESAMPLES
from .metrics import INTERVAL_RESAMPLES
from .runner import EvalRun

# (key, column title, format) of the summary tables, in order.
COLUMNS = [
    ("questions", "n", "d"), ("hits@4", "Hits@4", "f"), ("hits@10", "Hits@10", "f"), ("mrr@10", "MRR@10", "f"),
    ("map@10", "MAP@10", "f"), ("report_recall@10", "report recall@10", "f"), ("all_reports@10", "all reports@10", "f"),
    ("citation_precision", "cit. P", "f"), ("citation_recall", "cit. R", "f"), ("citation_f1", "cit. F1", "f"),
    ("citation_integrity", "cit. integrity", "f"), ("answer_items", "answer items", "f"),
    ("answer_correct", "answer correct", "f"), ("unanswerable_refused", "unanswerable refused", "f"),
    ("answerable_refused", "answerable refused", "f"), ("refusal_accuracy", "refusal acc.", "f"),
    ("latency_p50_ms", "p50 ms", "ms"), ("latency_p95_ms", "p95 ms", "ms"),
]
BAR_METRICS = [("hits@10", "Hits@10"), ("mrr@10", "MRR@10"), ("report_recall@10", "report recall@10"),
               ("citation_precision", "citation P"), ("citation_recall", "citation R"),
               ("answer_correct", "answer correct"), ("refusal_accuracy", "refusal acc.")]


def write_reports(run: EvalRun, out: str | Path) -> dict[str, Path]:
    """Write the three files into ``out`` (created if needed); return their paths."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths = {"json": out / "report.json", "md": out / "report.md", "html": out / "report.html"}
    paths["json"].write_text(json.dumps(_clean(run.to_dict()), indent=1, ensure_ascii=False, default=str) + "\n",
                             encoding="utf-8")
    paths["md"].write_text(to_markdown(run), encoding="utf-8")
    paths["html"].write_text(to_html(run), encoding="utf-8")
    return paths


def _clean(obj: Any) -> Any:
    """NaN -> None, so report.json is strict JSON."""
    if isinstance(obj, float) and math.isnan(obj):
        return None
    if isinstance(obj, dict):
        return {k: _clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_clean(v) for v in obj]
    return obj


def fmt(value: Any, kind: str = "f") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if kind == "d":
        return str(int(value))
    if kind == "ms":
        return f"{value:.0f}"
    return f"{value:.3f}"


def _rows(run: EvalRun) -> list[tuple[str, list[str]]]:
    return [(group, [fmt(fig.get(k), f) for k, _, f in COLUMNS]) for group, fig in run.summary.items()]


INTERVAL_NOTE = (f"95% bootstrap intervals: the questions resampled {INTERVAL_RESAMPLES:,} times; how far each figure "
                 "could move on another set of questions of the same kinds and size")


def _interval_columns(run: EvalRun) -> list[tuple[str, str]]:
    """(key, title) of the summary columns that have an interval in some group."""
    have = {k for group in run.intervals.values() for k, v in group.items() if v}
    return [(k, t) for k, t, _ in COLUMNS if k in have]


def _interval_rows(run: EvalRun) -> list[tuple[str, list[str]]]:
    cols = _interval_columns(run)
    return [(g, [f"{v[0]:.3f}–{v[1]:.3f}" if (v := group.get(k)) else "–" for k, _ in cols])
            for g, group in run.intervals.items()]


TARGETS_NOTE = ("the share of the same resampled sets on which each figure meets the product's quality target "
                "(issue 4): its chance of holding on another set like this one")


def _target_rows(run: EvalRun) -> list[tuple[str, str, str, str]]:
    """(figure, target, value, chance) for each target the run can be scored on."""
    titles = {k: t for k, t, _ in COLUMNS}
    overall = run.summary.get("overall", {})
    return [(titles.get(k, k), str(t["target"]), fmt(overall.get(k)), f"{t['chance']:.2f}")
            for k, t in run.targets.items()]


def _meta_lines(run: EvalRun) -> list[str]:
    m = run.meta
    lines = [f"target: {m.get('target', run.name)}", f"questions: {m.get('questions')}",
             f"wall time: {m.get('wall_seconds', m.get('run_seconds'))} s (questions: {m.get('run_seconds')} s)",
             f"started: {m.get('started', '')}"]
    if m.get("ingest"):
        lines.append(f"ingest: {m['ingest']}")
    idx = m.get("index") or {}
    if idx:
        lines.append(f"index: {idx.get('reports')} reports, {idx.get('chunks')} chunks in {idx.get('data_dir')} "
                     f"({idx.get('embedder')})")
    if m.get("conversation_mode"):
        lines.append(f"conversations: {m['conversation_mode']}")
    return lines


def calibration_line(run: EvalRun) -> str | None:
    """One sentence on the refusal threshold: its chance of meeting both refusal targets on new questions."""
    c = run.calibration
    if not c:
        return None
    used, best = c["in_use"], c["best"]
    t = c["targets"]
    line = (f"refusal threshold {used['threshold']:.4g}: unanswerable refused {used['unanswerable_refused']:.3f}, "
            f"answerable refused {used['answerable_refused']:.3f}; chance that both refusal targets "
            f"(>= {t['unanswerable_refused']:.2f}, < {t['answerable_refused_below']:.2f}) hold on a new set of this "
            f"size: {used['chance']:.2f}")
    if best is None:
        line += " (no threshold meets both on any resample of this run)"
    elif round(best["chance"], 2) > round(used["chance"], 2):
        line += f" (best on this run: {best['threshold']:.4g}, {best['chance']:.2f})"
    return line


# ------------------------------------------------------------------------------------------------ markdown


def to_markdown(run: EvalRun) -> str:
    head = "| group | " + " | ".join(t for _, t, _ in COLUMNS) + " |"
    sep = "|---|" + "---:|" * len(COLUMNS)
    body = [f"| {g} | " + " | ".join(cells) + " |" for g, cells in _rows(run)]
    lines = [f"# Evaluation: {run.name}", ""] + [f"- {x}" for x in _meta_lines(run)] + ["", "## Figures", "", head, sep,
                                                                                      *body, ""]
    cols = _interval_columns(run)
    if cols:
        lines += ["## How sure", "", INTERVAL_NOTE + ".", "", "| group | " + " | ".join(t for _, t in cols) + " |",
                  "|---|" + "---:|" * len(cols), *(f"| {g} | " + " | ".join(c) + " |" for g, c in _interval_rows(run)),
                  ""]
    if run.targets:
        lines += [f"Against the targets: {TARGETS_NOTE}.", "", "| figure | target | this run | chance |",
                  "|---|---|---:|---:|", *(f"| {f} | {t} | {v} | {c} |" for f, t, v, c in _target_rows(run)), ""]
    calibration = calibration_line(run)
    if calibration:
        lines += ["## Refusal threshold", "", calibration + f" (a bootstrap: {RESAMPLES} resamples of this "
                  f"run's questions, with {NOISE} of noise on each confidence for CPU differences; per-threshold rows "
                  "in report.json)", ""]
    misses = [r for r in run.records if r["scores"].get("answer_correct") is False or
              (not r["scores"]["answerable"] and not r["scores"]["refused"])]
    if misses:
        lines += ["## Questions not answered correctly", "", "| id | kind | question | refused | answer (start) |",
                  "|---|---|---|---|---|"]
        for r in misses[:200]:
            text = " ".join(r["answer"]["text"].split())[:140].replace("|", "\\|")
            q = r["question"].replace("|", "\\|")
            lines.append(f"| {r['id']} | {r['kind']} | {q} | {r['answer']['refused']} | {text} |")
        lines.append("")
    return "\n".join(lines)


# ------------------------------------------------------------------------------------------------ html + plots


def _png(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def plots(run: EvalRun) -> dict[str, str]:
    """Base64 PNGs: metric bars per kind, latency histogram, refusal curve."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    out = {}
    groups = list(run.summary)
    fig, ax = plt.subplots(figsize=(max(7, 1.3 * len(groups) * len(BAR_METRICS) / 4), 4))
    width = 0.8 / len(BAR_METRICS)
    x = np.arange(len(groups))
    for i, (key, label) in enumerate(BAR_METRICS):
        vals = [run.summary[g].get(key) for g in groups]
        vals = [0.0 if v is None or (isinstance(v, float) and math.isnan(v)) else v for v in vals]
        spans = [run.intervals.get(g, {}).get(key) for g in groups]  # the 95% interval as an error bar
        err = [[v - sp[0] if sp else 0.0 for v, sp in zip(vals, spans)],
               [sp[1] - v if sp else 0.0 for v, sp in zip(vals, spans)]]
        ax.bar(x + i * width, vals, width, label=label, yerr=np.clip(err, 0.0, None), capsize=2,
               error_kw={"elinewidth": 0.8})
    ax.set_xticks(x + width * (len(BAR_METRICS) - 1) / 2, groups, rotation=15)
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("score")
    ax.set_title("Metrics per question kind (bars: 95% bootstrap intervals)")
    ax.legend(fontsize=7, ncol=4, loc="upper center", bbox_to_anchor=(0.5, -0.15))
    out["metrics"] = _png(fig)

    fig, ax = plt.subplots(figsize=(7, 3.5))
    lat = [r["scores"]["latency_ms"] for r in run.records]
    ax.hist(lat, bins=min(40, max(5, len(lat) // 3)), color="#4477aa")
    for q, style in ((50, "--"), (95, ":")):
        v = run.summary["overall"].get(f"latency_p{q}_ms")
        if v is not None:
            ax.axvline(v, color="k", linestyle=style, label=f"p{q} {v:.0f} ms")
    ax.set_xlabel("latency per question (ms)")
    ax.set_ylabel("questions")
    ax.set_title("Latency")
    ax.legend()
    out["latency"] = _png(fig)

    fig, ax = plt.subplots(figsize=(7, 3.5))
    c = run.curve
    ax.plot(c["threshold"], c["answered_correct"], label="answerable: answered correctly", drawstyle="steps-post")
    ax.plot(c["threshold"], c["answerable_refused"], label="answerable: refused", drawstyle="steps-post")
    ax.plot(c["threshold"], c["unanswerable_refused"], label="unanswerable: refused", drawstyle="steps-post")
    ax.set_xlabel("refusal threshold over Answer.confidence (refuse when confidence < threshold)")
    ax.set_ylabel("share of questions")
    ax.set_ylim(-0.02, 1.02)
    if run.calibration:
        rows = run.calibration["rows"]
        ax.plot([r["threshold"] for r in rows], [r["chance"] for r in rows], color="k", linewidth=1,
                label="chance both refusal targets hold on a new set")
        ax.axvline(run.calibration["in_use"]["threshold"], color="k", linestyle=":", label="threshold in use")
    ax.set_title("Refusal curve")
    ax.legend(fontsize=8)
    out["refusal"] = _png(fig)
    return out


_CSS = """body{font-family:system-ui,sans-serif;margin:2em;max-width:1400px}table{border-collapse:collapse;font-size:13px}
td,th{border:1px solid #ccc;padding:3px 6px;text-align:right}td:first-child,th:first-child{text-align:left}
#intervals td{white-space:nowrap}img{max-width:100%;border:1px solid #eee;margin:.5em 0}details{margin:1em 0}.q td{text-align:left}"""


def to_html(run: EvalRun) -> str:
    e = html.escape
    imgs = plots(run)
    head = "".join(f"<th>{e(t)}</th>" for _, t, _ in COLUMNS)
    rows = "".join(f"<tr><td>{e(g)}</td>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>" for g, cells in _rows(run))
    figs = "".join(f'<figure><img id="plot-{k}" alt="{k} plot" src="data:image/png;base64,{v}"></figure>'
                   for k, v in imgs.items())
    qrows = []
    for r in run.records:
        s = r["scores"]
        ok = "–" if s.get("answer_correct") is None else ("yes" if s["answer_correct"] else "no")
        qrows.append(f"<tr><td>{e(str(r['id']))}</td><td>{e(r['kind'])}</td><td>{e(r['question'])}</td>"
                     f"<td>{'yes' if s['refused'] else 'no'}</td><td>{ok}</td><td>{fmt(s.get('citation_precision'))}</td>"
                     f"<td>{fmt(s.get('citation_recall'))}</td><td>{fmt(s['latency_ms'], 'ms')}</td>"
                     f"<td>{e(' '.join(r['answer']['text'].split())[:300])}</td></tr>")
    meta = "".join(f"<li>{e(x)}</li>" for x in [*_meta_lines(run), calibration_line(run)] if x)
    cols = _interval_columns(run)
    sure = (f"<h2>How sure</h2><p>{e(INTERVAL_NOTE)}.</p><table id='intervals'><tr><th>group</th>"
            + "".join(f"<th>{e(t)}</th>" for _, t in cols) + "</tr>"
            + "".join(f"<tr><td>{e(g)}</td>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>"
                      for g, cells in _interval_rows(run)) + "</table>") if cols else ""
    if run.targets:
        sure += (f"<p>Against the targets: {e(TARGETS_NOTE)}.</p><table id='targets'><tr><th>figure</th><th>target</th>"
                 "<th>this run</th><th>chance</th></tr>"
                 + "".join(f"<tr><td>{e(f)}</td><td>{e(t)}</td><td>{v}</td><td>{c}</td></tr>"
                           for f, t, v, c in _target_rows(run)) + "</table>")
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>Evaluation: {e(run.name)}</title>"
            f"<style>{_CSS}</style></head><body><h1>Evaluation: {e(run.name)}</h1><ul>{meta}</ul>"
            f"<h2>Figures</h2><table id='summary'><tr><th>group</th>{head}</tr>{rows}</table>{sure}"
            f"<h2>Plots</h2>{figs}"
            f"<details><summary>Every question ({len(run.records)})</summary><table class='q'><tr><th>id</th><th>kind</th>"
            f"<th>question</th><th>refused</th><th>correct</th><th>cit. P</th><th>cit. R</th><th>ms</th><th>answer</th></tr>"
            f"{''.join(qrows)}</table></details></body></html>\n")
