"""Choosing the refusal threshold (``answering.min_support``) from an eval run's confidences.

A threshold that meets both refusal targets on the questions at hand can still miss them on new questions of the
same kind: the answerable and unanswerable confidences crowd the threshold, and a few questions decide. So each
candidate threshold is scored by its *chance* of meeting both targets on a new set of the same size, estimated by
resampling the run's questions (a bootstrap), with a little noise added to every score-based confidence, since the
int8 encoder gives slightly different scores on different CPUs. Rule-based refusals (confidence 0, e.g. a publisher
the index lacks) are refused at any threshold.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

# Issue 4's refusal targets: at least this share of unanswerable questions refused, fewer answerable ones than this.
REFUSED_TARGET = 0.90
WRONGLY_REFUSED_TARGET = 0.05
NOISE = 0.005  # the spread of a score between CPUs (int8 kernels), added to every score-based confidence
RESAMPLES = 2000


@dataclass(frozen=True)
class ThresholdRow:
    threshold: float
    unanswerable_refused: float  # on the questions given
    answerable_refused: float
    chance: float  # share of resampled sets on which both targets hold


def refusal_calibration(answerable: Sequence[float], unanswerable: Sequence[float], *,
                        thresholds: Sequence[float] | None = None, refused_target: float = REFUSED_TARGET,
                        wrongly_refused_target: float = WRONGLY_REFUSED_TARGET, resamples: int = RESAMPLES,
                        noise: float = NOISE, seed: int = 0) -> list[ThresholdRow]:
    """One row per threshold: refusal shares on the given confidences, and the chance of meeting both targets
    (unanswerable refused >= ``refused_target``, answerable refused < ``wrongly_refused_target``) on a new set of
    as many answerable and unanswerable questions. A question counts as refused at ``t`` when its confidence < t."""
    ans = np.asarray(answerable, dtype=float)
    una = np.asarray(unanswerable, dtype=float)
    if not len(ans) or not len(una):
        raise ValueError("refusal calibration needs both answerable and unanswerable questions "
                         f"(got {len(ans)} and {len(una)}): evaluate on a set that holds both")
    if thresholds is None:
        thresholds = threshold_grid()
    rng = np.random.default_rng(seed)
    a = _resampled(ans, resamples, noise, rng)
    u = _resampled(una, resamples, noise, rng)
    rows = []
    for t in thresholds:
        ok = ((u < t).mean(axis=1) >= refused_target) & ((a < t).mean(axis=1) < wrongly_refused_target)
        rows.append(ThresholdRow(float(t), float((una < t).mean()), float((ans < t).mean()), float(ok.mean())))
    return rows


def threshold_grid(*extra: float) -> list[float]:
    """Thresholds from 0.2 to 0.5 in steps of 0.0025, plus ``extra`` (e.g. the one in use), sorted, to 4 places."""
    return sorted({round(0.2 + 0.0025 * k, 4) for k in range(121)} | {round(float(t), 4) for t in extra})


def best_threshold(rows: Sequence[ThresholdRow]) -> ThresholdRow | None:
    """The row with the highest chance; among equal chances, the middle one of the first run of them (the
    threshold farthest from both edges of that run). None when no threshold meets both targets on any resample."""
    top = max((r.chance for r in rows), default=0.0)
    if top == 0.0:
        return None
    i = next(k for k, r in enumerate(rows) if r.chance == top)
    j = i
    while j + 1 < len(rows) and rows[j + 1].chance == top:
        j += 1
    return rows[(i + j) // 2]


def _resampled(conf: np.ndarray, n: int, noise: float, rng: np.random.Generator) -> np.ndarray:
    """``n`` bootstrap samples of ``conf`` (one per row), with Gaussian noise on the score-based (non-zero) ones."""
    sample = conf[rng.integers(0, len(conf), size=(n, len(conf)))]
    if noise:
        sample = sample + rng.normal(0.0, noise, sample.shape) * (sample > 0)
    return sample
