"""Paired significance tests: the same p-values as sacrebleu's ``PairedTest``, and they tell a real
difference from noise."""

from __future__ import annotations

import random

import pytest
from sacrebleu.metrics import BLEU, CHRF, TER
from sacrebleu.significance import PairedTest

from pipeline.config import SacrebleuSettings
from pipeline.errors import ConfigError
from pipeline.score.metrics import CorpusScorer
from pipeline.score.significance import paired_test

WORDS = [
    "the",
    "a",
    "cat",
    "dog",
    "sat",
    "ran",
    "on",
    "under",
    "mat",
    "table",
    "quickly",
    "slowly",
    "today",
    "it",
    "was",
    "happy",
    "sad",
    "then",
    "left",
    "came",
]


def corpus(n: int = 150) -> list[str]:
    rng = random.Random(1)
    return [" ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 14))) for _ in range(n)]


def corrupt(lines: list[str], rate: float, seed: int) -> list[str]:
    """Replace each word with a random one with probability ``rate``: a system of known quality."""
    rng = random.Random(seed)
    return [" ".join(rng.choice(WORDS) if rng.random() < rate else w for w in line.split()) for line in lines]


REFS = corpus()
BASELINE = corrupt(REFS, 0.4, seed=2)
BETTER = corrupt(REFS, 0.15, seed=3)  # far fewer errors: a real difference
SAME = [*BASELINE[:-3], *corrupt(REFS[-3:], 0.4, seed=4)]  # the baseline with three lines redone alike
SYSTEMS = [("baseline", BASELINE), ("better", BETTER), ("same", SAME)]


def statistics(metrics: list[str]) -> list[tuple[str, list]]:
    scorer = CorpusScorer(SacrebleuSettings(metrics=metrics), [REFS])  # type: ignore[arg-type]
    return [(name, scorer.statistics(hyps)) for name, hyps in SYSTEMS]


@pytest.mark.parametrize(("test", "samples"), [("bs", 1000), ("ar", 1300)])  # 1300: a partial chunk of trials
def test_p_values_equal_sacrebleus_paired_test(test: str, samples: int) -> None:
    ours = paired_test(statistics(["bleu", "chrf", "ter"]), test, samples)  # type: ignore[arg-type]
    metrics = {"bleu": BLEU(), "chrf": CHRF(), "ter": TER()}
    signatures, theirs = PairedTest(SYSTEMS, metrics, [REFS], test_type=test, n_samples=samples)()
    expected = [(m, r.score, r.p_value) for m, results in theirs.items() if m != "System" for r in results]
    assert [(r.score, r.p_value) for r in ours.results] == [(score, p) for _, score, p in expected]
    assert list(ours.signatures.values()) == [str(s) for s in signatures.values()]
    assert ours.baseline == "baseline" and ours.samples == samples


@pytest.mark.parametrize("test", ["bs", "ar"])
@pytest.mark.parametrize("metric", ["bleu", "chrf"])
def test_a_real_difference_is_significant_and_noise_is_not(test: str, metric: str) -> None:
    result = paired_test(statistics([metric]), test, 1000)  # type: ignore[arg-type]
    p = {r.system: r.p_value for r in result.results}
    assert p["baseline"] is None
    assert p["better"] is not None and p["better"] < 0.01
    assert p["same"] is not None and p["same"] > 0.05  # not significant at the conventional level


def test_paired_bootstrap_reports_the_bootstrap_interval_of_every_system() -> None:
    result = paired_test(statistics(["bleu"]), "bs")
    for r in result.results:
        assert r.mean is not None and r.half_width is not None and abs(r.mean - r.score) < r.half_width


def test_paired_bootstrap_needs_a_fixed_seed(monkeypatch: pytest.MonkeyPatch) -> None:
    stats = statistics(["bleu"])
    monkeypatch.setenv("SACREBLEU_SEED", "none")
    with pytest.raises(ConfigError, match="needs a fixed, non-zero seed"):
        paired_test(stats, "bs")


def test_a_test_needs_two_systems() -> None:
    with pytest.raises(ValueError, match="at least one other system"):
        paired_test(statistics(["bleu"])[:1], "ar")
