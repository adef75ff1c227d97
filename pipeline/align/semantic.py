"""Semantic similarity of the translation to the reference, from an English sentence encoder.

Both sides are English (the machine translation and the reference), so a small monolingual
encoder (:mod:`pipeline.align.embed`) compares them where Bertalign needs a cross-lingual one
(LaBSE) to compare Chinese with English. One forward pass over every sentence gives its tokens' vectors:

* **token matching**, as BERTScore (Zhang et al., 2020) compares a translation with its
  reference: each token of a bead's translation finds its most similar token (cosine of
  contextual vectors) among the bead's reference sentences, and each reference token its most
  similar translation token. A bead scores the IDF-weighted sum over all its tokens of how much
  better that best match is than chance::

      coverage(I, J) = [ sum_{t in I} w_t (best_J(t) - chance_mt[|J|])
                       + sum_{h in J} w_h (best_I(h) - chance_ref[|I|]) ] / scale

  where ``chance_mt[k]`` is the weighted mean best match of translation tokens among ``k``
  random consecutive reference sentences of the same document (and ``chance_ref[k]`` the
  reverse): a larger bead offers more tokens to match, so its chance level is higher, and
  merging a sentence into a bead pays only when it is matched better than by chance. ``scale``
  (twice the mean sentence weight times ``1 - chance``) makes a typical 1-1 link worth about its
  rescaled BERTScore. The sum is over tokens, not a mean, so a reference sentence that renders
  half of one Chinese sentence and half of the next counts towards the 2-2 link it belongs to,
  which a per-bead similarity blurs.
:func:`match_windows` computes, for every translation sentence and every reference sentence in
its window of the band, each token's best similarity within that one sentence; a bead's best match is
the maximum over its sentences (a sliding
maximum along the window). The work grows with the pairs in the band times their token counts:
linearly in the document length.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from pipeline.align.embed import Encoding, SentenceEncoder
from pipeline.align.search import Shape

#: Random spans that estimate the chance levels; spans starting this close to the diagonal are left out.
CHANCE_SAMPLES = 200
CHANCE_DISTANCE = 5
#: Typical chance levels (MAC-Dev, all-MiniLM-L6-v2) and how many samples each counts as, so that
#: a document of a few sentences, with no random pairs of its own, still has a sensible level.
TOKEN_CHANCE_PRIOR = ({1: 0.20, 2: 0.25, 3: 0.28, 4: 0.31}, 20.0)


@dataclass(frozen=True)
class TokenVectors:
    """Contextual token vectors of a list of sentences, unit length (float32), with IDF weights.

    ``vectors[offsets[s]:offsets[s + 1]]`` are sentence ``s``'s tokens. A sentence without tokens
    holds one zero vector of weight 0, so that every sentence has at least one row.
    """

    vectors: np.ndarray
    weights: np.ndarray
    offsets: np.ndarray

    def __len__(self) -> int:
        return len(self.offsets) - 1

    @classmethod
    def of(cls, encodings: Sequence[Encoding], weights: Sequence[np.ndarray], dim: int) -> TokenVectors:
        vectors, kept, offsets = [], [], [0]
        for encoding, w in zip(encodings, weights, strict=True):
            if len(encoding.tokens):
                vectors.append(encoding.tokens)
                kept.append(w)
            else:
                vectors.append(np.zeros((1, dim), np.float32))
                kept.append(np.zeros(1))
            offsets.append(offsets[-1] + len(vectors[-1]))
        if not vectors:
            return cls(np.zeros((0, dim), np.float32), np.zeros(0), np.zeros(1, np.int64))
        # float32 for the products (the encoder's cache keeps float16, half the memory)
        return cls(np.concatenate(vectors, dtype=np.float32), np.concatenate(kept), np.asarray(offsets, np.int64))

    def totals(self) -> np.ndarray:
        """Summed token weight of every sentence."""
        return np.add.reduceat(self.weights, self.offsets[:-1]) if len(self) else np.zeros(0)

    def rows(self, start: int, stop: int) -> np.ndarray:
        """The token vectors of sentences ``start..stop-1``."""
        return self.vectors[self.offsets[start] : self.offsets[stop]]


def idf_weights(ids: Sequence[np.ndarray]) -> list[np.ndarray]:
    """``log((N + 1) / (df + 1))`` for each token, over the ``N`` sentences given (BERTScore's IDF)."""
    counts: dict[int, int] = {}
    for sentence in ids:
        for token in set(sentence.tolist()):
            counts[token] = counts.get(token, 0) + 1
    total = len(ids)
    return [np.log((total + 1) / (np.array([counts[t] for t in s.tolist()], np.float64) + 1)) for s in ids]


@dataclass(frozen=True)
class Windowed:
    """Per-row values over a contiguous window of columns ``lo[r]..hi[r]``, stored flat."""

    lo: np.ndarray
    offsets: np.ndarray
    values: np.ndarray

    def get(self, r: np.ndarray, c: np.ndarray) -> np.ndarray:
        """Values at (r, c); pairs outside the windows must not be asked for."""
        return self.values[self.offsets[r] + c - self.lo[r]]


@dataclass(frozen=True)
class WindowMatches:
    """What :func:`match_windows` found for the pairs of a band.

    ``precision[b].get(r, c)``: the weighted sum over translation ``r``'s tokens of each one's best
    similarity within references ``c - b + 1 .. c``; ``recall[a].get(c, r)``: the same for
    reference ``c``'s tokens within translations ``r - a + 1 .. r``.
    """

    precision: dict[int, Windowed]
    recall: dict[int, Windowed]


def _flat(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    offsets = np.zeros(len(lo) + 1, np.int64)
    np.cumsum(np.maximum(hi - lo + 1, 0), out=offsets[1:])
    return offsets


def _sliding_max(block: np.ndarray, size: int) -> np.ndarray:
    """``out[:, k] = max(block[:, k - size + 1 .. k])`` (fewer columns at the start)."""
    out = block.copy()
    for shift in range(1, min(size, block.shape[1])):
        np.maximum(out[:, shift:], block[:, :-shift], out=out[:, shift:])
    return out


class SemanticDocument:
    """The encoder's view of one document: token vectors, sentence vectors and chance levels."""

    def __init__(
        self, mt: Sequence[Encoding], ref: Sequence[Encoding], sizes_a: Sequence[int], sizes_b: Sequence[int]
    ) -> None:
        self.n, self.m = len(mt), len(ref)
        self.sizes_a, self.sizes_b = sorted(set(sizes_a)), sorted(set(sizes_b))
        dim = len((mt or ref)[0].sentence) if (mt or ref) else 1
        weights = idf_weights([e.ids for e in (*mt, *ref)])
        self.mt_tokens = TokenVectors.of(mt, weights[: self.n], dim)
        self.ref_tokens = TokenVectors.of(ref, weights[self.n :], dim)
        self.mt_weight = span_prefix(self.mt_tokens.totals())
        self.ref_weight = span_prefix(self.ref_tokens.totals())
        self.precision_chance, self.recall_chance = self._token_chance()
        chance_one = (self.precision_chance[1] + self.recall_chance[1]) / 2
        mean_weight = float(np.mean([*self.mt_tokens.totals(), *self.ref_tokens.totals()])) if self.n + self.m else 1.0
        self.token_scale = max(2.0 * mean_weight * (1.0 - chance_one), 1e-9)

    @classmethod
    def encode(
        cls, encoder: SentenceEncoder, translations: Sequence[str], references: Sequence[str], shapes: Sequence[Shape]
    ) -> SemanticDocument:
        """Every sentence of both sides encoded once (``encoder`` caches by text)."""
        encoded = encoder.encode([*translations, *references])
        n = len(translations)
        return cls(encoded[:n], encoded[n:], [a for a, _ in shapes], [b for _, b in shapes])

    def _starts(self) -> list[tuple[int, int]]:
        rng = random.Random(self.n * 7919 + self.m)  # the same document always gets the same sample
        pairs = [(rng.randrange(self.n), rng.randrange(self.m)) for _ in range(CHANCE_SAMPLES)]
        return [(i, j) for i, j in pairs if abs(i * self.m / self.n - j) > CHANCE_DISTANCE]

    def _token_chance(self) -> tuple[dict[int, float], dict[int, float]]:
        """Chance levels by span size, from random starts ``(i, j)`` away from the diagonal.

        ``precision[b]``: the weighted mean best match of translation ``i``'s tokens among
        references ``j .. j+b-1``; ``recall[a]``: of reference ``j``'s tokens among translations
        ``i .. i+a-1``. Each is drawn towards the prior (:data:`TOKEN_CHANCE_PRIOR`).
        """
        prior, count = TOKEN_CHANCE_PRIOR
        mt, ref = self.mt_tokens, self.ref_tokens
        sizes_b, sizes_a = [1, *self.sizes_b], [1, *self.sizes_a]
        precision, recall = np.zeros(max(sizes_b) + 1), np.zeros(max(sizes_a) + 1)
        total = 0
        for i, j in self._starts() if self.n and self.m else []:
            i1, j1 = min(i + max(sizes_a), self.n), min(j + max(sizes_b), self.m)
            sims = mt.rows(i, i1) @ ref.rows(j, j1).T
            w_mt = mt.weights[mt.offsets[i] : mt.offsets[i + 1]]
            w_ref = ref.weights[ref.offsets[j] : ref.offsets[j + 1]]
            if w_mt.sum() <= 0 or w_ref.sum() <= 0:
                continue
            total += 1
            for b in set(sizes_b):  # translation i's tokens against the first b references
                stop = ref.offsets[min(j + b, self.m)] - ref.offsets[j]
                precision[b] += w_mt @ sims[: len(w_mt), :stop].max(axis=1) / w_mt.sum()
            for a in set(sizes_a):  # reference j's tokens against the first a translations
                stop = mt.offsets[min(i + a, self.n)] - mt.offsets[i]
                recall[a] += w_ref @ sims[:stop, : len(w_ref)].max(axis=0) / w_ref.sum()

        def level(sums: np.ndarray, size: int) -> float:
            return float((sums[size] + count * prior[min(size, max(prior))]) / (total + count))

        return {b: level(precision, b) for b in set(sizes_b)}, {a: level(recall, a) for a in set(sizes_a)}

    def coverage(self, matches: WindowMatches, a: int, b: int, i: np.ndarray, j: np.ndarray) -> np.ndarray:
        """Token coverage beyond chance of the beads of shape ``(a, b)`` ending at cells ``(i, j)``."""
        precision = sum(matches.precision[b].get(i - 1 - p, j - 1) for p in range(a))
        recall = sum(matches.recall[a].get(j - 1 - q, i - 1) for q in range(b))
        mt_weight = self.mt_weight[i] - self.mt_weight[i - a]
        ref_weight = self.ref_weight[j] - self.ref_weight[j - b]
        gained = precision - self.precision_chance[b] * mt_weight + recall - self.recall_chance[a] * ref_weight
        return np.asarray(gained, np.float64) / self.token_scale

    def match_windows(self, lo: np.ndarray, hi: np.ndarray) -> WindowMatches:
        """Best token matches of translation ``r`` against each reference in ``lo[r]..hi[r]``, and back."""
        return match_windows(self.mt_tokens, self.ref_tokens, lo, hi, self.sizes_a, self.sizes_b)


def span_prefix(values: np.ndarray) -> np.ndarray:
    """``out[e]`` = sum of ``values[:e]``, so a span's sum is a difference of two entries."""
    return np.concatenate([[0.0], np.cumsum(values, dtype=np.float64)])


def match_windows(
    mt: TokenVectors,
    ref: TokenVectors,
    lo: np.ndarray,
    hi: np.ndarray,
    sizes_a: Sequence[int],
    sizes_b: Sequence[int],
) -> WindowMatches:
    """For each translation ``r`` and reference ``c`` in ``lo[r]..hi[r]``: best token matches both ways."""
    n, m = len(mt), len(ref)
    lo = np.asarray(lo, np.int64)
    hi = np.maximum(np.asarray(hi, np.int64), lo - 1)
    offsets = _flat(lo, hi)
    # the translations whose window holds reference c form a contiguous run, as lo and hi never decrease
    rlo = np.searchsorted(hi, np.arange(m), side="left")
    rhi = np.searchsorted(lo, np.arange(m), side="right") - 1
    columns = [np.full((ref.offsets[c + 1] - ref.offsets[c], max(rhi[c] - rlo[c] + 1, 0)), -1.0) for c in range(m)]
    rows = [_match_row(mt, ref, r, lo, hi, rlo, columns) for r in range(n)]
    precision = {b: _weighted(rows, mt, lo, offsets, b) for b in sizes_b}
    recall = {a: _weighted(columns, ref, rlo, _flat(rlo, rhi), a) for a in sizes_a}
    return WindowMatches(precision, recall)


def _match_row(
    mt: TokenVectors,
    ref: TokenVectors,
    r: int,
    lo: np.ndarray,
    hi: np.ndarray,
    rlo: np.ndarray,
    columns: list[np.ndarray],
) -> np.ndarray:
    """Translation ``r``'s best match within each reference of its window; fills ``columns`` back."""
    if hi[r] < lo[r]:
        return np.zeros((mt.offsets[r + 1] - mt.offsets[r], 0))
    start = ref.offsets[lo[r]]
    sims = mt.rows(r, r + 1) @ ref.rows(int(lo[r]), int(hi[r]) + 1).T
    best = sims.max(axis=0)
    for c in range(int(lo[r]), int(hi[r]) + 1):
        columns[c][:, r - rlo[c]] = best[ref.offsets[c] - start : ref.offsets[c + 1] - start]
    return np.maximum.reduceat(sims, ref.offsets[lo[r] : hi[r] + 1] - start, axis=1)


def _weighted(blocks: list[np.ndarray], side: TokenVectors, lo: np.ndarray, offsets: np.ndarray, size: int) -> Windowed:
    """Weighted sums of the sliding maxima of each sentence's block, flat by window."""
    values = np.zeros(int(offsets[-1]))
    for s, block in enumerate(blocks):
        if block.shape[1]:
            weights = side.weights[side.offsets[s] : side.offsets[s + 1]]
            values[offsets[s] : offsets[s + 1]] = weights @ _sliding_max(block, size)
    return Windowed(lo, offsets, values)
