"""The run's scorer: corpus BLEU, chrF, chrF++ and TER through sacrebleu, each with its signature and
a 95% bootstrap confidence interval; the same metrics per document; sentence chrF and BLEU per link.

A run aligns each document to one reference, so it is scored against that one reference
(``nrefs:1``). Several references need line-parallel files: see ``pipeline score``
(:mod:`pipeline.score.systems`).
"""

from __future__ import annotations

from collections.abc import Sequence

from pipeline.config import SacrebleuSettings
from pipeline.records import ScoreResult
from pipeline.score.base import ScorablePair, Scorer
from pipeline.score.metrics import CorpusScorer, SentenceScorer

LinkKey = tuple[str, int]


class SacrebleuScorer(Scorer):
    def __init__(self, settings: SacrebleuSettings | None = None) -> None:
        self.settings = settings or SacrebleuSettings()

    def score_pairs(self, pairs: Sequence[ScorablePair], all_links: Sequence[LinkKey]) -> ScoreResult:
        link_chrf: dict[LinkKey, float | None] = dict.fromkeys(all_links)
        link_bleu: dict[LinkKey, float | None] = dict.fromkeys(all_links)
        if not pairs:
            return ScoreResult((), link_chrf, link_bleu, 0, len(link_chrf))
        hyps = [hyp for _, hyp, _ in pairs]
        refs = [[ref for _, _, ref in pairs]]
        scorer = CorpusScorer(self.settings, refs)
        stats = scorer.statistics(hyps)
        documents: dict[str, list[int]] = {}
        for position, ((doc_id, _), _, _) in enumerate(pairs):
            documents.setdefault(doc_id, []).append(position)
        sentence_scores = SentenceScorer(self.settings).score(hyps, refs)
        for (key, _, _), (chrf, bleu) in zip(pairs, sentence_scores, strict=True):
            link_chrf[key] = chrf
            link_bleu[key] = bleu
        return ScoreResult(
            corpus=scorer.corpus(stats),
            link_chrf=link_chrf,
            link_bleu=link_bleu,
            scored_links=len(pairs),
            skipped_links=len(link_chrf) - len(pairs),
            documents=scorer.groups(stats, documents),
        )

    def signature(self) -> str:
        s = self.settings
        return f"sacrebleu|metrics:{','.join(s.metrics)}|tok:{s.tokenize}|lowercase:{s.lowercase}|bs:{s.bootstrap}"
