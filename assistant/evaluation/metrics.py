"""Metrics: pure functions over plain values (no I/O, no assistant objects).

Every definition here is the one the README's "Quality" section states:

- Retrieval (MultiHop-RAG upstream): over the top-10 retrieved chunks of an answerable question, a chunk is a hit
  when a gold fact is a substring of it once spaces and newlines are removed from both. Hits@4, Hits@10, MRR@10,
  MAP@10 (AP adds, at each hit rank, the number of facts found there for the first time divided by the rank, and
  is divided by min(#facts, 10)). Also evidence-report recall@10 and whether all evidence reports are in the top 10.
- Citations: a citation is correct when its span overlaps a gold evidence span in the same report by at least half
  of the shorter of the two; precision = correct citations / citations, recall = gold spans overlapped by at least
  one citation / gold spans, F1. Integrity = citations whose quote equals the report text at its offsets.
- Answers: the share of required items found in the answer text; correct when all are.
- Refusals: on unanswerable questions the share refused; on answerable ones the share wrongly refused.
- Latency: p50 and p95 per question.
"""
from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from typing import Callable, Iterable, Mapping, Sequence

import numpy as np

from .calibration import REFUSED_TARGET, WRONGLY_REFUSED_TARGET


@dataclass(frozen=True)
class Span:
    """A character range ``[start, end)`` in one report."""

    report_id: str
    start: int
    end: int

    def __len__(self) -> int:
        return max(0, self.end - self.start)


# A gold evidence item: every place in the corpus where its text occurs (usually one). Overlapping any counts.
GoldSpan = Sequence[Span]


# ------------------------------------------------------------------------------------------------ answers

_PUNCT = re.compile(r"[^\w\s]|_")


def normalize(text: str) -> str:
    """Lower case, Unicode punctuation to spaces, whitespace collapsed: 'U.S.-led  force!' -> 'u s led force'."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = _PUNCT.sub(" ", text)
    return " ".join(text.split())


def item_found(alternatives: Sequence[str], text: str) -> bool:
    """Whether any alternative occurs in ``text``, comparing normalised forms, on word boundaries.

    Both sides are normalised and padded with a space, so the match is a substring match that cannot start or end
    inside a word ("no" is not found in "not").
    """
    hay = f" {normalize(text)} "
    return any(normalize(a) and f" {normalize(a)} " in hay for a in alternatives)


def answer_score(required: Sequence[Sequence[str]], text: str) -> tuple[float | None, bool | None]:
    """(share of required items found, all found). ``(None, None)`` when nothing is required (unanswerable)."""
    if not required:
        return None, None
    found = sum(item_found(alts, text) for alts in required)
    return found / len(required), found == len(required)


# ------------------------------------------------------------------------------------------------ citations


def overlap_ok(a: Span, b: Span) -> bool:
    """Same report and an overlap of at least half the shorter span (exactly half counts)."""
    if a.report_id != b.report_id or len(a) == 0 or len(b) == 0:
        return False
    inter = min(a.end, b.end) - max(a.start, b.start)
    return inter > 0 and 2 * inter >= min(len(a), len(b))


def citation_scores(cited: Sequence[Span], gold: Sequence[GoldSpan]) -> dict[str, float | None]:
    """Precision, recall and F1 of one answer's citations against its gold evidence.

    Precision counts every citation as given (a span cited twice counts twice); it is None when there are no
    citations. Gold items with the same locations are counted once; recall is None when there is no gold evidence.
    F1 is None without gold evidence, and 0 when there are no citations.
    """
    unique_gold = list(dict.fromkeys(tuple(g) for g in gold if g))
    precision = None
    if cited:
        precision = sum(any(overlap_ok(c, s) for g in unique_gold for s in g) for c in cited) / len(cited)
    if not unique_gold:
        return {"precision": precision, "recall": None, "f1": None}
    recall = sum(any(overlap_ok(c, s) for c in cited for s in g) for g in unique_gold) / len(unique_gold)
    p = precision or 0.0
    f1 = 2 * p * recall / (p + recall) if p + recall > 0 else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


def citation_integrity(citations: Iterable[tuple[str, int, int, str]],
                       report_text: Callable[[str], str | None]) -> float | None:
    """Share of citations ``(report_id, start, end, quote)`` whose quote equals ``report_text(id)[start:end]``."""
    cs = list(citations)
    if not cs:
        return None
    ok = 0
    for rid, start, end, quote in cs:
        text = report_text(rid)
        ok += text is not None and 0 <= start < end <= len(text) and text[start:end] == quote
    return ok / len(cs)


# ------------------------------------------------------------------------------------------------ retrieval


def _squash(s: str) -> str:
    return s.replace(" ", "").replace("\n", "")


def upstream_retrieval(chunks: Sequence[str], facts: Sequence[str]) -> dict[str, float]:
    """Hits@4, Hits@10, MRR@10, MAP@10 of one question, exactly as MultiHop-RAG's ``retrieval_evaluate.py``.

    ``facts`` keeps repeats: a repeated fact counts in the denominator min(#facts, 10) but is found only once.
    """
    gold = [_squash(f) for f in facts]
    if not gold:
        raise ValueError("upstream_retrieval needs at least one gold fact (skip unanswerable questions)")
    found: list[str] = []
    ap_sum, first = 0.0, None
    hit4 = hit10 = False
    for rank, chunk in enumerate((_squash(c) for c in chunks[:10]), start=1):
        if not any(g in chunk for g in gold):
            continue
        hit10 = True
        hit4 = hit4 or rank <= 4
        first = first or rank
        new = 0
        for g in gold:
            if g in chunk and g not in found:
                new += 1
                found.append(g)
        ap_sum += new / rank
    return {"hits@4": float(hit4), "hits@10": float(hit10), "mrr@10": 1.0 / first if first else 0.0,
            "map@10": ap_sum / min(len(gold), 10)}


def report_recall(retrieved_report_ids: Sequence[str], gold_report_ids: Iterable[str], k: int = 10) -> dict[str, float]:
    """Share of distinct evidence reports among the top-k chunks' reports, and 1.0 when all of them are."""
    gold = set(gold_report_ids)
    if not gold:
        raise ValueError("report_recall needs at least one evidence report")
    got = gold & set(retrieved_report_ids[:k])
    return {"report_recall@10": len(got) / len(gold), "all_reports@10": float(got == gold)}


# ------------------------------------------------------------------------------------------------ latency, refusal


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (linear interpolation, numpy's default); None for no values."""
    return float(np.percentile(np.asarray(values, dtype=float), q)) if len(values) else None


def threshold_confidence(confidence: float, refused: bool, in_use: float) -> float:
    """The confidence a refusal threshold sees, given the threshold the run used: a question refused at or above it
    was refused for another reason (a publisher the index lacks, a citation that failed its check) and counts as 0,
    refused at any threshold above 0."""
    return 0.0 if refused and confidence >= in_use else confidence


def refusal_curve(rows: Sequence[tuple[float, bool, bool | None]], thresholds: Sequence[float] | None = None,
                  in_use: float | None = None) -> dict[str, list[float]]:
    """What happens as a refusal threshold over ``Answer.confidence`` moves.

    ``rows`` are ``(confidence, refused, correct)``; ``correct`` is None for unanswerable questions. At threshold
    t a question counts as refused when its confidence is below t or the assistant refused it for another reason
    than the threshold. With ``in_use`` (the threshold the run used), a refusal with a confidence below it (and above
    0: nothing supports a question of confidence 0) is the threshold's, so below ``in_use`` such a question counts
    as answered (though not correctly: its answer was never written); without it, every refusal counts at every
    threshold. Returns, per threshold: the share of answerable questions answered correctly, of answerable ones
    refused, and of unanswerable ones refused (each None-free; a share over no questions is NaN).
    """
    if thresholds is None:
        confs = sorted({round(c, 4) for c, _, _ in rows})
        thresholds = [0.0] + confs + [max(confs, default=0.0) + 1e-3]
    ans = [(c, r, ok) for c, r, ok in rows if ok is not None]
    una = [(c, r) for c, r, ok in rows if ok is None]
    out: dict[str, list[float]] = {"threshold": [], "answered_correct": [], "answerable_refused": [],
                                   "unanswerable_refused": []}

    def refused(c: float, r: bool, t: float) -> bool:
        if in_use is None:
            return r or c < t
        c = threshold_confidence(c, r, in_use)
        return c < t or (r and c == 0.0)

    for t in thresholds:
        out["threshold"].append(float(t))
        out["answered_correct"].append(_share([not (r or c < t) and ok for c, r, ok in ans]))
        out["answerable_refused"].append(_share([refused(c, r, t) for c, r, _ in ans]))
        out["unanswerable_refused"].append(_share([refused(c, r, t) for c, r in una]))
    return out


def _share(flags: Sequence[bool]) -> float:
    return sum(bool(f) for f in flags) / len(flags) if flags else math.nan


# ------------------------------------------------------------------------------------------------ aggregation

# Per-question score keys averaged over the questions that have them (None = not applicable).
MEAN_KEYS = ("hits@4", "hits@10", "mrr@10", "map@10", "report_recall@10", "all_reports@10", "citation_precision",
             "citation_recall", "citation_f1", "citation_integrity", "answer_items", "answer_correct")


def summarize(scores: Sequence[Mapping[str, object]]) -> dict[str, float | int | None]:
    """Aggregate per-question scores (as ``runner`` makes them) into one row of figures.

    Mean of each ``MEAN_KEYS`` entry over questions where it is not None (citation integrity is pooled over all
    citations instead); refusal rates; refusal accuracy (share of questions whose refuse/answer decision matches
    answerability); latency p50/p95 in ms.
    """
    out: dict[str, float | int | None] = {"questions": len(scores)}
    for key in MEAN_KEYS:
        vals = [float(s[key]) for s in scores if s.get(key) is not None]  # type: ignore[arg-type]
        out[key] = sum(vals) / len(vals) if vals else None
    n_cit = sum(int(s.get("citations", 0) or 0) for s in scores)
    n_ok = sum(int(s.get("citations_intact", 0) or 0) for s in scores)
    out["citations"] = n_cit
    out["citation_integrity"] = n_ok / n_cit if n_cit else None
    answerable = [s for s in scores if s.get("answerable")]
    unanswerable = [s for s in scores if not s.get("answerable")]
    out["answerable"], out["unanswerable"] = len(answerable), len(unanswerable)
    out["unanswerable_refused"] = _share([bool(s.get("refused")) for s in unanswerable]) if unanswerable else None
    out["answerable_refused"] = _share([bool(s.get("refused")) for s in answerable]) if answerable else None
    out["refusal_accuracy"] = _share([bool(s.get("refused")) != bool(s.get("answerable")) for s in scores]) \
        if scores else None
    lat = [float(s["latency_ms"]) for s in scores if s.get("latency_ms") is not None]  # type: ignore[arg-type]
    out["latency_p50_ms"], out["latency_p95_ms"] = percentile(lat, 50), percentile(lat, 95)
    return out


def summarize_by(scores: Sequence[Mapping[str, object]], key: str = "kind") -> dict[str, dict]:
    """``summarize`` per value of ``key`` (sorted), plus ``"overall"`` first."""
    return _by(summarize, scores, key)


def _by(figures: Callable[..., dict], scores: Sequence[Mapping[str, object]], key: str, **kw) -> dict[str, dict]:
    """``figures`` of all the scores (``"overall"``, first), then of each value of ``key``, sorted."""
    groups: dict[str, list[Mapping[str, object]]] = {}
    for s in scores:
        groups.setdefault(str(s.get(key, "")), []).append(s)
    return {"overall": figures(scores, **kw), **{k: figures(groups[k], **kw) for k in sorted(groups)}}


# ------------------------------------------------------------------------------------------------ uncertainty

# The per-question figures a 95% interval is given for: MEAN_KEYS but integrity (pooled over citations), and the
# refusal shares, each a mean of per-question values over the questions it applies to.
INTERVAL_KEYS = tuple(k for k in MEAN_KEYS if k != "citation_integrity") + (
    "unanswerable_refused", "answerable_refused", "refusal_accuracy")
INTERVAL_RESAMPLES = 1000


def _per_question(s: Mapping[str, object], key: str) -> float:
    answerable, refused = bool(s.get("answerable")), bool(s.get("refused"))
    if key == "unanswerable_refused":
        return math.nan if answerable else float(refused)
    if key == "answerable_refused":
        return float(refused) if answerable else math.nan
    if key == "refusal_accuracy":
        return float(refused != answerable)
    v = s.get(key)
    return math.nan if v is None else float(v)  # type: ignore[arg-type]


def intervals(scores: Sequence[Mapping[str, object]], resamples: int = INTERVAL_RESAMPLES, level: float = 0.95,
              seed: int = 0) -> dict[str, tuple[float, float] | None]:
    """A percentile-bootstrap interval for each ``INTERVAL_KEYS`` figure: the questions are resampled with
    replacement ``resamples`` times and the figure recomputed on each sample; the interval holds the middle ``level``
    of those values. It says how much the figure could move on another set of questions of the same kind and size
    (the held-out split, say); None where the figure has no question. Deterministic for a given ``seed``."""
    out: dict[str, tuple[float, float] | None] = {k: None for k in INTERVAL_KEYS}
    tail = 100 * (1 - level) / 2
    for key, means in _resampled(scores, INTERVAL_KEYS, resamples, seed).items():
        lo, hi = np.percentile(means, [tail, 100 - tail])
        out[key] = (float(lo), float(hi))
    return out


def _resampled(scores: Sequence[Mapping[str, object]], keys: Sequence[str], resamples: int,
               seed: int) -> dict[str, np.ndarray]:
    """Each key's figure on every bootstrap sample of the questions (the same samples for every key); keys without
    any question are left out."""
    n = len(scores)
    if n == 0:
        return {}
    rows = np.random.default_rng(seed).integers(0, n, size=(resamples, n))
    out = {}
    for key in keys:
        values = np.array([_per_question(s, key) for s in scores])
        have = ~np.isnan(values)
        if not have.any():
            continue
        counts = have[rows].sum(axis=1)
        sums = np.where(have, values, 0.0)[rows].sum(axis=1)
        out[key] = sums[counts > 0] / counts[counts > 0]  # a sample without such a question has no figure
    return out


# The product's quality targets (issue 4): figure -> (at least, or below, the value).
TARGETS = {"hits@4": (">=", 0.90), "hits@10": (">=", 0.97), "mrr@10": (">=", 0.75), "map@10": (">=", 0.55),
           "all_reports@10": (">=", 0.85), "citation_precision": (">=", 0.85), "citation_recall": (">=", 0.80),
           "unanswerable_refused": (">=", REFUSED_TARGET), "answerable_refused": ("<", WRONGLY_REFUSED_TARGET)}


def target_chances(scores: Sequence[Mapping[str, object]], resamples: int = INTERVAL_RESAMPLES,
                   seed: int = 0) -> dict[str, dict[str, object]]:
    """For each ``TARGETS`` figure the run has: the target, and the share of bootstrap samples of the questions on
    which the figure meets it: the chance it holds on another set of questions of the same kinds and size, such as a
    held-out split drawn like this one. (The two refusal targets together: ``calibration``.)"""
    out: dict[str, dict[str, object]] = {}
    for key, means in _resampled(scores, list(TARGETS), resamples, seed).items():
        op, value = TARGETS[key]
        met = means >= value if op == ">=" else means < value
        out[key] = {"target": f"{op} {value:g}", "chance": round(float(met.mean()), 3)}
    return out


def intervals_by(scores: Sequence[Mapping[str, object]], key: str = "kind", **kw) -> dict[str, dict]:
    """``intervals`` per value of ``key`` (sorted), plus ``"overall"`` first, as ``summarize_by`` groups them."""
    return _by(intervals, scores, key, **kw)
