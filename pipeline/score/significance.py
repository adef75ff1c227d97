"""Paired significance tests between systems on the same segments: sacrebleu's, on shared statistics.

sacrebleu offers two tests against a baseline (``sacrebleu -t paired-bs`` / ``paired-ar``, class
``sacrebleu.significance.PairedTest``): paired bootstrap resampling (Koehn 2004, as Moses'
``bootstrap-hypothesis-difference-significance.pl``; 1,000 resamples) and paired approximate
randomisation (Riezler & Maxwell 2005, as MultEval; 10,000 trials). Both are reproduced here step
by step (same seed, same draws, same p-value rule), but they work from the statistics the corpus
scores were computed from instead of re-reading every system, and the bootstrap reuses the
resamples of the confidence intervals. ``tests/score/test_significance.py`` checks that the
p-values equal ``PairedTest``'s.

The p-value is that of the null hypothesis "the two systems are equally good": a small p-value
(below 0.05, by convention) says the difference is unlikely to be chance.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from pipeline.errors import ConfigError
from pipeline.score.metrics import Statistics, bootstrap_seed
from pipeline.score.progress import Progress

TestName = Literal["bs", "ar"]

#: sacrebleu's defaults: bootstrap resamples for ``bs``, randomisation trials for ``ar``.
DEFAULT_SAMPLES: dict[str, int] = {"bs": 1000, "ar": 10000}

#: Randomisation trials multiplied out at once (memory: trials x segments x 8 bytes).
_TRIALS_PER_CHUNK = 500

#: Full names, for reports.
TEST_NAMES: dict[str, str] = {"bs": "paired bootstrap resampling", "ar": "paired approximate randomization"}


@dataclass(frozen=True, slots=True)
class PairedResult:
    """One system's score on one metric in a paired test; ``p_value`` is None for the baseline.

    ``mean`` and ``half_width`` are the bootstrap estimate of the true score (paired bootstrap only).
    """

    system: str
    metric: str
    score: float
    p_value: float | None
    mean: float | None = None
    half_width: float | None = None


@dataclass(frozen=True, slots=True)
class PairedTestResult:
    """A paired test of every system against the first (the baseline), for each metric."""

    test: TestName
    samples: int
    baseline: str
    signatures: dict[str, str]
    results: tuple[PairedResult, ...]


SystemStatistics = tuple[str, Sequence[Statistics]]


def paired_test(
    systems: Sequence[SystemStatistics], test: TestName, samples: int = 0, progress: bool = False
) -> PairedTestResult:
    """Run ``test`` of every system against ``systems[0]``; ``samples`` 0 takes sacrebleu's default.
    ``progress`` draws a bar of the comparisons on standard error (the caller checks it is a terminal)."""
    if len(systems) < 2:
        raise ValueError("a paired test needs a baseline and at least one other system")
    n = samples if samples > 0 else DEFAULT_SAMPLES[test]
    seed_text, seed = bootstrap_seed()
    if test == "bs" and not seed:
        # The bootstrap pairs the systems by drawing the same resamples for both: it needs a fixed seed.
        raise ConfigError([f"SACREBLEU_SEED={seed_text}: the paired bootstrap needs a fixed, non-zero seed; unset it"])
    baseline_name, baseline = systems[0]
    signatures: dict[str, str] = {}
    results: list[PairedResult] = []
    comparisons = len(baseline) * (len(systems) - 1)
    with Progress(comparisons, f"paired {test}", "test", progress) as bar:
        for position, base in enumerate(baseline):
            signatures[base.name] = _signature(base, seed_text, test, n)
            results.append(_baseline_result(baseline_name, base, test, n))
            for name, stats in systems[1:]:
                other = stats[position]
                if other.name != base.name or len(other.rows) != len(base.rows):
                    raise ValueError(f"system {name!r} was not scored like the baseline {baseline_name!r}")
                bar.note(f"{name}: {base.name}")
                results.append(_compare(name, base, other, test, n, seed))
                bar.step()
    return PairedTestResult(test, n, baseline_name, signatures, tuple(results))


def _signature(stats: Statistics, seed_text: str, test: TestName, n: int) -> str:
    """The metric's signature with the seed and the test (``nrefs:1|bs:1000|seed:12345|...``), as sacrebleu's."""
    signature = stats.metric.get_signature()
    signature.update("seed", seed_text)
    signature.update(test, n)
    return str(signature)


def _compare(name: str, base: Statistics, other: Statistics, test: TestName, n: int, seed: int | None) -> PairedResult:
    """One system against the baseline on one metric."""
    # sacrebleu passes ``None`` for a zero seed, which then draws fresh entropy.
    test_seed = seed if seed else None
    if test == "bs":
        return _bootstrap_test(name, base, other, n, test_seed)
    return _randomization_test(name, base, other, n, test_seed)


def _score(stats: Statistics) -> float:
    return float(stats.metric._aggregate_and_compute(stats.rows).score)


def _p_value(sample_stats: object, real_difference: float) -> float:
    """sacrebleu's ``_compute_p_value`` (from MultEval): (count of larger samples + 1) / (samples + 1)."""
    import numpy as np

    values = np.asarray(sample_stats)
    return float((np.sum(values > real_difference).item() + 1) / (len(values) + 1))


def _estimate(scores: object) -> tuple[float, float]:
    """sacrebleu's ``significance.estimate_ci``: mean and half the 95% percentile interval."""
    import numpy as np

    ordered = np.sort(np.asarray(scores))
    cut = len(ordered) // 40
    return float(ordered.mean()), float(0.5 * (ordered[len(ordered) - cut - 1] - ordered[cut]))


def _baseline_result(name: str, stats: Statistics, test: TestName, n: int) -> PairedResult:
    if test != "bs":
        return PairedResult(name, stats.name, _score(stats), None)
    mean, half_width = _estimate([s.score for s in stats.resampled(n)])
    return PairedResult(name, stats.name, _score(stats), None, mean, half_width)


def _bootstrap_test(name: str, base: Statistics, other: Statistics, n: int, seed: int | None) -> PairedResult:
    """sacrebleu's ``_paired_bs_test``: how often resampled differences exceed the real one."""
    import numpy as np

    base_scores = np.array([s.score for s in base.resampled(n)])
    other_scores = np.array([s.score for s in other.resampled(n)])
    real = abs(_score(base) - _score(other))
    differences = np.abs(other_scores - base_scores)
    mean, half_width = _estimate(other_scores)
    p_value = _p_value(differences - differences.mean(), real)
    return PairedResult(name, other.name, _score(other), p_value, mean, half_width)


def _randomization_test(name: str, base: Statistics, other: Statistics, n: int, seed: int | None) -> PairedResult:
    """sacrebleu's ``_paired_ar_test``: swap each segment's outputs between the systems at random."""
    import numpy as np

    rng = np.random.default_rng(seed)
    swap = rng.integers(2, size=(n, len(base.rows)), dtype=bool)
    base_rows, other_rows = np.asarray(base.rows), np.asarray(other.rows)
    shuffled_a, shuffled_b = [], []
    # In chunks of trials: the product promotes the swap mask to the statistics' dtype (8 bytes a cell).
    for start in range(0, n, _TRIALS_PER_CHUNK):
        chunk = swap[start : start + _TRIALS_PER_CHUNK]
        shuffled_a.append(chunk @ base_rows + ~chunk @ other_rows)
        shuffled_b.append(~chunk @ base_rows + chunk @ other_rows)
    metric = other.metric
    scores_a = np.array([metric._aggregate_and_compute(x).score for x in np.concatenate(shuffled_a)[:, None]])
    scores_b = np.array([metric._aggregate_and_compute(x).score for x in np.concatenate(shuffled_b)[:, None]])
    real = abs(_score(base) - _score(other))
    return PairedResult(name, other.name, _score(other), _p_value(np.abs(scores_a - scores_b), real))
