"""The search band and the dot products inside it.

A :class:`Band` says, for each source position ``i`` (0..n, a DP row), which reference positions
``lo[i]..hi[i]`` the search visits. Its cells are stored flat, row after row, so memory grows
with the number of cells (document length times band width), never with ``n * m``.

:func:`band_dots` computes ``a_i . b_j`` for the pairs a band needs by a sparse join on shared
features, so its work grows with the number of pairs in the band, not with ``n * m``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pipeline.align.features import SparseRows

#: Rows of ``a`` joined at a time in :func:`band_dots`, which bounds its temporary memory.
BLOCK_ROWS = 64


@dataclass(frozen=True)
class Band:
    """Reference positions ``lo[i]..hi[i]`` (inclusive) for each source position ``i`` in ``0..n``.

    Built by :meth:`around`, which guarantees a path from ``(0, 0)`` to ``(n, m)``: bounds never
    decrease, each row overlaps the one before, and the corners are inside.
    """

    lo: np.ndarray
    hi: np.ndarray
    m: int

    @classmethod
    def around(cls, centre_lo: np.ndarray, centre_hi: np.ndarray, m: int) -> Band:
        """The smallest valid band containing ``[centre_lo[i], centre_hi[i]]`` for every row."""
        lo = np.clip(np.asarray(centre_lo, np.int64), 0, m)
        hi = np.clip(np.asarray(centre_hi, np.int64), 0, m)
        lo = np.minimum.accumulate(lo[::-1])[::-1]  # never decreasing
        hi = np.maximum.accumulate(np.maximum(hi, lo))
        lo[0], hi[-1] = 0, m
        lo[1:] = np.minimum(lo[1:], hi[:-1])  # each row overlaps the previous one
        return cls(lo, hi, m)

    @classmethod
    def diagonal(cls, src_lengths: np.ndarray, ref_lengths: np.ndarray, width: int) -> Band:
        """Rows centred where the reference has covered the same share of its length as the source."""
        src = np.concatenate([[0.0], np.cumsum(np.asarray(src_lengths, np.float64) + 1.0)])
        ref = np.concatenate([[0.0], np.cumsum(np.asarray(ref_lengths, np.float64) + 1.0)])
        centre = np.searchsorted(ref / ref[-1], src / src[-1])
        return cls.around(centre - width, centre + width, len(ref_lengths))

    @property
    def n(self) -> int:
        return len(self.lo) - 1

    @property
    def widths(self) -> np.ndarray:
        return self.hi - self.lo + 1

    @property
    def offsets(self) -> np.ndarray:
        """Flat index of each row's first cell; the last entry is the number of cells."""
        out = np.zeros(len(self.lo) + 1, np.int64)
        np.cumsum(self.widths, out=out[1:])
        return out

    @property
    def size(self) -> int:
        return int(self.widths.sum())

    def cells(self) -> tuple[np.ndarray, np.ndarray]:
        """(i, j) of every cell, in flat order."""
        rows = np.repeat(np.arange(len(self.lo)), self.widths)
        cols = np.arange(self.size) - np.repeat(self.offsets[:-1], self.widths) + np.repeat(self.lo, self.widths)
        return rows, cols

    def touches_edge(self, path_i: np.ndarray, path_j: np.ndarray, margin: int) -> np.ndarray:
        """Rows where a path comes within ``margin`` of a band edge that is not a document edge."""
        near_lo = (path_j - self.lo[path_i] < margin) & (self.lo[path_i] > 0)
        near_hi = (self.hi[path_i] - path_j < margin) & (self.hi[path_i] < self.m)
        return np.unique(path_i[near_lo | near_hi])


@dataclass(frozen=True)
class BandDots:
    """``a_r . b_c`` for ``c`` in ``lo[r]..hi[r]``, one row per ``a`` row, stored flat."""

    lo: np.ndarray
    hi: np.ndarray
    offsets: np.ndarray
    values: np.ndarray

    def get(self, r: np.ndarray, c: np.ndarray) -> np.ndarray:
        """Values at (r, c); pairs outside the computed band must not be asked for."""
        return self.values[self.offsets[r] + c - self.lo[r]]


def band_dots(a: SparseRows, b: SparseRows, lo: np.ndarray, hi: np.ndarray, block_rows: int = BLOCK_ROWS) -> BandDots:
    """Dot products of row ``r`` of ``a`` with rows ``lo[r]..hi[r]`` of ``b`` (none when hi < lo).

    A sparse join, a block of ``a`` rows at a time: the entries of the ``b`` rows the block can
    reach are sorted by (feature, row), so those sharing a feature with an entry of ``a`` and
    lying in its row's window form one contiguous run, found by binary search. Every product of
    matching entries is added to its band cell. The work grows with the number of shared
    features inside the band, never with ``n * m``.
    """
    lo = np.asarray(lo, np.int64)
    hi = np.maximum(np.asarray(hi, np.int64), lo - 1)
    widths = hi - lo + 1
    offsets = np.zeros(len(lo) + 1, np.int64)
    np.cumsum(widths, out=offsets[1:])
    values = np.zeros(int(offsets[-1]), np.float64)
    for start in range(0, len(lo), block_rows):
        stop = min(start + block_rows, len(lo))
        active = widths[start:stop] > 0
        if not active.any():
            continue
        first_row, last_row = int(lo[start:stop][active].min()), int(hi[start:stop][active].max())
        _join_block(a, b, start, stop, first_row, last_row + 1, lo, hi, offsets, values)
    return BandDots(lo, hi, offsets, values)


def _join_block(
    a: SparseRows,
    b: SparseRows,
    a0: int,
    a1: int,
    b0: int,
    b1: int,
    lo: np.ndarray,
    hi: np.ndarray,
    offsets: np.ndarray,
    values: np.ndarray,
) -> None:
    """Add ``a_r . b_c`` for rows ``a0..a1-1`` and their windows (all inside ``b0..b1-1``) to ``values``."""
    b_rows, b_cols, b_data = b.slice(b0, b1)
    stride = b1 - b0 + 1
    b_keys = b_cols * stride + b_rows
    order = np.argsort(b_keys)
    b_keys, b_rows, b_data = b_keys[order], b_rows[order] + b0, b_data[order]
    rows, cols, data = a.slice(a0, a1)
    rows = rows + a0
    first = np.searchsorted(b_keys, cols * stride + np.maximum(lo[rows] - b0, 0))
    last = np.searchsorted(b_keys, cols * stride + (hi[rows] - b0 + 1))
    counts = np.maximum(last - first, 0)  # rows with an empty window match nothing
    total = int(counts.sum())
    if total == 0:
        return
    owner = np.repeat(np.arange(len(rows)), counts)
    matched = first[owner] + np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
    cells = offsets[rows[owner]] + b_rows[matched] - lo[rows[owner]]
    products = data[owner].astype(np.float64) * b_data[matched]
    base = int(offsets[a0])
    values[base : offsets[a1]] += np.bincount(cells - base, weights=products, minlength=int(offsets[a1]) - base)


def neighbour_dots(rows: SparseRows, distance: int) -> np.ndarray:
    """``x_r . x_{r + distance}`` for every ``r`` (0 where ``r + distance`` is past the end)."""
    count = len(rows)
    partner = np.arange(count) + distance
    inside = partner < count
    start = np.minimum(partner, count)
    # one partner per row: large blocks cost no more memory and save most of the per-block work
    dots = band_dots(rows, rows, start, np.where(inside, partner, start - 1), block_rows=1024)
    out = np.zeros(count)
    out[inside] = dots.values
    return out


def span_sums(values: np.ndarray, size: int) -> np.ndarray:
    """``S[e] = values[e - size] + ... + values[e - 1]`` for ``e`` in ``0..len``; NaN where ``e < size``."""
    prefix = np.concatenate([[0.0], np.cumsum(values, dtype=np.float64)])
    out = np.full(len(values) + 1, np.nan)
    if size <= len(values):
        out[size:] = prefix[size:] - prefix[: len(prefix) - size]
    return out


def span_square_norms(norms: np.ndarray, neighbours: list[np.ndarray], size: int) -> np.ndarray:
    """``|x_{e-size} + ... + x_{e-1}|^2`` for each end ``e``, from norms and neighbour dot products.

    ``neighbours[d - 1][r]`` is ``x_r . x_{r+d}``; a span of ``size`` sentences needs ``d < size``.
    """
    total = span_sums(norms**2, size)
    if size > len(norms):
        return total
    for distance in range(1, size):
        # pairs (r, r + distance) inside the span [e - size, e): r from e - size to e - 1 - distance
        pair = span_sums(neighbours[distance - 1], size - distance)
        total[size:] += 2.0 * pair[size - distance : len(pair) - distance]
    return total
