"""Word-matching evidence for a bead, as a log-likelihood ratio against chance.

Each word of one side (a Chinese word, a word of the machine translation, a reference word) has
*keys* (:mod:`pipeline.align.english`, :mod:`pipeline.align.chinese`); it is **matched** in a
span of sentences of the other side when one of its keys occurs there. For a bead linking spans
``I`` and ``J``, each word ``t`` of ``I`` contributes

    log(p / q)       if t is matched in J            p = q + (1 - q) * a
    log(1 - a)       if it is not

where ``q`` is the chance that ``t`` is matched in a random span of ``|J|`` sentences of the same
document (from how many of the document's sentences match it: ``1 - (1 - q1) ** |J|``), and ``a``
how much more often a word finds its match in its true translation than by chance. This is the
log-likelihood ratio of "J translates I" against "J is unrelated": a word that is matched
everywhere (``say`` in a novel) proves little, a rare one matched once proves much, and a word
with no match costs a little. With ``a`` near 0 the evidence weighs nothing either way, which is
how a meaningless machine translation ends up ignored (:func:`excess_match_rate`).

Computation: the words of each sentence are matched against the sentences in that sentence's
window of the search band, by the sparse join of :func:`pipeline.align.band.band_dots` (words as
rows of keys, sentences as rows of keys); a span's match is an OR over its sentences, from a
running count along each word's window. Work and memory grow with words times window width.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from pipeline.align.band import BandDots, band_dots
from pipeline.align.english import Keys
from pipeline.align.features import SparseRows

#: Words joined at a time (a sentence's words share its window, so blocks of many words reach few sentences).
WORD_BLOCK = 1024
#: ``a`` is kept below this, so that a miss never costs an infinite amount.
MAX_RATE = 0.9
#: Chance levels are kept below this, so that a word matched everywhere still has a finite ratio.
MAX_CHANCE = 0.999


class KeySpace:
    """Key strings -> column ids, shared by every side of one document."""

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}

    def side(self, sentences: Sequence[Sequence[Keys]]) -> Side:
        """The words (rows of keys) and sentence bags of keys of one side.

        A word that occurs again with the same keys is one *type*: what depends on its keys alone
        (in how many sentences it is matched) is computed once per type.
        """
        ids = self.ids
        types: dict[Keys, int] = {}
        columns: list[list[int]] = []
        owner: list[int] = []
        kind: list[int] = []
        for index, words in enumerate(sentences):
            for keys in words:
                found = types.get(keys)
                if found is None:
                    found = types[keys] = len(columns)
                    columns.append(sorted({ids.setdefault(k, len(ids)) for k in keys}))
                kind.append(found)
                owner.append(index)
        type_rows = _rows(
            [0, *np.cumsum([len(c) for c in columns], dtype=np.int64).tolist()], [c for cs in columns for c in cs]
        )
        return Side.of(np.array(owner, np.int64), np.array(kind, np.int64), type_rows, len(sentences))


def _rows(indptr: list[int] | np.ndarray, indices: list[int] | np.ndarray) -> SparseRows:
    return SparseRows(np.asarray(indptr, np.int64), np.asarray(indices, np.int64), np.ones(len(indices), np.float32))


def _gather(rows: SparseRows, picks: np.ndarray) -> SparseRows:
    """The rows ``picks`` of ``rows``, in that order."""
    lengths = np.diff(rows.indptr)[picks]
    indptr = np.zeros(len(picks) + 1, np.int64)
    np.cumsum(lengths, out=indptr[1:])
    starts = np.repeat(rows.indptr[:-1][picks] - indptr[:-1], lengths)
    return _rows(indptr, rows.indices[np.arange(int(indptr[-1])) + starts])


def _union(groups: np.ndarray, rows: SparseRows, count: int) -> SparseRows:
    """For each group ``g < count``: the union of the keys of the rows whose ``groups`` entry is ``g``."""
    width = int(rows.indices.max(initial=0)) + 1
    pairs = np.unique(np.repeat(groups, np.diff(rows.indptr)) * width + rows.indices)
    owners, keys = np.divmod(pairs, width)
    indptr = np.zeros(count + 1, np.int64)
    np.cumsum(np.bincount(owners, minlength=count), out=indptr[1:])
    return _rows(indptr, keys)


@dataclass(frozen=True)
class Side:
    """One side's words: the sentence each belongs to, its type and keys; and each sentence's bag of keys."""

    owner: np.ndarray
    kind: np.ndarray  # each word's type (distinct keys)
    types: SparseRows  # the keys of each type
    words: SparseRows
    bags: SparseRows

    @classmethod
    def of(cls, owner: np.ndarray, kind: np.ndarray, types: SparseRows, sentences: int) -> Side:
        words = _gather(types, kind)
        return cls(owner, kind, types, words, _union(owner, words, sentences))

    @property
    def sentences(self) -> int:
        return len(self.bags)

    def blocks(self, size: int) -> Side:
        """The side with every ``size`` consecutive sentences as one (their words, the union of their keys)."""
        owner = self.owner // size
        return Side(owner, self.kind, self.types, self.words, _union(owner, self.words, -(-self.sentences // size)))


def matched_sentences(words: SparseRows, bags: SparseRows) -> np.ndarray:
    """For each word: in how many of ``bags``' sentences one of its keys occurs."""
    if len(words) == 0 or len(bags) == 0:
        return np.zeros(len(words))
    bag_rows = np.repeat(np.arange(len(bags)), np.diff(bags.indptr))
    order = np.argsort(bags.indices, kind="stable")
    bag_keys, bag_rows = bags.indices[order], bag_rows[order]
    word_rows = np.repeat(np.arange(len(words)), np.diff(words.indptr))
    first = np.searchsorted(bag_keys, words.indices, "left")
    counts = np.searchsorted(bag_keys, words.indices, "right") - first
    total = int(counts.sum())
    if total == 0:
        return np.zeros(len(words))
    entry = np.repeat(np.arange(len(word_rows)), counts)
    hit = first[entry] + np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
    pairs = np.unique(word_rows[entry] * len(bags) + bag_rows[hit])  # a word counts a sentence once
    return np.bincount(pairs // len(bags), minlength=len(words)).astype(np.float64)


@dataclass(frozen=True)
class Direction:
    """The words of one side matched against the sentences of the other."""

    side: Side
    other: Side
    chance: np.ndarray  # q1 of each word: the share of the other side's sentences matching it

    @classmethod
    def between(cls, side: Side, other: Side) -> Direction:
        hits = matched_sentences(side.types, other.bags)[side.kind]
        return cls(side, other, (hits + 0.5) / (other.sentences + 1.0))

    def matches(self, lo: np.ndarray, hi: np.ndarray) -> BandDots:
        """Shared keys of each word with the other side's sentences ``lo..hi`` of its own sentence's window."""
        owner = self.side.owner
        return band_dots(self.side.words, self.other.bags, lo[owner], hi[owner], WORD_BLOCK)

    def ratios(self, lo: np.ndarray, hi: np.ndarray, sizes: Iterable[int], a: float) -> dict[int, BandDots]:
        """For each span size ``k``: per sentence ``s`` of this side and other-side end ``e`` in its window,
        the summed log-likelihood ratio of its words against the span ``e-k+1..e`` (module docstring)."""
        a = min(a, MAX_RATE)
        dots = self.matches(lo, hi)
        matched = np.concatenate([[0], np.cumsum(dots.values > 0)])
        word_of = np.repeat(np.arange(len(self.side.owner)), np.diff(dots.offsets))
        position = np.arange(len(dots.values)) - dots.offsets[word_of]
        widths = np.maximum(hi - lo + 1, 0)
        offsets = np.zeros(len(widths) + 1, np.int64)
        np.cumsum(widths, out=offsets[1:])
        cells = offsets[self.side.owner[word_of]] + position
        flat = np.arange(len(dots.values))
        out = {}
        for k in sizes:
            start = flat - np.minimum(position, k - 1)  # the span's first sentence, cut at the window's start
            hit = matched[flat + 1] - matched[start] > 0
            q = np.minimum(1.0 - (1.0 - self.chance) ** k, MAX_CHANCE)
            gain = np.log((q + (1.0 - q) * a) / q)
            values = np.where(hit, gain[word_of], math.log(1.0 - a))
            sums = np.bincount(cells, weights=values, minlength=int(offsets[-1]))
            out[k] = BandDots(lo, hi, offsets, sums)
        return out

    def excess_match_rate(self, links: Sequence[tuple[int, int, int]]) -> Measure:
        """How much more often this side's words are matched in their linked span than by chance.

        ``links`` are (own sentence, first and last other sentence) believed right. The estimate is
        ``(observed - chance) / (1 - chance)`` over their words, clipped to [0, 1]: about 0 for a
        translation that carries no meaning (or a reference of another text), larger the more of
        its words find their match. Returned with the number of words it was measured on.
        """
        if not links:
            return Measure(0.0, 0)
        own = np.array([link[0] for link in links], np.int64)
        lo = np.zeros(self.side.sentences, np.int64)
        hi = np.full(self.side.sentences, -1, np.int64)
        lo[own], hi[own] = [link[1] for link in links], [link[2] for link in links]
        selected = hi[self.side.owner] >= 0
        if not selected.any():
            return Measure(0.0, 0)
        dots = self.matches(lo, hi)
        widths = np.diff(dots.offsets)
        matched = np.concatenate([[0], np.cumsum(dots.values > 0)])
        hit = matched[dots.offsets[1:]] - matched[dots.offsets[:-1]] > 0  # any sentence of the span
        span = np.maximum(widths, 1)
        chance = 1.0 - (1.0 - self.chance) ** span
        observed, expected = hit[selected].mean(), chance[selected].mean()
        rate = float(np.clip((observed - expected) / (1.0 - expected), 0.0, 1.0))
        return Measure(rate, int(selected.sum()))


@dataclass(frozen=True)
class Measure:
    """An excess match rate and how many words it was measured on."""

    rate: float
    words: int
