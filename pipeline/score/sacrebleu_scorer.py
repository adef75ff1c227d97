"""Corpus BLEU and chrF through sacrebleu, each with its signature; sentence chrF per link."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pipeline.config import SacrebleuSettings
from pipeline.records import AlignedDocument, MetricScore, ScoreResult
from pipeline.score.base import Scorer, scorable_pairs


class SacrebleuScorer(Scorer):
    def __init__(self, settings: SacrebleuSettings | None = None) -> None:
        self.settings = settings or SacrebleuSettings()

    def _metrics(self) -> dict[str, Any]:
        from sacrebleu.metrics import BLEU, CHRF

        s = self.settings
        available = {
            "bleu": lambda: BLEU(tokenize=s.tokenize, lowercase=s.lowercase),
            "chrf": lambda: CHRF(lowercase=s.lowercase),
        }
        return {name: available[name]() for name in s.metrics}

    def score(self, docs: Sequence[AlignedDocument]) -> ScoreResult:
        from sacrebleu.metrics import BLEU, CHRF

        pairs = scorable_pairs(docs)
        keys = [key for key, _, _ in pairs]
        hyps = [h for _, h, _ in pairs]
        refs = [r for _, _, r in pairs]
        corpus: list[MetricScore] = []
        if pairs:
            for name, metric in self._metrics().items():
                result = metric.corpus_score(hyps, [refs])
                signature = str(metric.get_signature())
                corpus.append(MetricScore(name, round(result.score, 4), signature, result.format(signature=signature)))
        s = self.settings
        sentence_chrf = CHRF(lowercase=s.lowercase)
        # Sentence BLEU needs effective order: a short segment has no 4-gram matches to count.
        sentence_bleu = BLEU(tokenize=s.tokenize, lowercase=s.lowercase, effective_order=True)
        all_links = [(doc.id, link.index) for doc in docs for link in doc.links]
        link_chrf: dict[tuple[str, int], float | None] = dict.fromkeys(all_links)
        link_bleu: dict[tuple[str, int], float | None] = dict.fromkeys(all_links)
        for key, hyp, ref in zip(keys, hyps, refs, strict=True):
            link_chrf[key] = round(sentence_chrf.sentence_score(hyp, [ref]).score, 2)
            link_bleu[key] = round(sentence_bleu.sentence_score(hyp, [ref]).score, 2)
        return ScoreResult(
            corpus=tuple(corpus),
            link_chrf=link_chrf,
            link_bleu=link_bleu,
            scored_links=len(pairs),
            skipped_links=len(all_links) - len(pairs),
        )

    def signature(self) -> str:
        s = self.settings
        return f"sacrebleu|metrics:{','.join(s.metrics)}|tok:{s.tokenize}|lowercase:{s.lowercase}"
