"""Sentence vectors and the dot products the aligner builds on."""

from __future__ import annotations

import random

import numpy as np
import pytest

from pipeline.align.band import band_dots, neighbour_dots, span_square_norms, span_sums
from pipeline.align.features import (
    FeatureSpace,
    SparseRows,
    ends_quotation_en,
    ends_quotation_zh,
    normalise,
    quotation_opens_en,
    quotation_opens_zh,
    zh_length,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Bao-yu  said: 'Yes!'", " bao yu said yes "),
        ("", "  "),
        ("... ...", " ... ... "),
        ("…… ……", " ...... ...... "),
        ("3k glasses", " 3k glasses "),
    ],
)
def test_normalise(text: str, expected: str) -> None:
    assert normalise(text) == expected


def dense(rows: SparseRows, width: int) -> np.ndarray:
    out = np.zeros((len(rows), width))
    for r in range(len(rows)):
        lo, hi = rows.indptr[r], rows.indptr[r + 1]
        out[r, rows.indices[lo:hi]] = rows.data[lo:hi]
    return out


def test_rare_features_weigh_more_than_common_ones() -> None:
    space = FeatureSpace(["the cat", "the dog", "the cow", "the zebra"])
    common, rare = space.transform(["the"]).norms(), space.transform(["cow"]).norms()  # same number of features
    assert rare[0] > common[0] > 0


def test_shared_words_make_similar_vectors() -> None:
    space = FeatureSpace(["Baoyu blushed.", "Bao-yu blushed.", "The weather is fine today."])
    m = dense(space.rows, len(space.keys))
    cos = (m @ m.T) / np.outer(np.linalg.norm(m, axis=1), np.linalg.norm(m, axis=1))
    assert cos[0, 1] > 0.5 > cos[0, 2]


def test_unseen_features_add_to_the_norm_only() -> None:
    space = FeatureSpace(["the cat sat", "a dog ran"])
    new = space.transform(["the cat sat", "the cat sat qqqq"])
    assert new.norms()[1] > new.norms()[0]
    known = new.indices < len(space.keys)
    assert np.array_equal(new.indices[: new.indptr[1]], space.rows.indices[: space.rows.indptr[1]])
    assert (~known).sum() > 0


def random_rows(count: int, width: int, rng: random.Random) -> SparseRows:
    indptr, indices, data = [0], [], []
    for _ in range(count):
        columns = sorted(rng.sample(range(width), rng.randint(0, 6)))
        indices += columns
        data += [rng.uniform(0.1, 2.0) for _ in columns]
        indptr.append(len(indices))
    return SparseRows(np.array(indptr), np.array(indices, np.int64), np.array(data, np.float32))


@pytest.mark.parametrize("seed", range(5))
def test_band_dots_equal_dense_products(seed: int) -> None:
    rng = random.Random(seed)
    a, b = random_rows(150, 30, rng), random_rows(170, 30, rng)
    lo = np.array(sorted(rng.randint(0, 160) for _ in range(150)))
    hi = np.minimum(lo + np.array([rng.randint(-1, 12) for _ in range(150)]), 169)
    full = dense(a, 30) @ dense(b, 30).T
    dots = band_dots(a, b, lo, hi)
    for r in range(150):
        for c in range(lo[r], hi[r] + 1):
            assert dots.get(np.array([r]), np.array([c]))[0] == pytest.approx(full[r, c], rel=1e-5)


def test_neighbour_dots_and_merged_norms() -> None:
    rng = random.Random(3)
    rows = random_rows(7, 12, rng)
    matrix = dense(rows, 12)
    assert neighbour_dots(rows, 2).tolist() == pytest.approx(
        [matrix[r] @ matrix[r + 2] for r in range(5)] + [0.0, 0.0], rel=1e-5
    )
    neighbours = [neighbour_dots(rows, d) for d in (1, 2)]
    merged = span_square_norms(rows.norms(), neighbours, 3)
    assert np.isnan(merged[:3]).all()
    for end in range(3, 8):
        assert merged[end] == pytest.approx(np.sum(matrix[end - 3 : end].sum(axis=0) ** 2), rel=1e-5)


def test_span_sums() -> None:
    assert span_sums(np.array([1.0, 2.0, 3.0]), 2)[2:].tolist() == [3.0, 5.0]
    assert np.isnan(span_sums(np.array([1.0]), 2)).all()


@pytest.mark.parametrize(
    ("function", "text", "expected"),
    [
        (ends_quotation_zh, "他说：“走吧。”", True),
        (ends_quotation_zh, "他走了。", False),
        (ends_quotation_en, "'Let us go.'", True),
        (ends_quotation_en, "'Sure,' she said.", False),
        (quotation_opens_zh, "他说：“走吧。”她说：“好。”", 2),
        (quotation_opens_en, "He said: 'Let's go,' and 'now'.", 2),
        (zh_length, "　　中 国 ", 2),
    ],
)
def test_structure_marks(function: object, text: str, expected: object) -> None:
    assert function(text) == expected  # type: ignore[operator]
