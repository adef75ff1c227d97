"""The banded search: bands always hold a path; Viterbi and the posteriors agree with brute force."""

from __future__ import annotations

import itertools
import math
import random

import numpy as np
import pytest

from pipeline.align.band import Band
from pipeline.align.search import Shape, Step, corridor, posteriors, viterbi, widening_search

SHAPES: list[Shape] = [(1, 1), (1, 2), (2, 1), (2, 2)]


@pytest.mark.parametrize(
    ("lo", "hi", "m"),
    [
        ([0, 0, 0], [1, 1, 1], 5),  # last row must reach m
        ([3, 1, 4], [4, 2, 6], 6),  # decreasing bounds are repaired
        ([0, 5, 9], [1, 6, 9], 9),  # rows that do not overlap are joined
        ([-4, 2, 20], [2, 3, 30], 8),  # out-of-range bounds are clipped
    ],
)
def test_a_band_always_holds_a_path_from_corner_to_corner(lo: list[int], hi: list[int], m: int) -> None:
    band = Band.around(np.array(lo), np.array(hi), m)
    assert band.lo[0] == 0 and band.hi[-1] == m
    assert (np.diff(band.lo) >= 0).all() and (np.diff(band.hi) >= 0).all()
    assert (band.lo <= band.hi).all()
    assert (band.lo[1:] <= band.hi[:-1]).all(), "each row overlaps the previous one"


def test_band_cells_are_listed_row_by_row() -> None:
    band = Band.around(np.array([0, 1, 2]), np.array([1, 2, 3]), 3)
    rows, cols = band.cells()
    assert list(zip(rows.tolist(), cols.tolist(), strict=True)) == [(0, 0), (0, 1), (1, 1), (1, 2), (2, 2), (2, 3)]
    assert band.offsets.tolist() == [0, 2, 4, 6]


def test_the_diagonal_band_follows_relative_length() -> None:
    band = Band.diagonal(np.array([10, 10, 10, 10]), np.array([20, 20]), width=0)
    assert band.lo.tolist() == [0, 0, 1, 1, 2]


def random_scores(band: Band, rng: random.Random) -> dict[Shape, np.ndarray]:
    rows, cols = band.cells()
    out = {}
    for a, b in SHAPES:
        values = np.array([rng.uniform(-1, 1) for _ in range(band.size)])
        out[(a, b)] = np.where((rows >= a) & (cols >= b), values, -np.inf)
    return out


def all_paths(n: int, m: int) -> list[list[Step]]:
    """Every monotone path of the shapes and both skips, by brute force."""
    if (n, m) == (0, 0):
        return [[]]
    paths = []
    for a, b in [*SHAPES, (1, 0), (0, 1)]:
        if n >= a and m >= b:
            paths += [[*p, Step(n - a, m - b, n, m)] for p in all_paths(n - a, m - b)]
    return paths


def path_score(path: list[Step], band: Band, scores: dict[Shape, np.ndarray], skip: float) -> float:
    total = 0.0
    for step in path:
        if step.shape in scores:
            total += scores[step.shape][band.offsets[step.i1] + step.j1 - band.lo[step.i1]]
        else:
            total += skip
    return total


@pytest.mark.parametrize("seed", range(6))
def test_viterbi_finds_the_best_of_all_paths(seed: int) -> None:
    rng = random.Random(seed)
    n, m = rng.randint(1, 4), rng.randint(1, 4)
    band = Band.around(np.zeros(n + 1, np.int64), np.full(n + 1, m), m)  # the whole table
    scores = random_scores(band, rng)
    best = max(path_score(p, band, scores, -0.3) for p in all_paths(n, m))
    found = viterbi(band, scores, -0.3, -0.3)
    assert path_score(found, band, scores, -0.3) == pytest.approx(best)


@pytest.mark.parametrize("seed", range(4))
def test_posteriors_equal_the_share_of_paths_through_each_bead(seed: int) -> None:
    rng = random.Random(seed)
    n, m, temperature = 3, 3, 0.7
    band = Band.around(np.zeros(n + 1, np.int64), np.full(n + 1, m), m)
    scores = random_scores(band, rng)
    paths = all_paths(n, m)
    weights = [math.exp(path_score(p, band, scores, -0.3) / temperature) for p in paths]
    steps = viterbi(band, scores, -0.3, -0.3)
    expected = [sum(w for p, w in zip(paths, weights, strict=True) if s in p) / sum(weights) for s in steps]
    found = posteriors(band, scores, -0.3, -0.3, temperature, steps)
    assert found.tolist() == pytest.approx(expected)


def test_a_path_outside_a_narrow_band_is_found_by_widening() -> None:
    # The true path runs 1-1 along j = i + 6; the first band hugs j = i with width 2.
    n, m = 20, 26

    def score(band: Band) -> dict[Shape, np.ndarray]:
        rows, cols = band.cells()
        on_path = (cols - rows == 6) & (rows >= 1)
        return {(1, 1): np.where(on_path, 1.0, np.where((rows >= 1) & (cols >= 1), -0.5, -np.inf))}

    narrow = Band.around(np.arange(n + 1) - 2, np.arange(n + 1) + 2, m)
    _, _, steps = widening_search(narrow, np.full(n + 1, 2), score, -0.4, -0.4)
    assert [s for s in steps if s.shape == (1, 1)] == [Step(i, i + 6, i + 1, i + 7) for i in range(n)]


def test_the_corridor_covers_rows_a_bead_jumps_over() -> None:
    low, high = corridor(3, [Step(0, 0, 2, 1), Step(2, 1, 3, 4)])
    assert low.tolist() == [0, 0, 0, 1]
    assert high.tolist() == [1, 1, 4, 4]


def test_all_paths_helper_counts_like_the_recursion() -> None:
    # 1x1 table: 1-1, or 1-0 then 0-1, or 0-1 then 1-0
    assert len(all_paths(1, 1)) == 3
    assert all(p[-1].i1 == 1 and p[-1].j1 == 1 for p in all_paths(1, 1))
    assert len(list(itertools.chain(all_paths(0, 2)))) == 1
