"""What only a pipeline run has: the translation model itself, asked again around uncertain links.

Both are off by default (``align.retranslate``, ``align.forced_decoding``): their effect could not
be measured on this project's machines, which reach no real translation model (docs/benchmarks.md).

* **re-translation of merged spans**: the Chinese sentences around an uncertain link are
  translated again two and three at a time, as one text, so that a 2-1 or 3-1 link is judged on
  the translation of the span rather than on two translations glued together. The bridge part of
  those beads' scores becomes the mean of the two estimates.
* **forced decoding**: the model's mean log-probability per token of each candidate reference
  span given each candidate source span near an uncertain link, measured against random pairs of
  the same document, is added to those candidates' scores.

Both go through the run's translator, so its caching applies. They run only where the document's
own translation was trusted (a model that translated the document into noise is not asked
again), re-translation only with a translator that can translate new text (a file of
precomputed translations cannot), and at most :data:`MAX_SPAN_SHARE` of a document's sentence
count in spans, so a poor model never multiplies the translation work.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from pipeline.align import english
from pipeline.align.band import Band
from pipeline.align.evidence import Direction
from pipeline.align.search import Shape, Step, posteriors, viterbi

if TYPE_CHECKING:
    from pipeline.align.scoring import BeadScorer, Weights
    from pipeline.config import DPAlignerSettings
    from pipeline.translate.base import Translator

#: Re-translated spans per document sentence, at most.
MAX_SPAN_SHARE = 0.25
#: Weight of the forced-decoding term (nats): a reference as likely as the model's own output gains this much.
FORCED_WEIGHT = 5.0
#: Reference positions beyond an uncertain link's own that forced decoding considers, each side.
FORCED_REACH = 2
#: Random pairs that set the forced-decoding baseline of a document.
FORCED_BASELINE_PAIRS = 8

Scores = dict[Shape, np.ndarray]


@dataclass(frozen=True)
class Revisit:
    """What revisiting needs from the aligner: the model, the settings and the search's constants."""

    translator: Translator
    settings: DPAlignerSettings
    weights: Weights
    shapes: Sequence[Shape]
    skip_src: float
    skip_ref: float


@dataclass
class RevisitCounts:
    uncertain_links: int = 0
    retranslated_spans: int = 0
    forced_pairs: int = 0


def revisit(
    plan: Revisit,
    scorer: BeadScorer,
    band: Band,
    scores: Scores,
    steps: list[Step],
    sources: Sequence[str],
    references: Sequence[str],
) -> tuple[Band, Scores, list[Step], RevisitCounts]:
    """Re-score the beads around uncertain links with the model and search again."""
    settings, translator = plan.settings, plan.translator
    confidence = posteriors(band, scores, plan.skip_src, plan.skip_ref, plan.weights.temperature, steps)
    ranked = sorted(zip(steps, confidence, strict=True), key=lambda x: x[1])
    uncertain = [s for s, c in ranked if c < settings.bridge_threshold]
    counts = RevisitCounts(uncertain_links=len(uncertain))
    if not uncertain:
        return band, scores, steps, counts
    scores = {shape: values.copy() for shape, values in scores.items()}
    if settings.retranslate and translator.can_translate_spans:
        counts.retranslated_spans = _retranslate(plan, scorer, band, scores, uncertain, sources)
    if settings.forced_decoding and hasattr(translator, "score_references"):
        counts.forced_pairs = _forced(plan, band, scores, uncertain, sources, references)
    return band, scores, viterbi(band, scores, plan.skip_src, plan.skip_ref), counts


def merged_spans(uncertain: Sequence[Step], n: int, sizes: Sequence[int], limit: int) -> list[tuple[int, int]]:
    """(start, size) of the multi-sentence source spans inside each uncertain link widened by one sentence,
    the least confident links first, at most ``limit`` spans."""
    spans: dict[tuple[int, int], None] = {}
    for step in uncertain:
        first, last = max(0, step.i0 - 1), min(n, step.i1 + 1)
        for size in sizes:
            for start in range(first, last - size + 1):
                if len(spans) < limit:
                    spans[(start, size)] = None
    return sorted(spans)


def _retranslate(
    plan: Revisit,
    scorer: BeadScorer,
    band: Band,
    scores: Scores,
    uncertain: Sequence[Step],
    sources: Sequence[str],
) -> int:
    """Translate merged spans again and average their bridge terms into ``scores``; returns the span count."""
    doc, bridge = scorer.doc, scorer.bridge
    if bridge is None or doc.bridge is None:
        return 0
    sizes = sorted({a for a, _ in plan.shapes if a >= 2})
    spans = merged_spans(uncertain, doc.n, sizes, max(1, int(MAX_SPAN_SHARE * doc.n)))
    if not spans:
        return 0
    texts = [t.text for t in plan.translator.translate(["".join(sources[s : s + k]) for s, k in spans])]
    fresh = _SpanTerms(plan, scorer, band, spans, texts)
    for k, ((start, size), text) in enumerate(zip(spans, texts, strict=True)):
        end = start + size
        for shape in [s for s in plan.shapes if s[0] == size and s in scorer.bridge_parts]:
            j = np.arange(max(int(band.lo[end]), shape[1]), int(band.hi[end]) + 1)
            if not len(j) or not text.strip():
                continue
            cells = band.offsets[end] + j - band.lo[end]
            old = scorer.bridge_parts[shape][cells]
            scores[shape][cells] += (fresh.of(k, shape, end, j) - old) / 2.0
    return len(spans)


class _SpanTerms:
    """The bridge terms of re-translated spans: their words against the reference, and their text similarity."""

    def __init__(
        self, plan: Revisit, scorer: BeadScorer, band: Band, spans: Sequence[tuple[int, int]], texts: Sequence[str]
    ) -> None:
        doc, bridge = scorer.doc, scorer.bridge
        assert bridge is not None and doc.bridge is not None  # checked by the caller
        self.plan, self.bridge, self.texts = plan, bridge, texts
        ends = np.array([s + k for s, k in spans])
        max_b = max(b for _, b in plan.shapes)
        lo, hi = np.maximum(band.lo[ends] - max_b, 0), band.hi[ends] - 1
        words = Direction.between(doc.space.side([english.token_keys(t) for t in texts]), doc.bridge.forward.other)
        self.ratios = words.ratios(lo, hi, range(1, max_b + 1), bridge.match_rate)
        self.similarity = bridge.similarity
        if self.similarity is not None:
            rows = self.similarity.space.transform(texts)
            self.dots, self.norms = self.similarity.dots_of(rows, lo, hi), rows.norms()

    def of(self, k: int, shape: Shape, end: int, j: np.ndarray) -> np.ndarray:
        """Span ``k``'s bridge terms as a bead of ``shape`` ending at row ``end`` and reference ends ``j``."""
        w, b = self.plan.weights, shape[1]
        row = np.full(len(j), k)
        fresh = w.mt_weight * self.ratios[b].get(row, j - 1)  # the span is one text
        if self.similarity is None:
            return fresh
        dot = sum(self.dots.get(row, j - 1 - q) for q in range(b))
        length = np.full(len(j), len(self.texts[k].strip()) + 1.0)
        norm = np.full(len(j), self.norms[k])
        value = self.similarity.combine(dot, norm**2, norm, length, shape, np.full(len(j), end), j)
        return fresh + w.similarity_weight * self.bridge.trust * value


def _forced(
    plan: Revisit,
    band: Band,
    scores: Scores,
    uncertain: Sequence[Step],
    sources: Sequence[str],
    references: Sequence[str],
) -> int:
    """Add the forced-decoding term to candidate beads around uncertain links; returns the pairs scored."""
    cells: dict[tuple[Shape, int, int], int] = {}
    for step in uncertain:
        for i in range(max(1, step.i0), min(band.n, step.i1 + 1) + 1):
            first = max(int(band.lo[i]), step.j0 - FORCED_REACH)
            last = min(int(band.hi[i]), step.j1 + FORCED_REACH)
            for j in range(first, last + 1):
                for a, b in plan.shapes:
                    if i >= a and j >= b:
                        cells.setdefault(((a, b), i, j), len(cells))
    if not cells:
        return 0
    keys = list(cells)
    src = ["".join(sources[i - a : i]) for (a, _), i, _ in keys]
    ref = [" ".join(references[j - b : j]) for (_, b), _, j in keys]
    rng = random.Random(len(sources) * 31 + len(references))
    base_src = [sources[rng.randrange(len(sources))] for _ in range(FORCED_BASELINE_PAIRS)]
    base_ref = [references[rng.randrange(len(references))] for _ in range(FORCED_BASELINE_PAIRS)]
    scored = plan.translator.score_references(src + base_src, ref + base_ref)  # type: ignore[union-attr]
    baseline = float(np.mean(scored[len(keys) :]))
    for (shape, i, j), likelihood in zip(keys, scored[: len(keys)], strict=True):
        gain = (likelihood - baseline) / max(abs(baseline), 1e-6)
        scores[shape][band.offsets[i] + j - band.lo[i]] += FORCED_WEIGHT * gain
    return len(keys)
