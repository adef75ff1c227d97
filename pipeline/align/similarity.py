"""How similar a bead's machine translation is to its reference text: TF-IDF cosine, damped by length.

Both sides are English, so they are compared as text (:mod:`pipeline.align.features`: character
trigrams and words, weighted by IDF within the document). For source span ``I`` and reference
span ``J``:

    similarity = cos(MT_I, REF_J) * rho ** LENGTH_EXPONENT + EVIDENCE_WEIGHT * evidence(I, J)

* ``rho = min(x, y) / max(x, y)`` compares the reference length ``y`` with the length ``x``
  predicted from the source: the geometric mean of the Chinese length and the translation length,
  each scaled by its ratio to English estimated from the document;
* ``evidence`` is the dot product minus what chance gives for vectors of these norms (the mean
  cosine of random sentence pairs of the same document), divided by a typical pair's norms.

Vectors of merged sentences are sums of their rows, so every span's similarity comes from dot
products of single sentences (:mod:`pipeline.align.band`).
"""

from __future__ import annotations

import random
from collections.abc import Sequence

import numpy as np

from pipeline.align.band import BandDots, band_dots, neighbour_dots, span_square_norms, span_sums
from pipeline.align.features import FeatureSpace, SparseRows

LENGTH_EXPONENT = 0.6
EVIDENCE_WEIGHT = 0.15
#: English characters per character of English translation, and how many characters that guess counts as.
MT_RATIO_PRIOR = (1.1, 1000.0)
#: Random sentence pairs that estimate chance similarity; pairs this close to the diagonal are left out.
CHANCE_PAIRS = 400
CHANCE_DISTANCE = 5


class TranslationSimilarity:
    """The similarity above for every bead of a band, from the document's translations and references."""

    def __init__(
        self,
        translations: Sequence[str],
        references: Sequence[str],
        src_length: np.ndarray,
        ref_length: np.ndarray,
        zh_ratio: float,
        sizes: tuple[Sequence[int], Sequence[int]],
    ) -> None:
        n = len(translations)
        self.space = FeatureSpace([*translations, *references])
        self.mt, self.ref = self.space.rows.part(0, n), self.space.rows.part(n, n + len(references))
        mt_length = np.array([len(t.strip()) + 1.0 for t in translations])
        self.mt_ratio = (ref_length.sum() + MT_RATIO_PRIOR[0] * MT_RATIO_PRIOR[1]) / (
            mt_length.sum() + MT_RATIO_PRIOR[1]
        )
        self.zh_ratio = zh_ratio
        self.mt_norms, self.ref_norms = self.mt.norms(), self.ref.norms()
        self.mt_spans = _spans(self.mt, self.mt_norms, sizes[0])
        self.ref_spans = _spans(self.ref, self.ref_norms, sizes[1])
        self.zh_length = {a: span_sums(src_length, a) for a in sizes[0]}
        self.mt_length = {a: span_sums(mt_length, a) for a in sizes[0]}
        self.en_length = {b: span_sums(ref_length, b) for b in sizes[1]}
        self.scale = float(self.mt_norms.mean() * self.ref_norms.mean()) if n and len(references) else 1.0
        self.scale = self.scale or 1.0
        self.chance = self._chance()

    def dots(self, lo: np.ndarray, hi: np.ndarray) -> BandDots:
        """``mt_r . ref_c`` for ``c`` in ``lo[r]..hi[r]``."""
        return band_dots(self.mt, self.ref, lo, hi)

    def dots_of(self, rows: SparseRows, lo: np.ndarray, hi: np.ndarray) -> BandDots:
        """The same for other translations (:meth:`FeatureSpace.transform` of new texts)."""
        return band_dots(rows, self.ref, lo, hi)

    def beads(self, dots: BandDots, shape: tuple[int, int], i: np.ndarray, j: np.ndarray) -> np.ndarray:
        """The similarity of beads of ``shape`` ending at cells ``(i, j)``."""
        a, b = shape
        dot = np.zeros(len(i))
        for p in range(a):
            for q in range(b):
                dot += dots.get(i - 1 - p, j - 1 - q)
        square, total = self.mt_spans[a]
        return self.combine(dot, square[i], total[i], self.mt_length[a][i], shape, i, j)

    def combine(
        self,
        dot: np.ndarray,
        mt_square: np.ndarray,
        mt_total: np.ndarray,
        mt_length: np.ndarray,
        shape: tuple[int, int],
        i: np.ndarray,
        j: np.ndarray,
    ) -> np.ndarray:
        """The similarity from a translation's dot products, norms and length (also a re-translated span's)."""
        a, b = shape
        ref_square, ref_total = self.ref_spans[b]
        denominator = np.sqrt(mt_square * ref_square[j])
        cosine = np.divide(dot, denominator, out=np.zeros_like(dot), where=denominator > 0)
        predicted = np.sqrt(self.zh_ratio * self.zh_length[a][i] * self.mt_ratio * mt_length)
        en = self.en_length[b][j]
        rho = np.minimum(predicted, en) / np.maximum(predicted, en)
        evidence = (dot - self.chance * mt_total * ref_total[j]) / self.scale
        return cosine * rho**LENGTH_EXPONENT + EVIDENCE_WEIGHT * evidence

    def _chance(self) -> float:
        """Mean cosine of random (translation, reference) pairs away from the diagonal."""
        n, m = len(self.mt), len(self.ref)
        if not n or not m:
            return 0.0
        rng = random.Random(n * 7919 + m)  # the same document always gets the same sample
        pairs = [(rng.randrange(n), rng.randrange(m)) for _ in range(CHANCE_PAIRS)]
        values = [
            _dot(self.mt, i, self.ref, j) / (self.mt_norms[i] * self.ref_norms[j])
            for i, j in pairs
            if abs(i * m / n - j) > CHANCE_DISTANCE and self.mt_norms[i] and self.ref_norms[j]
        ]
        return float(np.mean(values)) if values else 0.0


def _spans(rows: SparseRows, norms: np.ndarray, sizes: Sequence[int]) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """Per span size: (squared norm of the summed vectors, sum of norms) for each span end."""
    neighbours = [neighbour_dots(rows, d) for d in range(1, max(sizes, default=1))]
    return {size: (span_square_norms(norms, neighbours, size), span_sums(norms, size)) for size in sizes}


def _dot(a: SparseRows, i: int, b: SparseRows, j: int) -> float:
    a_cols, a_data = a.indices[a.indptr[i] : a.indptr[i + 1]], a.data[a.indptr[i] : a.indptr[i + 1]]
    b_cols, b_data = b.indices[b.indptr[j] : b.indptr[j + 1]], b.data[b.indptr[j] : b.indptr[j + 1]]
    _, ia, ib = np.intersect1d(a_cols, b_cols, assume_unique=True, return_indices=True)
    return float(np.dot(a_data[ia].astype(np.float64), b_data[ib]))
