"""Choosing one option per slot, no option twice, with the highest total score (an exact assignment).

Pure Python (the Hungarian method, O(n^3)): the problems are small (a question's parts against the reports it
read), and importing scipy's solver would add 0.8 s to every cold start."""
from __future__ import annotations

from typing import Hashable, Mapping, Sequence, TypeVar

K = TypeVar("K", bound=Hashable)
_FILLED = 1e6  # added to every allowed pairing: fill as many slots as possible first, then maximise the total


def assign(slots: Sequence[Mapping[K, float]]) -> list[K | None]:
    """For each slot (a map of the options it may take to their scores, all >= 0), the option it takes: no option is
    taken by two slots, as many slots as possible get one, and among those choices the scores' sum is the highest.
    A slot gets None when no option is left for it. Greedy choice in slot order can let an early slot take the only
    option a later slot has, or the one it fits much better; this cannot."""
    keys = list(dict.fromkeys(k for slot in slots for k in slot))
    if not keys:
        return [None] * len(slots)
    # columns: the options, then one "nothing" column per slot (weight 0), so every slot can be matched
    weight = [[(_FILLED + slot[k]) if k in slot else 0.0 for k in keys] + [0.0] * len(slots) for slot in slots]
    column_of = _max_weight_matching(weight)
    return [keys[j] if j < len(keys) and weight[i][j] > 0 else None for i, j in enumerate(column_of)]


def _max_weight_matching(weight: list[list[float]]) -> list[int]:
    """The column matched to each row, maximising the sum of weights (rows <= columns; every row gets a column).
    The Hungarian method with potentials, on costs = -weight (rows and columns 1-based inside; 0 is a sentinel)."""
    n, m = len(weight), len(weight[0])
    inf = float("inf")
    u, v = [0.0] * (n + 1), [0.0] * (m + 1)
    row_of, way = [0] * (m + 1), [0] * (m + 1)
    for i in range(1, n + 1):
        row_of[0], j0 = i, 0
        best, used = [inf] * (m + 1), [False] * (m + 1)
        while True:
            used[j0] = True
            i0, delta, j1 = row_of[j0], inf, 0
            for j in range(1, m + 1):
                if not used[j]:
                    cur = -weight[i0 - 1][j - 1] - u[i0] - v[j]
                    if cur < best[j]:
                        best[j], way[j] = cur, j0
                    if best[j] < delta:
                        delta, j1 = best[j], j
            for j in range(m + 1):
                if used[j]:
                    u[row_of[j]] += delta
                    v[j] -= delta
                else:
                    best[j] -= delta
            j0 = j1
            if row_of[j0] == 0:
                break
        while j0:  # flip the augmenting path
            j1 = way[j0]
            row_of[j0] = row_of[j1]
            j0 = j1
    column_of = [0] * n
    for j in range(1, m + 1):
        if row_of[j]:
            column_of[row_of[j] - 1] = j - 1
    return column_of
