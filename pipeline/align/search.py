"""Dynamic programming over a band: the best path of beads, and each bead's posterior probability.

A path goes from ``(0, 0)`` to ``(n, m)``; a bead of shape ``(a, b)`` ending at cell ``(i, j)``
links source sentences ``i-a..i-1`` to reference sentences ``j-b..j-1``. ``scores[(a, b)]`` holds,
for every band cell, the score of the bead of that shape ending there (``-inf`` where it cannot
be); skips (``1-0``, ``0-1``) score a constant each. The search maximises the sum of bead scores.

Rows are processed one at a time with NumPy slices, one slice per bead shape; the ``0-1`` moves
inside a row are a running maximum (``best[j] = max(best[j], best[j-1] + skip)`` unrolled as
``j*skip + cummax(best - j*skip)``), so no Python loop runs over cells.

:func:`posteriors` runs the same recursions with log-sum-exp instead of max, forwards and
backwards, giving each bead's probability among all paths under ``P(path) ~ exp(score / T)``:
a confidence that is high only when no competing path scores close to the chosen one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from pipeline.align.band import Band

Shape = tuple[int, int]
_START = -2


@dataclass(frozen=True, slots=True)
class Step:
    """One bead of a path: source positions ``i0..i1-1``, reference positions ``j0..j1-1``."""

    i0: int
    j0: int
    i1: int
    j1: int

    @property
    def shape(self) -> Shape:
        return (self.i1 - self.i0, self.j1 - self.j0)


def _moves(scores: Mapping[Shape, np.ndarray]) -> list[Shape]:
    """Bead shapes with at least one source sentence, the 1-0 skip last; 0-1 is handled apart."""
    return [s for s in scores if s[0] >= 1 and s[1] >= 1] + [(1, 0)]


@dataclass(frozen=True)
class _Rows:
    """The band's bounds as Python lists: row loops read them often, and NumPy scalars are slow."""

    lo: list[int]
    hi: list[int]
    offsets: list[int]

    @classmethod
    def of(cls, band: Band) -> _Rows:
        return cls(band.lo.tolist(), band.hi.tolist(), band.offsets.tolist())


def _candidates(
    rows: _Rows,
    values: np.ndarray,
    scores: Mapping[Shape, np.ndarray],
    moves: Sequence[Shape],
    skip_src: float,
    i: int,
) -> np.ndarray:
    """``out[k, j - lo[i]]``: value of reaching ``(i, j)`` by a last bead of shape ``moves[k]`` (-inf if none)."""
    lo, hi, offsets = rows.lo, rows.hi, rows.offsets
    out = np.full((len(moves), hi[i] - lo[i] + 1), -np.inf)
    for k, (a, b) in enumerate(moves):
        if i < a:
            continue
        first, last = max(lo[i], lo[i - a] + b), min(hi[i], hi[i - a] + b)
        if first > last:
            continue
        prev = offsets[i - a] + first - b - lo[i - a]
        here = offsets[i] + first - lo[i]
        count = last - first + 1
        target = out[k, first - lo[i] : first - lo[i] + count]
        if b == 0:
            np.add(values[prev : prev + count], skip_src, out=target)
        else:
            np.add(values[prev : prev + count], scores[(a, b)][here : here + count], out=target)
    return out


def viterbi(band: Band, scores: Mapping[Shape, np.ndarray], skip_src: float, skip_ref: float) -> list[Step]:
    """The highest-scoring path through the band, as beads in document order."""
    moves = _moves(scores)
    rows = _Rows.of(band)
    best = np.full(band.size, -np.inf)
    back = np.full(band.size, -1, np.int8)
    for i in range(band.n + 1):
        candidates = _candidates(rows, best, scores, moves, skip_src, i)
        arg = candidates.argmax(axis=0)
        row = candidates[arg, np.arange(candidates.shape[1])]
        if i == 0:
            row[0], arg[0] = 0.0, _START
        steps = np.arange(len(row)) * skip_ref
        run = np.maximum.accumulate(row - steps) + steps
        # strictly better only: rounding in the running maximum must not turn a bead into skips
        better = run > row + 1e-9 * np.maximum(1.0, np.abs(np.where(np.isfinite(row), row, 0.0)))
        row[better] = run[better]
        arg[better] = len(moves)
        start = rows.offsets[i]
        best[start : start + len(row)] = row
        back[start : start + len(row)] = arg
    return _backtrack(band, back, moves)


def _backtrack(band: Band, back: np.ndarray, moves: Sequence[Shape]) -> list[Step]:
    offsets = band.offsets
    steps: list[Step] = []
    i, j = band.n, band.m
    while (i, j) != (0, 0):
        k = int(back[offsets[i] + j - band.lo[i]])
        a, b = (0, 1) if k == len(moves) else moves[k]
        steps.append(Step(i - a, j - b, i, j))
        i, j = i - a, j - b
    steps.reverse()
    return steps


def posteriors(
    band: Band,
    scores: Mapping[Shape, np.ndarray],
    skip_src: float,
    skip_ref: float,
    temperature: float,
    steps: Sequence[Step],
) -> np.ndarray:
    """Probability of each of ``steps`` among all paths, with ``P(path) ~ exp(score / temperature)``."""
    scaled = {shape: values / temperature for shape, values in scores.items()}
    src, ref = skip_src / temperature, skip_ref / temperature
    forward = _forward(band, scaled, src, ref)
    backward = _backward(band, scaled, src, ref)
    offsets = band.offsets
    total = forward[offsets[band.n] + band.m - band.lo[band.n]]
    out = np.zeros(len(steps))
    for k, step in enumerate(steps):
        start = offsets[step.i0] + step.j0 - band.lo[step.i0]
        end = offsets[step.i1] + step.j1 - band.lo[step.i1]
        a, b = step.shape
        bead = src if b == 0 else ref if a == 0 else scaled[(a, b)][end]
        out[k] = np.exp(min(forward[start] + bead + backward[end] - total, 0.0))
    return out


def _forward(band: Band, scores: Mapping[Shape, np.ndarray], skip_src: float, skip_ref: float) -> np.ndarray:
    moves = _moves(scores)
    rows = _Rows.of(band)
    total = np.full(band.size, -np.inf)
    for i in range(band.n + 1):
        row = np.logaddexp.reduce(_candidates(rows, total, scores, moves, skip_src, i), axis=0)
        if i == 0:
            row[0] = 0.0
        steps = np.arange(len(row)) * skip_ref
        start = rows.offsets[i]
        total[start : start + len(row)] = np.logaddexp.accumulate(row - steps) + steps
    return total


def _backward(band: Band, scores: Mapping[Shape, np.ndarray], skip_src: float, skip_ref: float) -> np.ndarray:
    """``total[(i, j)]``: log-sum over paths from ``(i, j)`` to ``(n, m)`` of exp(score)."""
    moves = _moves(scores)
    rows = _Rows.of(band)
    lo, hi, offsets = rows.lo, rows.hi, rows.offsets
    total = np.full(band.size, -np.inf)
    for i in range(band.n, -1, -1):
        width = hi[i] - lo[i] + 1
        candidates = np.full((len(moves) + 1, width), -np.inf)
        if i == band.n:
            candidates[-1, band.m - lo[i]] = 0.0
        for k, (a, b) in enumerate(moves):
            nxt = i + a
            if nxt > band.n:
                continue
            # cells (i, j) whose bead ends at (nxt, j + b) inside row nxt's band
            first, last = max(lo[i], lo[nxt] - b), min(hi[i], hi[nxt] - b)
            if first > last:
                continue
            at = offsets[nxt] + first + b - lo[nxt]
            count = last - first + 1
            target = candidates[k, first - lo[i] : first - lo[i] + count]
            if b == 0:
                np.add(total[at : at + count], skip_src, out=target)
            else:
                np.add(total[at : at + count], scores[(a, b)][at : at + count], out=target)
        row = np.logaddexp.reduce(candidates, axis=0)[::-1]
        steps = np.arange(width) * skip_ref
        total[offsets[i] : offsets[i] + width] = (np.logaddexp.accumulate(row - steps) + steps)[::-1]
    return total


def path_cells(steps: Sequence[Step]) -> tuple[np.ndarray, np.ndarray]:
    """(i, j) of every cell a path visits, the start included."""
    if not steps:
        return np.zeros(1, np.int64), np.zeros(1, np.int64)
    i = np.array([steps[0].i0] + [s.i1 for s in steps], np.int64)
    j = np.array([steps[0].j0] + [s.j1 for s in steps], np.int64)
    return i, j


def corridor(n: int, steps: Sequence[Step]) -> tuple[np.ndarray, np.ndarray]:
    """For each row 0..n, the lowest and highest reference position of a path in or around it.

    Rows a many-sentence bead jumps over take the bead's start and end positions, so a band
    built around the corridor contains the path itself.
    """
    low = np.full(n + 1, np.iinfo(np.int64).max)
    high = np.full(n + 1, -1)
    for step in steps:
        rows = slice(step.i0, step.i1 + 1)
        low[rows] = np.minimum(low[rows], step.j0)
        high[rows] = np.maximum(high[rows], step.j1)
    if not steps:
        low[:], high[:] = 0, 0
    return low, high


def widening_search(
    first: Band,
    width: np.ndarray,
    score: Callable[[Band], dict[Shape, np.ndarray]],
    skip_src: float,
    skip_ref: float,
    rounds: int = 5,
) -> tuple[Band, dict[Shape, np.ndarray], list[Step]]:
    """Search ``first``; where the best path runs along a band edge, widen there and search again.

    A path that touches an inner edge of the band may have been cut off from a better one
    outside it. The next band is centred on the path found, and twice as wide around the rows
    where it touched; after ``rounds`` searches the last path stands.
    """
    band = first
    width = np.asarray(width, np.int64).copy()
    for _ in range(rounds - 1):
        scores = score(band)
        steps = viterbi(band, scores, skip_src, skip_ref)
        path_i, path_j = path_cells(steps)
        touched = band.touches_edge(path_i, path_j, margin=2)
        if len(touched) == 0:
            return band, scores, steps
        grow = np.zeros(band.n + 2, np.int64)
        for row in touched:
            reach = int(2 * width[row])
            grow[max(0, row - reach)] += 1
            grow[min(band.n + 1, row + reach + 1)] -= 1
        width = np.where(np.cumsum(grow)[: band.n + 1] > 0, 2 * width, width)
        low, high = corridor(band.n, steps)
        band = Band.around(low - width, high + width, band.m)
    scores = score(band)
    return band, scores, viterbi(band, scores, skip_src, skip_ref)
