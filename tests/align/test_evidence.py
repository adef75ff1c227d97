"""Word matching as a log-likelihood ratio against chance, and how much a translation can be trusted."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest

from pipeline.align.evidence import Direction, KeySpace

# Three "sentences" per side, words as key tuples: sentence k of each side shares the key "w<k>".
SRC = [[("w0",), ("common",)], [("w1",), ("common",)], [("w2",)]]
REF = [[("w0",), ("common",)], [("w1",), ("common",)], [("w2",), ("common",)]]


def direction(src=SRC, ref=REF) -> Direction:
    space = KeySpace()
    return Direction.between(space.side(src), space.side(ref))


def test_a_word_s_chance_is_the_share_of_the_other_side_s_sentences_it_matches() -> None:
    d = direction()
    # words: w0, common, w1, common, w2; "common" matches all three reference sentences
    assert d.chance.tolist() == pytest.approx([(1 + 0.5) / 4, (3 + 0.5) / 4, (1 + 0.5) / 4, (3 + 0.5) / 4, 1.5 / 4])


def test_a_rare_match_proves_more_than_a_common_one_and_a_miss_costs_log_1_minus_a() -> None:
    d = direction()
    everywhere = np.zeros(3, np.int64), np.full(3, 2, np.int64)
    ratios = d.ratios(*everywhere, sizes=[1], a=0.2)[1]
    rare, common = 1.5 / 4, 3.5 / 4
    gain = lambda q: math.log((q + (1 - q) * 0.2) / q)  # noqa: E731
    # sentence 0 against reference 0: both words matched; against reference 2: only "common"
    assert ratios.get(np.array([0]), np.array([0]))[0] == pytest.approx(gain(rare) + gain(common))
    assert ratios.get(np.array([0]), np.array([2]))[0] == pytest.approx(math.log(0.8) + gain(common))
    assert gain(rare) > gain(common) > 0


def test_a_span_matches_when_any_of_its_sentences_does_and_its_chance_grows_with_it() -> None:
    d = direction()
    ratios = d.ratios(np.zeros(3, np.int64), np.full(3, 2, np.int64), sizes=[1, 2], a=0.2)
    # sentence 1's words against the span of references 0-1 (ending at 1): w1 matched in reference 1
    two = ratios[2].get(np.array([1]), np.array([1]))[0]
    one = ratios[1].get(np.array([1]), np.array([1]))[0]
    assert 0 < two < one  # matched either way, but a larger span matches more by chance


def test_a_translation_of_random_words_is_not_trusted_and_a_faithful_one_is() -> None:
    rng = random.Random(3)
    vocabulary = [f"v{k}" for k in range(300)]
    ref = [[(w,) for w in rng.sample(vocabulary, 8)] for _ in range(60)]
    faithful = [[words[k] for k in range(8) if rng.random() < 0.7] for words in ref]
    noise = [[(rng.choice(vocabulary),) for _ in words] for words in ref]
    pairs = [(k, k, k) for k in range(60)]
    assert direction(faithful, ref).excess_match_rate(pairs).rate > 0.6
    assert direction(noise, ref).excess_match_rate(pairs).rate < 0.05
    assert direction(faithful, ref).excess_match_rate([]).rate == 0.0
    measured = direction(faithful, ref).excess_match_rate(pairs[:10])
    assert measured.words == sum(len(words) for words in faithful[:10])


def test_a_word_matched_anywhere_in_its_linked_span_counts() -> None:
    # Chinese sentence 1 is translated by reference sentences 0 and 1 together (a 1-2 link)
    src = [[("x",)], [("a",), ("b",)], [("y",)]]
    ref = [[("a",)], [("b",)], [("c",)], [("d",)]]
    d = direction(src, ref)
    whole = d.excess_match_rate([(1, 0, 1)])
    part = d.excess_match_rate([(1, 1, 1)])
    assert whole.words == part.words == 2
    assert whole.rate > part.rate > 0
