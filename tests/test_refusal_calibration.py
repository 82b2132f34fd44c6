"""Choosing the refusal threshold by its chance of meeting both refusal targets on new questions (issue 4)."""
import numpy as np
import pytest

from assistant.evaluation.calibration import best_threshold, refusal_calibration

# Both targets are tight here, as on MultiHop dev. 600 answerable questions: 18 score low (3%, refused at any
# threshold below), the rest from 0.336 up. 75 unanswerable: 63 refused by a rule (confidence 0), 3 at 0.30, 2 just
# below the answerable ones (0.331), 7 high. Only in the gap (0.331, 0.336] are 68 of 75 (0.907) refused.
ANSWERABLE = [0.25] * 18 + list(np.linspace(0.336, 0.9, 582))
UNANSWERABLE = [0.0] * 63 + [0.30] * 3 + [0.331] * 2 + [0.45] * 7
FINE = np.round(np.arange(0.30, 0.401, 0.0025), 4)


def _rows(noise, thresholds=(0.30, 0.33, 0.3335, 0.34, 0.35, 0.40)):
    return {r.threshold: r for r in refusal_calibration(ANSWERABLE, UNANSWERABLE, thresholds=thresholds, noise=noise)}


def test_the_shares_are_those_of_the_questions_given():
    rows = _rows(0.005)  # noise only touches the resamples
    assert rows[0.30].unanswerable_refused == pytest.approx(63 / 75)  # confidence < threshold counts as refused
    assert rows[0.33].unanswerable_refused == pytest.approx(66 / 75)
    assert rows[0.3335].unanswerable_refused == pytest.approx(68 / 75)
    assert rows[0.3335].answerable_refused == pytest.approx(18 / 600)
    assert rows[0.40].answerable_refused > 0.10


def test_the_chance_peaks_in_the_gap_and_falls_off_on_both_sides():
    rows = _rows(0.0)
    assert rows[0.3335].chance > rows[0.33].chance > rows[0.30].chance  # unanswerable ones get through below
    assert rows[0.3335].chance > rows[0.34].chance > rows[0.35].chance  # answerable ones get refused above
    assert 0.4 < rows[0.3335].chance < 0.8  # 0.907 against a 0.90 target: a coin flip, slightly loaded
    assert rows[0.40].chance == 0.0


def test_noise_for_cpu_differences_moves_the_best_threshold_away_from_crowded_scores():
    exact, noisy = _rows(0.0, FINE), _rows(0.005, FINE)
    # without noise, just above the two unanswerable 0.331s is best; with it, they slip above such a threshold on
    # some resamples, so the best threshold moves up into the gap
    assert 0.331 < best_threshold(list(exact.values())).threshold < best_threshold(list(noisy.values())).threshold <= 0.34
    assert noisy[0.3325].chance < exact[0.3325].chance


def test_the_best_threshold_has_the_highest_chance_and_is_none_when_nothing_meets_the_targets():
    rows = list(_rows(0.0, FINE).values())
    assert best_threshold(rows).chance == max(r.chance for r in rows)
    assert best_threshold(refusal_calibration([0.1] * 50, [0.5] * 10, thresholds=[0.2, 0.3])) is None


def test_both_kinds_of_question_are_needed():
    with pytest.raises(ValueError, match="both answerable and unanswerable"):
        refusal_calibration([0.5, 0.6], [])
