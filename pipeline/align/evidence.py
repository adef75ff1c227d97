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

from pipeline.align.band import BandDots
from pipeline.align.english import Keys
from pipeline.align.features import SparseRows, distinct

#: Words joined at a time (a sentence's words share its window, so blocks of many words reach few sentences).
WORD_BLOCK = 1024
#: ``a`` is kept below this, so that a miss never costs an infinite amount.
MAX_RATE = 0.9
#: Words whose matches are found and counted at a time (bounds the memory of a long document's matches).
MATCH_CHUNK = 1 << 16
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
    pairs = distinct(np.repeat(groups, np.diff(rows.indptr)) * width + rows.indices)
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
    pairs = distinct(word_rows[entry] * len(bags) + bag_rows[hit])  # a word counts a sentence once
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

    def matches(
        self, lo: np.ndarray, hi: np.ndarray, first: int = 0, stop: int | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """(word, other sentence) pairs sharing a key, the other sentence in ``lo..hi`` of the word's own
        sentence, for words ``first..stop-1``; each pair once, sorted by word then sentence."""
        stop = len(self.side.owner) if stop is None else stop
        owner = self.side.owner[first:stop]
        words, found = sparse_matches(self.side.words.part(first, stop), self.other.bags, lo[owner], hi[owner])
        return words + first, found

    def ratios(self, lo: np.ndarray, hi: np.ndarray, sizes: Iterable[int], a: float) -> dict[int, BandDots]:
        """For each span size ``k``: per sentence ``s`` of this side and other-side end ``e`` in its window,
        the summed log-likelihood ratio of its words against the span ``e-k+1..e`` (module docstring).

        Every word first counts as a miss; each matched word then adds ``gain - miss`` to the span ends
        its match reaches (``e`` from the match to ``k - 1`` sentences after it, once however many of the
        span's sentences match). Work and memory grow with the matches and the window cells, not with
        words times windows.
        """
        a = min(a, MAX_RATE)
        miss = math.log(1.0 - a)
        owner, sizes = self.side.owner, list(sizes)
        widths = np.maximum(hi - lo + 1, 0)
        offsets = np.zeros(len(widths) + 1, np.int64)
        np.cumsum(widths, out=offsets[1:])
        # each row's segment has one slot more, so that an interval ending at the window's edge closes inside it
        extended = offsets + np.arange(len(offsets))
        diffs = {k: np.zeros(int(extended[-1]) + 1) for k in sizes}
        for first in range(0, len(owner), MATCH_CHUNK):  # the matches of a chunk of words at a time
            words, found = self.matches(lo, hi, first, min(first + MATCH_CHUNK, len(owner)))
            row = owner[words]
            previous = np.full(len(words), -(10**9), np.int64)  # the word's match before this one
            same = np.flatnonzero(words[1:] == words[:-1]) + 1
            previous[same] = found[same - 1]
            for k in sizes:
                q = np.minimum(1.0 - (1.0 - self.chance) ** k, MAX_CHANCE)
                gain = (np.log((q + (1.0 - q) * a) / q) - miss)[words]
                start = np.maximum(found, previous + k)  # ends already reached by the word's previous match
                end = np.minimum(found + k - 1, hi[row])
                keep = start <= end
                at, value = extended[row[keep]] - lo[row[keep]], gain[keep]
                size = len(diffs[k])
                diffs[k] += np.bincount(at + start[keep], value, size) - np.bincount(at + end[keep] + 1, value, size)
        base = np.repeat(miss * np.bincount(owner, minlength=len(widths)), widths)
        out = {}
        for k in sizes:
            running = np.cumsum(diffs[k])[:-1]
            cells = np.delete(running, extended[1:] - 1) if len(widths) else running
            out[k] = BandDots(lo, hi, offsets, base + cells)
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
        words, _ = self.matches(lo, hi)
        hit = np.zeros(len(self.side.owner), bool)
        hit[words] = True  # matched in some sentence of its span
        span = np.maximum(hi - lo + 1, 1)[self.side.owner]
        chance = 1.0 - (1.0 - self.chance) ** span
        observed, expected = hit[selected].mean(), chance[selected].mean()
        rate = float(np.clip((observed - expected) / (1.0 - expected), 0.0, 1.0))
        return Measure(rate, int(selected.sum()))


def sparse_matches(
    words: SparseRows, bags: SparseRows, lo: np.ndarray, hi: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(word, sentence) pairs where a key of word ``w`` is in the bag of a sentence in ``lo[w]..hi[w]``.

    A join on keys, a block of words at a time: the bag entries the block can reach are sorted by
    (key, sentence), so those a word's key meets inside its window form one run, found by binary search.
    """
    pairs_w, pairs_s = [], []
    for start in range(0, len(words), WORD_BLOCK):
        stop = min(start + WORD_BLOCK, len(words))
        active = hi[start:stop] >= lo[start:stop]
        if not active.any():
            continue
        b0, b1 = int(lo[start:stop][active].min()), int(hi[start:stop][active].max()) + 1
        bag_rows, bag_keys, _ = bags.slice(b0, b1)
        stride = b1 - b0 + 1
        order = np.argsort(bag_keys * stride + bag_rows)
        joined = (bag_keys * stride + bag_rows)[order]
        rows, keys, _ = words.slice(start, stop)
        rows = rows + start
        first = np.searchsorted(joined, keys * stride + np.maximum(lo[rows] - b0, 0))
        counts = np.maximum(np.searchsorted(joined, keys * stride + (hi[rows] - b0 + 1)) - first, 0)
        entry = np.repeat(np.arange(len(rows)), counts)
        hit = first[entry] + np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
        pairs_w.append(rows[entry])
        pairs_s.append(bag_rows[order][hit] + b0)
    if not pairs_w:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    width = int(bags.indptr.shape[0])
    unique = distinct(np.concatenate(pairs_w) * width + np.concatenate(pairs_s))
    return unique // width, unique % width


@dataclass(frozen=True)
class Measure:
    """An excess match rate and how many words it was measured on."""

    rate: float
    words: int
