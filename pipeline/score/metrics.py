"""sacrebleu's metrics, scored from per-segment statistics so that one pass serves every number.

Every number here is sacrebleu's own. A sacrebleu metric turns each segment into sufficient
statistics (n-gram counts, edit counts) and a corpus score is computed from their sum: that is
what ``corpus_score`` does. Keeping the statistics lets one extraction give the corpus score, the
score of every document (the same computation over the document's segments) and the bootstrap
resamples for confidence intervals, which sacrebleu draws exactly as below (one NumPy generator
seeded by ``SACREBLEU_SEED``, default 12345, the same draws for every metric).

Unlike ``corpus_score(n_bootstrap=...)``, which holds resamples x segments x statistics in memory
at once, the resamples are summed in chunks, so a run of 20,000 links stays within a few hundred MB.
The chunks give the same numbers: a test compares them with sacrebleu's.

This relies on the ``Metric`` methods ``_extract_corpus_statistics``, ``_aggregate_and_compute`` and
``_compute_score_from_stats``, which sacrebleu's own significance tests use (stable across 2.x;
pinned ``sacrebleu>=2.4,<3`` in pyproject.toml).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pipeline.config import SacrebleuSettings
from pipeline.records import ConfidenceInterval, MetricScore
from pipeline.score.progress import Progress

if TYPE_CHECKING:
    from sacrebleu.metrics.base import Metric, Score

#: Metrics where a lower score is better (the report and the significance tests say so).
LOWER_IS_BETTER = frozenset({"ter"})

#: Upper bound of the temporary array of one bootstrap chunk, in bytes.
_CHUNK_BYTES = 64 << 20


def build_metric(name: str, settings: SacrebleuSettings, references: Sequence[Sequence[str]] | None = None) -> Metric:
    """The sacrebleu metric a config name stands for, with the references cached when given.

    ``lowercase`` applies to BLEU and chrF; TER stays case-insensitive, as sacrebleu's default is. TER is
    sacrebleu's with its edit distances computed in NumPy (:mod:`pipeline.score.ter`, the same numbers).
    """
    from sacrebleu.metrics import BLEU, CHRF

    from pipeline.score.ter import FastTER

    refs = [list(stream) for stream in references] if references is not None else None
    if name == "bleu":
        return BLEU(tokenize=settings.tokenize, lowercase=settings.lowercase, references=refs)
    if name == "chrf":
        return CHRF(lowercase=settings.lowercase, references=refs)
    if name == "chrf++":
        return CHRF(word_order=2, lowercase=settings.lowercase, references=refs)
    if name == "ter":
        return FastTER(references=refs)
    raise ValueError(f"unknown metric {name!r}; valid names: bleu, chrf, chrf++, ter")


def metric_for_statistics(name: str, settings: SacrebleuSettings, nrefs: int = 1) -> Metric:
    """A metric that computes scores from statistics extracted elsewhere (with ``nrefs`` references each),
    so that its signature says ``nrefs`` as the extracting metric's does."""
    metric = build_metric(name, settings)
    metric.num_refs = nrefs
    return metric


def bootstrap_seed() -> tuple[str, int | None]:
    """sacrebleu's seed: ``SACREBLEU_SEED`` (default 12345; ``none`` draws fresh entropy)."""
    seed = os.environ.get("SACREBLEU_SEED", "12345")
    return seed.lower(), None if seed.lower() == "none" else int(seed)


def check_references(references: Sequence[Sequence[str]], n_segments: int | None = None) -> None:
    """Every reference stream has one line per segment (sacrebleu would silently stop at the shortest)."""
    if not references:
        raise ValueError("at least one reference stream is needed")
    lengths = {len(stream) for stream in references}
    if n_segments is not None:
        lengths.add(n_segments)
    if len(lengths) != 1:
        raise ValueError(f"hypotheses and references differ in length: {sorted(lengths)}")


@dataclass
class Statistics:
    """One metric's statistics of one system: ``rows[i]`` belongs to segment ``i``.

    ``rows`` is a list of sacrebleu's per-segment lists, or (for a run summed document by document)
    an ``(n_segments, n_statistics)`` float32 array, which is what the bootstrap resamples anyway,
    with ``totals`` the exact sum of the segments (sacrebleu's ``sum_of_lists``, in segment order).

    Bootstrap resamples are kept once computed: the confidence interval and the paired bootstrap
    test draw the same resamples (same seed), so they share them.
    """

    name: str
    metric: Metric
    rows: Any
    totals: list[Any] | None = None
    _resamples: dict[tuple[int, int | None], list[Score]] = field(default_factory=dict, repr=False)

    def aggregate(self) -> Score:
        """The score of all segments together (sacrebleu's ``_aggregate_and_compute``)."""
        if self.totals is not None:
            return self.metric._compute_score_from_stats(self.totals)
        return self.metric._aggregate_and_compute(self.rows)

    def resampled(self, n_samples: int) -> list[Score]:
        """Scores of ``n_samples`` bootstrap resamples, drawn as sacrebleu draws them."""
        _, seed = bootstrap_seed()
        key = (n_samples, seed)
        if key not in self._resamples:
            self._resamples[key] = _bootstrap(self, n_samples, seed)
        return self._resamples[key]


def add_rows(totals: list[Any] | None, rows: Sequence[Sequence[Any]]) -> list[Any] | None:
    """``totals`` plus every row, added one row at a time in order, as sacrebleu's ``sum_of_lists`` adds
    them (the same additions, so float statistics such as TER's sum to the same bits)."""
    for row in rows:
        if totals is None:
            totals = list(row)
            continue
        for i, value in enumerate(row):
            totals[i] += value
    return totals


def _bootstrap(stats: Statistics, n_samples: int, seed: int | None) -> list[Score]:
    """sacrebleu's ``_bootstrap_resample``, summed chunk by chunk instead of all at once."""
    import numpy as np

    rows = np.asarray(stats.rows, dtype="float32")  # sacrebleu's dtype, so sums round alike
    n_segments = len(rows)
    per_sample = max(1, rows.size * 4)
    chunk = max(1, min(n_samples, _CHUNK_BYTES // per_sample))
    rng = np.random.default_rng(seed)
    out: list[Score] = []
    done = 0
    while done < n_samples:
        size = min(chunk, n_samples - done)
        # Drawing rows in chunks continues the generator's stream exactly as one big draw would.
        idxs = rng.choice(n_segments, size=(size, n_segments), replace=True)
        out.extend(stats.metric._compute_score_from_stats(row) for row in rows[idxs].sum(axis=1))
        done += size
    return out


class CorpusScorer:
    """The chosen metrics with their references cached, ready to score any number of systems.

    ``references`` is a list of reference streams (one per reference translation), each with one
    line per segment, as sacrebleu takes them.
    """

    def __init__(self, settings: SacrebleuSettings, references: Sequence[Sequence[str]]) -> None:
        check_references(references)
        self.settings = settings
        self.n_segments = len(references[0])
        self.metrics = {name: build_metric(name, settings, references) for name in settings.metrics}

    def statistics(self, hypotheses: Sequence[str], progress: Progress | None = None) -> list[Statistics]:
        """Per-segment statistics of every metric for one system; ``progress`` counts one step a segment
        and metric."""
        if len(hypotheses) != self.n_segments:
            raise ValueError(f"{len(hypotheses)} hypotheses for {self.n_segments} reference segments")
        hyps = list(hypotheses)
        out = []
        for name, metric in self.metrics.items():
            if progress is None:
                rows = metric._extract_corpus_statistics(hyps, None)
            else:
                progress.note(name)
                # sacrebleu reads the hypotheses once, in order, zipped with its cached references: counting
                # them as they are read shows progress within its loop, which is left as it is.
                rows = metric._extract_corpus_statistics(progress.counted(hyps), None)  # type: ignore[arg-type]
            out.append(Statistics(name, metric, rows))
        return out

    def corpus(self, stats: Sequence[Statistics], bootstrap: int | None = None) -> tuple[MetricScore, ...]:
        """Corpus score of each metric; with ``bootstrap`` > 1 resamples, its 95% confidence interval."""
        n = self.settings.bootstrap if bootstrap is None else bootstrap
        return tuple(corpus_score(s, n if n > 1 and self.n_segments else 0) for s in stats)

    def groups(
        self, stats: Sequence[Statistics], groups: Mapping[str, Sequence[int]]
    ) -> dict[str, tuple[MetricScore, ...]]:
        """Score of each group of segments (e.g. a document), computed as a corpus of its own."""
        out: dict[str, tuple[MetricScore, ...]] = {}
        for key, indices in groups.items():
            if indices:
                out[key] = tuple(plain_score(s.name, s.metric, [s.rows[i] for i in indices]) for s in stats)
        return out


def plain_score(name: str, metric: Metric, rows: Sequence[Sequence[Any]]) -> MetricScore:
    """The score of some segments' statistics together, without an interval."""
    return _scored(name, metric, metric._aggregate_and_compute(rows))


def _scored(name: str, metric: Metric, score: Score) -> MetricScore:
    signature = str(metric.get_signature())
    return MetricScore(name, float(score.score), signature, score.format(signature=signature))


def corpus_score(stats: Statistics, bootstrap: int = 0) -> MetricScore:
    """The corpus score, as ``metric.corpus_score(..., n_bootstrap=bootstrap)`` gives it."""
    if bootstrap < 2:
        return _scored(stats.name, stats.metric, stats.aggregate())
    score = stats.aggregate()
    resampled = stats.resampled(bootstrap)
    score.estimate_ci(resampled)  # sacrebleu's own mean and half-width, as ``corpus_score`` sets them
    ordered = sorted(float(s.score) for s in resampled)
    cut = len(ordered) // 40  # the 2.5th and 97.5th percentiles, sacrebleu's rule
    ci = ConfidenceInterval(
        mean=float(score._mean),
        half_width=float(score._ci),
        low=ordered[cut],
        high=ordered[len(ordered) - cut - 1],
        resamples=bootstrap,
    )
    seed_text, _ = bootstrap_seed()
    signature = stats.metric.get_signature()
    signature.update("bs", bootstrap)
    signature.update("seed", seed_text)
    text = score.format(signature=str(signature))
    return MetricScore(stats.name, float(score.score), str(signature), text, ci)


class SentenceScorer:
    """Sentence-level chrF and BLEU (effective order, as ``sacrebleu.sentence_bleu``) of single segments."""

    def __init__(self, settings: SacrebleuSettings) -> None:
        from sacrebleu.metrics import BLEU, CHRF

        self.chrf = CHRF(lowercase=settings.lowercase)
        # Sentence BLEU needs effective order: a short segment has no 4-gram matches to count.
        self.bleu = BLEU(tokenize=settings.tokenize, lowercase=settings.lowercase, effective_order=True)

    def score(self, hypotheses: Sequence[str], references: Sequence[Sequence[str]]) -> list[tuple[float, float]]:
        """``(chrF, BLEU)`` of each segment, rounded to 2 decimals; ``references`` as for :class:`CorpusScorer`."""
        check_references(references, len(hypotheses))
        if not hypotheses:
            return []
        refs = [list(stream) for stream in references]
        chrf = self.chrf._extract_corpus_statistics(list(hypotheses), refs)
        bleu = self.bleu._extract_corpus_statistics(list(hypotheses), refs)
        return self.from_statistics(chrf, bleu)

    def from_statistics(self, chrf: Sequence[Any], bleu: Sequence[Any]) -> list[tuple[float, float]]:
        """The same scores from per-segment statistics already extracted: chrF's are those of corpus chrF
        with the same ``lowercase``, BLEU's those of corpus BLEU with the same ``tokenize`` and ``lowercase``
        (effective order changes only how a score is computed from them)."""
        return [
            (
                round(self.chrf._aggregate_and_compute([c]).score, 2),
                round(self.bleu._aggregate_and_compute([b]).score, 2),
            )
            for c, b in zip(chrf, bleu, strict=True)
        ]


def score_json(score: MetricScore) -> dict[str, Any]:
    """A score as the JSON outputs write it: value, signature, sacrebleu's text and the interval."""
    ci = score.ci
    return {
        "metric": score.name,
        "score": score.score,
        "signature": score.signature,
        "text": score.text,
        "higher_is_better": score.name not in LOWER_IS_BETTER,
        "ci": None
        if ci is None
        else {
            "level": 0.95,
            "mean": ci.mean,
            "half_width": ci.half_width,
            "low": ci.low,
            "high": ci.high,
            "resamples": ci.resamples,
        },
    }
