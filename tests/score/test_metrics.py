"""Each metric on a case small enough to compute by hand; intervals equal sacrebleu's bootstrap."""

from __future__ import annotations

import pytest
from sacrebleu.metrics import BLEU, CHRF, TER
from sacrebleu_public import interval, rounded

from pipeline.config import SacrebleuSettings
from pipeline.score import metrics
from pipeline.score.metrics import CorpusScorer, SentenceScorer, score_json

HAND_COMPUTED = [
    # BLEU: 1- to 4-gram precisions 5/6, 3/5, 2/4, 1/3; equal lengths, so no brevity penalty.
    ("bleu", "the cat sat on the mat", ["the cat sat on a mat"], 100 * (5 / 6 * 3 / 5 * 2 / 4 * 1 / 3) ** 0.25),
    # chrF: character 1-grams 2/3 match, 2-grams 1/2, 3-grams 0 (4- to 6-grams: none on either side, not
    # counted); precision = recall = (2/3 + 1/2 + 0) / 3 = 7/18, so F2 = 7/18.
    ("chrf", "abc", ["abd"], 100 * 7 / 18),
    # chrF++ adds word 1-grams (0 of 1 match) and word 2-grams (none): (2/3 + 1/2 + 0 + 0) / 4 = 7/24.
    ("chrf++", "abc", ["abd"], 100 * 7 / 24),
    # TER: one deletion ("c") over a reference of 3 words.
    ("ter", "a b c d", ["a b d"], 100 / 3),
    # Two references: BLEU counts n-grams against the best of them, here an identical one.
    ("bleu", "the cat sat on the mat", ["the cat sat on a mat", "the cat sat on the mat"], 100.0),
]


@pytest.mark.parametrize(("metric", "hyp", "refs", "expected"), HAND_COMPUTED)
def test_hand_computed_scores(metric: str, hyp: str, refs: list[str], expected: float) -> None:
    scorer = CorpusScorer(SacrebleuSettings(metrics=[metric], bootstrap=0), [[r] for r in refs])
    [score] = scorer.corpus(scorer.statistics([hyp]))
    assert score.score == pytest.approx(expected, abs=1e-4)
    assert score.signature.startswith(f"nrefs:{len(refs)}|")


def three_segments() -> tuple[list[str], list[list[str]]]:
    hyps = ["The cat sat on a mat.", "It was glad.", "Then it went away quickly.", "Nothing here.", "Yes."]
    refs = [["The cat sat on the mat.", "It was happy.", "Then it left.", "Nothing.", "Yes indeed."]]
    return hyps, refs


@pytest.mark.parametrize(
    ("name", "metric"), [("bleu", BLEU()), ("chrf", CHRF()), ("chrf++", CHRF(word_order=2)), ("ter", TER())]
)
@pytest.mark.parametrize("chunk_bytes", [64 << 20, 1])  # one chunk, and one resample per chunk
def test_bootstrap_interval_equals_sacrebleus(
    name: str, metric: object, chunk_bytes: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(metrics, "_CHUNK_BYTES", chunk_bytes)
    hyps, refs = three_segments()
    scorer = CorpusScorer(SacrebleuSettings(metrics=[name], bootstrap=200), refs)
    [ours] = scorer.corpus(scorer.statistics(hyps))
    theirs = metric.corpus_score(hyps, refs, n_bootstrap=200)  # type: ignore[attr-defined]
    assert ours.ci is not None
    assert ours.score == theirs.score
    assert rounded(ours.ci.mean, ours.ci.half_width) == interval(theirs)
    assert ours.signature == str(metric.get_signature())  # type: ignore[attr-defined]


def test_seed_comes_from_sacrebleus_environment_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SACREBLEU_SEED", "7")
    hyps, refs = three_segments()
    scorer = CorpusScorer(SacrebleuSettings(metrics=["chrf"], bootstrap=100), refs)
    [ours] = scorer.corpus(scorer.statistics(hyps))
    theirs = CHRF().corpus_score(hyps, refs, n_bootstrap=100)
    assert "seed:7" in ours.signature and ours.ci is not None
    assert rounded(ours.ci.mean, ours.ci.half_width) == interval(theirs)


def test_references_and_hypotheses_must_have_the_same_length() -> None:
    with pytest.raises(ValueError, match=r"differ in length: \[1, 2\]"):
        CorpusScorer(SacrebleuSettings(), [["a"], ["a", "b"]])
    scorer = CorpusScorer(SacrebleuSettings(metrics=["bleu"]), [["a", "b"]])
    with pytest.raises(ValueError, match="1 hypotheses for 2 reference segments"):
        scorer.statistics(["a"])


def test_groups_are_scored_as_corpora_of_their_own() -> None:
    hyps, refs = three_segments()
    scorer = CorpusScorer(SacrebleuSettings(metrics=["bleu", "ter"], bootstrap=0), refs)
    groups = scorer.groups(scorer.statistics(hyps), {"first": [0, 1], "rest": [2, 3, 4], "empty": []})
    assert set(groups) == {"first", "rest"}
    [bleu, ter] = groups["rest"]
    assert bleu.score == BLEU().corpus_score(hyps[2:], [refs[0][2:]]).score
    assert ter.score == TER().corpus_score(hyps[2:], [refs[0][2:]]).score


def test_sentence_scores_with_two_references() -> None:
    got = SentenceScorer(SacrebleuSettings()).score(["It was glad."], [["It was happy."], ["It was glad."]])
    assert got == [(100.0, 100.0)]


def test_score_json_says_which_way_is_better_and_carries_the_interval() -> None:
    hyps, refs = three_segments()
    scorer = CorpusScorer(SacrebleuSettings(metrics=["bleu", "ter"], bootstrap=50), refs)
    bleu, ter = (score_json(m) for m in scorer.corpus(scorer.statistics(hyps)))
    assert (bleu["higher_is_better"], ter["higher_is_better"]) == (True, False)
    assert set(bleu["ci"]) == {"level", "mean", "half_width", "low", "high", "resamples"}
    assert bleu["ci"]["resamples"] == 50 and bleu["signature"] in bleu["text"]
