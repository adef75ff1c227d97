"""The run's scorer: corpus BLEU, chrF, chrF++ and TER through sacrebleu, each with its signature and
a 95% bootstrap confidence interval; the same metrics per document; sentence chrF and BLEU per link.

A run aligns each document to one reference, so it is scored against that one reference
(``nrefs:1``). Several references need line-parallel files: see ``pipeline score``
(:mod:`pipeline.score.systems`).

Memory: documents are scored a shard at a time, and the corpus scores are sums of the documents'
per-segment statistics, added as they are read. Only a bootstrap (``bootstrap`` > 1) needs every
segment's statistics at once, because each resample draws from all of them: they are kept as one
float32 array, 4 bytes per statistic per scored link (BLEU 10, chrF 18, chrF++ 24, TER 2 statistics:
112 bytes per link for BLEU and chrF), and each resample briefly needs as much again.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pipeline.config import SacrebleuSettings
from pipeline.records import CorpusScores, DocumentScores, MetricScore
from pipeline.score.base import DocumentLinks, Scorer, ScoreTotals
from pipeline.score.metrics import (
    CorpusScorer,
    SentenceScorer,
    Statistics,
    add_rows,
    corpus_score,
    metric_for_statistics,
    plain_score,
)


class SacrebleuScorer(Scorer):
    def __init__(self, settings: SacrebleuSettings | None = None) -> None:
        self.settings = settings or SacrebleuSettings()

    def score_documents(self, documents: Sequence[DocumentLinks]) -> list[DocumentScores]:
        pairs = [(hyp, ref) for doc in documents for _, hyp, ref in doc.pairs]
        if not pairs:
            return [DocumentScores(doc.id, (None,) * doc.links, (None,) * doc.links) for doc in documents]
        hyps = [hyp for hyp, _ in pairs]
        refs = [[ref for _, ref in pairs]]
        scorer = CorpusScorer(self.settings, refs)
        stats = scorer.statistics(hyps)
        sentence = SentenceScorer(self.settings).score(hyps, refs)
        out = []
        start = 0
        for doc in documents:
            end = start + len(doc.pairs)
            out.append(_document(doc, stats, sentence[start:end], start, end))
            start = end
        return out

    def totals(self) -> SacrebleuTotals:
        return SacrebleuTotals(self.settings)

    def signature(self) -> str:
        s = self.settings
        return f"sacrebleu|metrics:{','.join(s.metrics)}|tok:{s.tokenize}|lowercase:{s.lowercase}|bs:{s.bootstrap}"


class SacrebleuTotals(ScoreTotals):
    """Each metric's statistics summed document by document; with a bootstrap, also kept per segment."""

    def __init__(self, settings: SacrebleuSettings) -> None:
        self.settings = settings
        self.names = list(settings.metrics)
        self.keep_rows = settings.bootstrap > 1
        self.sums: list[list[Any] | None] = [None] * len(self.names)
        self.parts: list[list[Any]] = [[] for _ in self.names]
        self.scored = self.links = 0

    def add(self, document: DocumentScores) -> None:
        import numpy as np

        self.links += len(document.chrf)
        if not document.statistics:
            return
        self.scored += len(document.statistics[0])
        for m, rows in enumerate(document.statistics):
            self.sums[m] = add_rows(self.sums[m], rows)
            if self.keep_rows:
                self.parts[m].append(np.asarray(rows, dtype="float32"))

    def result(self) -> CorpusScores:
        import numpy as np

        if not self.scored:
            return CorpusScores((), 0, self.links)
        corpus = []
        for m, name in enumerate(self.names):
            rows: Any = np.concatenate(self.parts[m]) if self.keep_rows else []
            self.parts[m] = []  # the concatenated copy is all that is needed from here on
            stats = Statistics(name, metric_for_statistics(name, self.settings), rows, self.sums[m])
            corpus.append(corpus_score(stats, self.settings.bootstrap if self.keep_rows else 0))
        return CorpusScores(tuple(corpus), self.scored, self.links - self.scored)


def _document(
    doc: DocumentLinks, stats: Sequence[Statistics], sentence: Sequence[tuple[float, float]], start: int, end: int
) -> DocumentScores:
    """One document's share of a shard's scores: its links' sentence scores, its own corpus scores, its rows."""
    chrf: list[float | None] = [None] * doc.links
    bleu: list[float | None] = [None] * doc.links
    for (position, _, _), (c, b) in zip(doc.pairs, sentence, strict=True):
        chrf[position], bleu[position] = c, b
    if start == end:
        return DocumentScores(doc.id, tuple(chrf), tuple(bleu))
    rows = [s.rows[start:end] for s in stats]
    scores: tuple[MetricScore, ...] = tuple(plain_score(s.name, s.metric, r) for s, r in zip(stats, rows, strict=True))
    statistics = tuple(tuple(tuple(row) for row in r) for r in rows)
    return DocumentScores(doc.id, tuple(chrf), tuple(bleu), scores, statistics)
