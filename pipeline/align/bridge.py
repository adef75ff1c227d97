"""What only a pipeline run has: the translation model itself, used around uncertain links.

Embedding aligners compare fixed sentence vectors. We can ask the model again:

* **re-translation of merged spans**: the Chinese sentences around an uncertain link are
  translated again two and three at a time, as one text. A translator that sees
  ``他说……。相信……。`` together produces the sentence a human translator would have written
  for the pair, so a 2-1 or 3-1 link is judged on the translation of the span, not on two
  translations glued together. The span's bead scores become the mean of the two estimates.
* **forced decoding** (optional, slower): the model's mean log-probability per token of each
  candidate reference span given each candidate source span near an uncertain link, measured
  against random pairs of the same document, is added to those candidates' scores.

Both go through :meth:`Translator.translate` and the translator's own ``score_references``
(:class:`~pipeline.translate.marian.MarianTranslator` has one), so whatever caching the
translator does applies. Links whose confidence is below ``bridge_threshold`` are revisited;
the search then runs again on the same band.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from pipeline.align.band import Band, band_dots
from pipeline.align.search import Shape, Step, posteriors, viterbi

if TYPE_CHECKING:
    from pipeline.align.dp import BeadScorer, DocumentSignals, DPAligner

#: Weight of the forced-decoding term: a reference as likely as the model's own output gains this much.
FORCED_WEIGHT = 0.5
#: Reference positions beyond an uncertain link's own that forced decoding considers, each side.
FORCED_REACH = 2
#: Random pairs that set the forced-decoding baseline of a document.
FORCED_BASELINE_PAIRS = 8


def revisit(
    aligner: DPAligner,
    signals: DocumentSignals,
    scorer: BeadScorer,
    band: Band,
    scores: dict[Shape, np.ndarray],
    steps: list[Step],
    sources: Sequence[str],
    references: Sequence[str],
) -> tuple[Band, dict[Shape, np.ndarray], list[Step]]:
    """Re-score the beads around uncertain links with the model and search again."""
    settings = aligner.settings
    confidence = posteriors(band, scores, aligner.skip_src, aligner.skip_ref, aligner.temperature, steps)
    uncertain = [step for step, c in zip(steps, confidence, strict=True) if c < settings.bridge_threshold]
    aligner.stats.uncertain_links = len(uncertain)
    if not uncertain:
        return band, scores, steps
    scores = {shape: values.copy() for shape, values in scores.items()}
    if settings.retranslate:
        aligner.stats.retranslated_spans = _retranslate(aligner, signals, scorer, band, scores, uncertain, sources)
    if settings.forced_decoding and hasattr(aligner.translator, "score_references"):
        aligner.stats.forced_pairs = _forced(aligner, band, scores, uncertain, sources, references)
    return band, scores, viterbi(band, scores, aligner.skip_src, aligner.skip_ref)


def merged_spans(uncertain: Sequence[Step], n: int, sizes: Sequence[int]) -> list[tuple[int, int]]:
    """(start, size) of the multi-sentence source spans inside each uncertain link widened by one sentence."""
    spans: set[tuple[int, int]] = set()
    for step in uncertain:
        first, last = max(0, step.i0 - 1), min(n, step.i1 + 1)
        for size in sizes:
            spans.update((start, size) for start in range(first, last - size + 1))
    return sorted(spans)


def _retranslate(
    aligner: DPAligner,
    signals: DocumentSignals,
    scorer: BeadScorer,
    band: Band,
    scores: dict[Shape, np.ndarray],
    uncertain: Sequence[Step],
    sources: Sequence[str],
) -> int:
    """Translate merged spans again and average their scores into ``scores``; returns the span count."""
    sizes = sorted({a for a, _ in aligner.shapes if a >= 2})
    spans = merged_spans(uncertain, signals.n, sizes)
    if not spans or aligner.translator is None:
        return 0
    texts = [t.text for t in aligner.translator.translate(["".join(sources[s : s + k]) for s, k in spans])]
    rows = signals.space.transform(texts)
    norms = rows.norms()
    max_b = max(b for _, b in aligner.shapes)
    ends = np.array([s + k for s, k in spans])
    dots = band_dots(rows, signals.ref, np.maximum(band.lo[ends] - max_b, 0), band.hi[ends] - 1)
    offsets = band.offsets
    for k, ((start, size), text) in enumerate(zip(spans, texts, strict=True)):
        end = start + size
        for shape in [s for s in aligner.shapes if s[0] == size]:
            b = shape[1]
            j = np.arange(max(int(band.lo[end]), b), int(band.hi[end]) + 1)
            if not len(j) or not text.strip():
                continue
            dot = sum(dots.get(np.full(len(j), k), j - 1 - q) for q in range(b))
            i = np.full(len(j), end)
            fresh = scorer.similarity(
                dot,
                np.full(len(j), norms[k] ** 2),
                np.full(len(j), norms[k]),
                signals.src.length[size][i],
                np.full(len(j), len(text.strip()) + 1.0),
                signals.tgt.square_norm[b][j],
                signals.tgt.norm_sum[b][j],
                signals.tgt.length[b][j],
            )
            cells = offsets[end] + j - band.lo[end]
            # the encoder's terms compare the first translation only; they stay whole
            semantic = scorer.semantic_parts[shape][cells] if shape in scorer.semantic_parts else 0.0
            old = scores[shape][cells] - semantic
            structure = scorer.structure(shape, i, j)
            scores[shape][cells] = (old + fresh + structure) / 2.0 + semantic
    return len(spans)


def _forced(
    aligner: DPAligner,
    band: Band,
    scores: dict[Shape, np.ndarray],
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
                for a, b in aligner.shapes:
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
    scored = aligner.translator.score_references(src + base_src, ref + base_ref)  # type: ignore[union-attr]
    baseline = float(np.mean(scored[len(keys) :]))
    offsets = band.offsets
    for (shape, i, j), likelihood in zip(keys, scored[: len(keys)], strict=True):
        gain = (likelihood - baseline) / max(abs(baseline), 1e-6)
        scores[shape][offsets[i] + j - band.lo[i]] += FORCED_WEIGHT * gain
    return len(keys)
