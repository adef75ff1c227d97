"""The run's scorer: corpus BLEU and chrF (chrF++ and TER when ``score.metrics`` asks) through sacrebleu,
each with its signature and a 95% bootstrap confidence interval; the same metrics per document; sentence
chrF and BLEU per link.

A run aligns each document to one reference, so it is scored against that one reference
(``nrefs:1``). Several references need line-parallel files: see ``pipeline score``
(:mod:`pipeline.score.systems`).

Memory: documents are scored a shard at a time, :data:`BATCH` links per call to sacrebleu, and the
corpus scores are sums of the documents' per-segment statistics, added as they are read. Only a
bootstrap (``bootstrap`` > 1) needs every segment's statistics at once, because each resample draws
from all of them: they are kept as one float32 array, 4 bytes per statistic per scored link (BLEU 10,
chrF 18, chrF++ 24, TER 2 statistics: 112 bytes per link for BLEU and chrF), and each resample
briefly needs as much again.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pipeline.config import SacrebleuSettings
from pipeline.records import CorpusScores, DocumentScores
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

#: Links scored together: sacrebleu keeps every reference's n-grams of a call in memory (chrF's character
#: n-grams take about 100 KB a link), so a shard is scored this many links at a time.
BATCH = 1_000


class SacrebleuScorer(Scorer):
    def __init__(self, settings: SacrebleuSettings | None = None) -> None:
        self.settings = settings or SacrebleuSettings()
        # Document scores are computed from statistics: these metrics give their signatures (nrefs:1).
        self._metrics = {name: metric_for_statistics(name, self.settings) for name in self.settings.metrics}

    def score_documents(self, documents: Sequence[DocumentLinks]) -> list[DocumentScores]:
        pairs = [(hyp, ref) for doc in documents for _, hyp, ref in doc.pairs]
        rows: list[list[Any]] = [[] for _ in self.settings.metrics]
        sentence: list[tuple[float, float]] = []
        for start in range(0, len(pairs), BATCH):
            batch_rows, batch_sentence = self._score_batch(pairs[start : start + BATCH])
            for m, part in enumerate(batch_rows):
                rows[m].extend(part)
            sentence.extend(batch_sentence)
        out = []
        start = 0
        for doc in documents:
            end = start + len(doc.pairs)
            out.append(self._document(doc, [r[start:end] for r in rows], sentence[start:end]))
            start = end
        return out

    def _score_batch(self, pairs: Sequence[tuple[str, str]]) -> tuple[list[list[Any]], list[tuple[float, float]]]:
        """Per-segment statistics of every metric, and sentence chrF and BLEU, of some pairs."""
        hyps = [hyp for hyp, _ in pairs]
        refs = [[ref for _, ref in pairs]]
        stats = {s.name: s.rows for s in CorpusScorer(self.settings, refs).statistics(hyps)}
        sentence = SentenceScorer(self.settings)
        # Sentence chrF and BLEU come from the same statistics as the corpus metrics of the same name.
        chrf = stats["chrf"] if "chrf" in stats else sentence.chrf._extract_corpus_statistics(hyps, refs)
        bleu = stats["bleu"] if "bleu" in stats else sentence.bleu._extract_corpus_statistics(hyps, refs)
        return [stats[name] for name in self.settings.metrics], sentence.from_statistics(chrf, bleu)

    def _document(
        self, doc: DocumentLinks, rows: Sequence[Sequence[Any]], sentence: Sequence[tuple[float, float]]
    ) -> DocumentScores:
        """One document's share of the scores: its links' sentence scores, its own corpus scores, its rows."""
        chrf: list[float | None] = [None] * doc.links
        bleu: list[float | None] = [None] * doc.links
        for (position, _, _), (c, b) in zip(doc.pairs, sentence, strict=True):
            chrf[position], bleu[position] = c, b
        if not doc.pairs:
            return DocumentScores(doc.id, tuple(chrf), tuple(bleu))
        names = self.settings.metrics
        scores = tuple(plain_score(name, self._metrics[name], r) for name, r in zip(names, rows, strict=True))
        statistics = tuple(tuple(tuple(row) for row in r) for r in rows)
        return DocumentScores(doc.id, tuple(chrf), tuple(bleu), scores, statistics)

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
