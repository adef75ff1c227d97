"""Bead scores: how likely it is that source span ``I`` and reference span ``J`` translate each other.

A bead's score is a sum of log-probabilities and log-likelihood ratios (in nats), and the search
maximises the sum over a path (:mod:`pipeline.align.search`):

    prior_weight * log P(shape)                         how often links of this shape occur
  + length_weight * log P(|delta| at least this large)  Gale and Church's length model
  + zh_weight * LLR(Chinese words -> J)                 the dictionary (:mod:`pipeline.align.evidence`)
  + en_weight * LLR(reference words -> I)
  - quote_weight * quotation mismatches                 structure
  - question_weight * question-mark count difference
  - paragraph_weight * paragraph boundaries crossed or not shared
  + the bridge, weighed by how far the translation can be trusted in this document:
      mt_weight * LLR(translation words -> J)           with the translation's own a
    + similarity_weight * trust * similarity(MT_I, J)   TF-IDF cosine (:mod:`pipeline.align.similarity`)
    + encoder_weight * trust * coverage(MT_I, J)        an English sentence encoder, when one is on

Skipping a sentence (1-0, 0-1) scores ``prior_weight * log P(1-0)``. The length model:
``delta = (l_en - c * l_zh) / sqrt(variance * c * l_zh)`` with ``c`` the document's ratio.

The weights are the aligner's policy (:class:`Weights`); ``benchmarks/align_robustness.py``
fits them on MAC-Dev and measures them on chapters they were not fitted on.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from pipeline.align.band import Band, BandDots
from pipeline.align.document import AlignmentDocument
from pipeline.align.search import Shape
from pipeline.align.similarity import LENGTH_EXPONENT, TranslationSimilarity

#: Links of each shape in MAC-Dev's gold alignments (six chapters of novels), behind the default priors.
GOLD_COUNTS: dict[Shape, float] = {
    (1, 1): 832,
    (1, 2): 282,
    (1, 3): 74,
    (2, 1): 67,
    (1, 4): 30,
    (2, 2): 25,
    (2, 3): 12,
    (1, 0): 6,
    (3, 2): 4,
    (1, 5): 4,
    (1, 6): 2,
    (2, 4): 2,
    (3, 3): 1,
    (3, 4): 1,
    (3, 5): 1,
}
#: Every link type a config may allow; one no count has seen gets :data:`UNSEEN_COUNT`.
CONFIGURABLE: tuple[Shape, ...] = (
    (1, 1),
    (1, 2),
    (2, 1),
    (2, 2),
    (1, 3),
    (3, 1),
    (1, 4),
    (4, 1),
    (2, 3),
    (3, 2),
    (1, 0),
    (0, 1),
)
UNSEEN_COUNT = 0.5
#: The opening-quotation difference counts half as much as a closing mismatch.
OPENING_SHARE = 0.5


def priors_from_counts(counts: Mapping[Shape, float]) -> dict[Shape, float]:
    """Shape probabilities from link counts, every configurable shape counted at least :data:`UNSEEN_COUNT`."""
    full = {shape: UNSEEN_COUNT for shape in CONFIGURABLE} | {s: float(c) for s, c in counts.items() if c}
    total = sum(full.values())
    return {shape: count / total for shape, count in full.items()}


@dataclass(frozen=True)
class Weights:
    """The aligner's policy: weights of the terms of the module docstring."""

    priors: Mapping[Shape, float] = field(default_factory=lambda: priors_from_counts(GOLD_COUNTS))
    prior_weight: float = 1.6
    length_weight: float = 1.0
    length_variance: float = 12.0
    zh_weight: float = 0.3
    en_weight: float = 0.625
    zh_a: float = 0.12
    en_a: float = 0.24
    quote_weight: float = 1.6
    question_weight: float = 0.5
    paragraph_weight: float = 2.0
    mt_weight: float = 0.3125
    mt_back_weight: float = 0.0
    similarity_weight: float = 16.0
    encoder_weight: float = 5.0
    #: The translation's excess match rate (:meth:`Direction.excess_match_rate`) at which it is fully trusted.
    full_trust: float = 0.5
    #: Temperature of the path distribution behind the links' confidences, set so that they are calibrated
    #: (docs/benchmarks.md).
    temperature: float = 1.5

    def prior(self, shape: Shape) -> float:
        return math.log(self.priors[shape])

    @property
    def skip(self) -> float:
        return self.prior_weight * self.prior((1, 0))


@dataclass
class BridgeTerms:
    """What the translation adds to a document's bead scores, and how far it is trusted."""

    match_rate: float  # the translation words' excess match rate: its own ``a``
    trust: float  # match_rate / full_trust, at most 1
    similarity: TranslationSimilarity | None = None
    semantic: object | None = None  # pipeline.align.semantic.SemanticDocument, when an encoder is on


class BeadScorer:
    """Scores of every bead shape at every cell of a band (see the module docstring)."""

    def __init__(self, doc: AlignmentDocument, weights: Weights, bridge: BridgeTerms | None = None) -> None:
        self.doc, self.w, self.bridge = doc, weights, bridge
        #: The translation's words-and-text part of the last band's scores, per shape (what a re-translation
        #: revises; the encoder compares the first translation only, so its term stays whole).
        self.bridge_parts: dict[Shape, np.ndarray] = {}

    def windows(self, band: Band, shapes: Sequence[Shape]) -> tuple[np.ndarray, ...]:
        """The reference sentences each source sentence meets in some bead of the band, and the reverse."""
        n, m = self.doc.n, self.doc.m
        max_a = max(a for a, _ in shapes)
        max_b = max(b for _, b in shapes)
        r = np.arange(n)
        src_lo = np.maximum(band.lo[np.minimum(r + 1, n)] - max_b, 0)
        src_hi = np.minimum(band.hi[np.minimum(r + max_a, n)] - 1, m - 1)
        c = np.arange(m)
        first = np.searchsorted(band.hi, c + 1, "left")  # first row whose band reaches past c
        last = np.searchsorted(band.lo, c + max_b, "right") - 1
        return src_lo, src_hi, np.maximum(first - max_a, 0), np.minimum(last - 1, n - 1)

    def __call__(self, band: Band, shapes: Sequence[Shape]) -> dict[Shape, np.ndarray]:
        w, doc = self.w, self.doc
        src_lo, src_hi, ref_lo, ref_hi = self.windows(band, shapes)
        a_sizes = sorted({a for a, _ in shapes})
        b_sizes = sorted({b for _, b in shapes})
        forward = doc.forward.ratios(src_lo, src_hi, b_sizes, w.zh_a)
        backward = doc.backward.ratios(ref_lo, ref_hi, a_sizes, w.en_a)
        bridge = self._bridge_windows(src_lo, src_hi, ref_lo, ref_hi, a_sizes, b_sizes)
        rows, cols = band.cells()
        self.bridge_parts = {}
        out = {}
        for shape in shapes:
            a, b = shape
            values = np.full(band.size, -np.inf)
            ok = (rows >= a) & (cols >= b)
            i, j = rows[ok], cols[ok]
            score = self.fixed(shape, i, j)
            score += w.zh_weight * _along_source(forward[b], a, i, j)
            score += w.en_weight * _along_reference(backward[a], b, i, j)
            if bridge is not None:
                lexical, encoder = self._bridge(bridge, shape, i, j)
                self.bridge_parts[shape] = np.zeros(band.size)
                self.bridge_parts[shape][ok] = lexical
                score += lexical + encoder
            values[ok] = score
            out[shape] = values
        return out

    def fixed(self, shape: Shape, i: np.ndarray, j: np.ndarray) -> np.ndarray:
        """Prior, length and structure terms of beads of ``shape`` ending at cells ``(i, j)``."""
        w, doc = self.w, self.doc
        a, b = shape
        score = np.full(len(i), w.prior_weight * w.prior(shape))
        score += w.length_weight * length_log_probability(
            doc.src.span_length(a)[i], doc.ref.span_length(b)[j], doc.ratio, w.length_variance
        )
        if w.quote_weight:
            closing = np.abs(doc.src.closes[i - 1] - doc.ref.closes[j - 1]) + doc.ref.inner(doc.ref.closes, b)[j]
            opening = np.abs(np.minimum(doc.src.span_opens(a)[i], 2) - np.minimum(doc.ref.span_opens(b)[j], 2))
            score -= w.quote_weight * (closing + OPENING_SHARE * opening)
        if w.question_weight:
            asked = np.abs(np.minimum(doc.src.span_questions(a)[i], 2) - np.minimum(doc.ref.span_questions(b)[j], 2))
            score -= w.question_weight * asked
        if w.paragraph_weight and doc.paragraphs:
            boundary = np.abs(doc.src.breaks[i - 1] - doc.ref.breaks[j - 1])
            inside = doc.src.inner(doc.src.breaks, a)[i] + doc.ref.inner(doc.ref.breaks, b)[j]
            score -= w.paragraph_weight * (boundary + inside)
        return score

    def _bridge_windows(
        self,
        src_lo: np.ndarray,
        src_hi: np.ndarray,
        ref_lo: np.ndarray,
        ref_hi: np.ndarray,
        a_sizes: Sequence[int],
        b_sizes: Sequence[int],
    ) -> dict[str, object] | None:
        bridge, words = self.bridge, self.doc.bridge
        if bridge is None or words is None or bridge.match_rate <= 0.0:
            return None
        w, a = self.w, bridge.match_rate
        out: dict[str, object] = {}
        if w.mt_weight:
            out["forward"] = words.forward.ratios(src_lo, src_hi, b_sizes, a)
        if w.mt_back_weight:
            out["backward"] = words.backward.ratios(ref_lo, ref_hi, a_sizes, a)
        if bridge.similarity is not None and w.similarity_weight:
            out["dots"] = bridge.similarity.dots(src_lo, src_hi)
        if bridge.semantic is not None and w.encoder_weight:
            out["matches"] = bridge.semantic.match_windows(src_lo, src_hi)  # type: ignore[attr-defined]
        return out

    def _bridge(
        self, parts: Mapping[str, object], shape: Shape, i: np.ndarray, j: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """(the translation's words and text similarity, the encoder's term) of beads of ``shape`` at ``(i, j)``."""
        w, bridge = self.w, self.bridge
        a, b = shape
        lexical, encoder = np.zeros(len(i)), np.zeros(len(i))
        if bridge is None:
            return lexical, encoder
        if "forward" in parts:
            lexical += w.mt_weight * _along_source(parts["forward"][b], a, i, j)  # type: ignore[index]
        if "backward" in parts:
            lexical += w.mt_back_weight * _along_reference(parts["backward"][a], b, i, j)  # type: ignore[index]
        if "dots" in parts and bridge.similarity is not None:
            similarity = bridge.similarity.beads(parts["dots"], shape, i, j)  # type: ignore[arg-type]
            lexical += w.similarity_weight * bridge.trust * similarity
        if "matches" in parts and bridge.semantic is not None:
            coverage = bridge.semantic.coverage(parts["matches"], a, b, i, j)  # type: ignore[attr-defined]
            encoder += w.encoder_weight * bridge.trust * coverage * self._rho(shape, i, j) ** LENGTH_EXPONENT
        return lexical, encoder

    def _rho(self, shape: Shape, i: np.ndarray, j: np.ndarray) -> np.ndarray:
        a, b = shape
        predicted = self.doc.ratio * self.doc.src.span_length(a)[i]
        en = self.doc.ref.span_length(b)[j]
        return np.minimum(predicted, en) / np.maximum(predicted, en)


def _along_source(ratios: BandDots, a: int, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """Sum over the ``a`` source sentences ending at ``i`` of their ratios against the span ending at ``j``."""
    out = np.zeros(len(i))
    for p in range(a):
        out += ratios.get(i - 1 - p, j - 1)
    return out


def _along_reference(ratios: BandDots, b: int, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """Sum over the ``b`` reference sentences ending at ``j`` of their ratios against the span ending at ``i``."""
    out = np.zeros(len(i))
    for q in range(b):
        out += ratios.get(j - 1 - q, i - 1)
    return out


def length_log_probability(src: np.ndarray, ref: np.ndarray, ratio: float, variance: float) -> np.ndarray:
    """``log P(|delta| at least this large)``, delta as in the module docstring (a normal tail)."""
    expected = np.maximum(src * ratio, 1e-9)
    delta = np.abs(ref - expected) / np.sqrt(variance * expected)
    return log_erfc(delta / math.sqrt(2.0))


def log_erfc(x: np.ndarray) -> np.ndarray:
    """``log(erfc(x))`` for ``x >= 0``, to a relative error below 1.2e-7 (Numerical Recipes' erfcc),
    computed in log space so that the far tail does not underflow."""
    t = 1.0 / (1.0 + 0.5 * x)
    poly = -1.26551223 + t * (
        1.00002368
        + t
        * (
            0.37409196
            + t
            * (
                0.09678418
                + t
                * (
                    -0.18628806
                    + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))
                )
            )
        )
    )
    return np.log(t) - x * x + poly
