"""Gale and Church (1993), "A program for aligning sentences in bilingual corpora": lengths only.

A bead costs ``-log P(shape) - log P(delta)``, where ``delta`` measures how far the reference
length is from what the source length predicts:

    delta = (l_ref - c * l_src) / sqrt(s2 * c * l_src)        P(delta) = 2 * (1 - Phi(|delta|))

``c`` (reference characters per Chinese character) is estimated from the document's totals,
since Gale and Church's ``c = 1`` holds only between European languages; ``s2`` is their 6.8.
The shape priors are theirs (1-1 .89, 1-0/0-1 .0099, 2-1/1-2 .089, 2-2 .011), split evenly
between mirror shapes; shapes they did not model get .005.

It needs no translation, so it aligns any pair of sentence lists, and it is the baseline the
translation-based ``dp`` aligner is measured against. The search is the same banded dynamic
programme (:mod:`pipeline.align.search`), in a band around the length diagonal that widens
where the path runs along its edge.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from pipeline.align.band import Band, span_sums
from pipeline.align.base import Aligner, Bead, Paragraphs
from pipeline.align.dp import parse_shapes
from pipeline.align.features import zh_length
from pipeline.align.search import Shape, Step, posteriors, widening_search
from pipeline.config import GaleChurchSettings

#: Gale and Church's shape probabilities; a pair of mirror shapes shares one figure.
PRIORS: dict[Shape, float] = {
    (1, 1): 0.89,
    (1, 0): 0.0099 / 2,
    (0, 1): 0.0099 / 2,
    (1, 2): 0.089 / 2,
    (2, 1): 0.089 / 2,
    (2, 2): 0.011,
}
OTHER_PRIOR = 0.005
WIDTH = 32
#: Costs are negative log-probabilities; posteriors use them at this temperature.
TEMPERATURE = 1.0


def length_cost(src: np.ndarray, ref: np.ndarray, ratio: float, variance: float) -> np.ndarray:
    """``-log P(|delta| at least this large)`` for each (source length, reference length) pair."""
    expected = np.maximum(src * ratio, 1e-9)
    delta = np.abs(ref - expected) / np.sqrt(variance * expected)
    tail = np.array([math.erfc(d / math.sqrt(2.0)) for d in delta.ravel()]).reshape(delta.shape)
    return -np.log(np.maximum(tail, 1e-300))


class GaleChurchAligner(Aligner):
    def __init__(self, settings: GaleChurchSettings | None = None) -> None:
        self.settings = settings or GaleChurchSettings(name="gale-church")
        self.shapes = parse_shapes(self.settings.link_types)
        allowed = self.settings.link_types
        self.skip = {
            shape: (math.log(PRIORS[shape]) if f"{shape[0]}-{shape[1]}" in allowed else -1000.0)
            for shape in ((1, 0), (0, 1))
        }

    def signature(self) -> str:
        s = self.settings
        return f"gale-church|v1|types:{','.join(s.link_types)}|s2:{s.variance}|c:document"

    def align(
        self,
        sources: Sequence[str],
        translations: Sequence[str],
        references: Sequence[str],
        paragraphs: Paragraphs | None = None,
    ) -> list[Bead]:
        """Align by lengths alone; ``translations`` and ``paragraphs`` are not used."""
        n, m = len(sources), len(references)
        if n == 0 or m == 0:
            return [Bead((i,), (), 1.0) for i in range(n)] + [Bead((), (j,), 1.0) for j in range(m)]
        src = np.array([zh_length(s) for s in sources], np.float64)
        ref = np.array([len(r.strip()) for r in references], np.float64)
        ratio = max(ref.sum(), 1.0) / max(src.sum(), 1.0)
        src_spans = {a: span_sums(src, a) for a in {a for a, _ in self.shapes}}
        ref_spans = {b: span_sums(ref, b) for b in {b for _, b in self.shapes}}

        def score(band: Band) -> dict[Shape, np.ndarray]:
            rows, cols = band.cells()
            out = {}
            for a, b in self.shapes:
                values = np.full(band.size, -np.inf)
                ok = (rows >= a) & (cols >= b)
                cost = length_cost(src_spans[a][rows[ok]], ref_spans[b][cols[ok]], ratio, self.settings.variance)
                values[ok] = math.log(PRIORS.get((a, b), OTHER_PRIOR)) - cost
                out[(a, b)] = values
            return out

        first = Band.diagonal(src, ref, WIDTH)
        band, scores, steps = widening_search(first, np.full(n + 1, WIDTH), score, self.skip[(1, 0)], self.skip[(0, 1)])
        confidence = posteriors(band, scores, self.skip[(1, 0)], self.skip[(0, 1)], TEMPERATURE, steps)
        return [_bead(step, float(c)) for step, c in zip(steps, confidence, strict=True)]


def _bead(step: Step, confidence: float) -> Bead:
    return Bead(tuple(range(step.i0, step.i1)), tuple(range(step.j0, step.j1)), min(max(confidence, 0.0), 1.0))
