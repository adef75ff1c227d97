"""The encoder's signals: token coverage and sentence vectors against brute force, and the aligner's
use of them, with a fake encoder (one fixed random vector per word) so that no model is needed.
The real model is tested in test_embedding.py."""

from __future__ import annotations

import dataclasses
import zlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from pipeline.align.band import Band
from pipeline.align.dp import DPAligner
from pipeline.align.embed import EncoderSource, Encoding
from pipeline.align.scoring import BeadScorer, BridgeTerms, Weights
from pipeline.align.semantic import SemanticDocument, idf_weights
from pipeline.config import DPAlignerSettings, EngineSettings
from pipeline.translate.engine import ModelTranslator

DIM = 16


def word_vector(word: str) -> np.ndarray:
    vector = np.random.default_rng(zlib.crc32(word.lower().encode())).normal(size=DIM)
    return vector / np.linalg.norm(vector)


class FakeEncoder:
    """Each word is a token with a fixed random vector; the sentence vector is their normalised mean."""

    def __init__(self) -> None:
        self.source = EncoderSource("fake", Path("fake"), "fake")
        self.precision = "float32"
        self.asked: list[str] = []

    def encode(self, texts: Sequence[str]) -> list[Encoding]:
        self.asked.extend(texts)
        out = []
        for text in texts:
            words = [w.strip(".,!?'\"").lower() for w in text.split()]
            words = [w for w in words if w]
            tokens = np.stack([word_vector(w) for w in words]) if words else np.zeros((0, DIM))
            mean = tokens.sum(0) if words else np.zeros(DIM)
            sentence = mean / (np.linalg.norm(mean) or 1.0)
            ids = np.array([zlib.crc32(w.encode()) for w in words], np.int64)
            out.append(Encoding(sentence.astype(np.float32), tokens.astype(np.float16), ids))
        return out


def random_encodings(count: int, rng: np.random.Generator) -> list[Encoding]:
    out = []
    for _ in range(count):
        length = int(rng.integers(0, 6))  # some sentences have no tokens at all
        tokens = rng.normal(size=(length, DIM))
        tokens /= np.linalg.norm(tokens, axis=1, keepdims=True)
        sentence = rng.normal(size=DIM)
        out.append(
            Encoding(
                (sentence / np.linalg.norm(sentence)).astype(np.float32),
                tokens.astype(np.float16),
                rng.integers(0, 12, length),
            )
        )
    return out


def brute_coverage(doc: SemanticDocument, i0: int, i1: int, j0: int, j1: int) -> float:
    """The module docstring's formula, straight from the token matrices of the bead's sentences."""
    mt, ref = doc.mt_tokens, doc.ref_tokens
    a, b = i1 - i0, j1 - j0
    x = mt.vectors[mt.offsets[i0] : mt.offsets[i1]].astype(np.float32)
    y = ref.vectors[ref.offsets[j0] : ref.offsets[j1]].astype(np.float32)
    wx, wy = mt.weights[mt.offsets[i0] : mt.offsets[i1]], ref.weights[ref.offsets[j0] : ref.offsets[j1]]
    sims = x @ y.T
    gained = wx @ (sims.max(1) - doc.precision_chance[b]) + wy @ (sims.max(0) - doc.recall_chance[a])
    return float(gained / doc.token_scale)


SHAPES = [(1, 1), (1, 2), (2, 1), (2, 2), (1, 3), (3, 2), (4, 1), (1, 4)]


@pytest.fixture(scope="module")
def document() -> SemanticDocument:
    rng = np.random.default_rng(3)
    return SemanticDocument(random_encodings(40, rng), random_encodings(52, rng), [1, 2, 3, 4], [1, 2, 3, 4])


@pytest.mark.parametrize("shape", SHAPES, ids=[f"{a}-{b}" for a, b in SHAPES])
def test_token_coverage_equals_brute_force_everywhere_in_a_band(document: SemanticDocument, shape: tuple) -> None:
    n, m = document.n, document.m
    centre = np.arange(n + 1) * m // n
    band = Band.around(centre - 6, centre + 6, m)
    # the windows the scorer asks for: every pair a bead ending in the band covers
    r = np.arange(n)
    lo = np.maximum(band.lo[np.minimum(r + 1, n)] - 4, 0)
    hi = np.minimum(band.hi[np.minimum(r + 4, n)] - 1, m - 1)
    matches = document.match_windows(lo, hi)
    rows, cols = band.cells()
    a, b = shape
    ok = (rows >= a) & (cols >= b)
    i, j = rows[ok], cols[ok]
    coverage = document.coverage(matches, a, b, i, j)
    for k in range(0, len(i), 7):
        assert coverage[k] == pytest.approx(brute_coverage(document, i[k] - a, i[k], j[k] - b, j[k]), abs=1e-6)


def test_chance_levels_grow_with_the_span_a_token_may_match_in(document: SemanticDocument) -> None:
    levels = [document.precision_chance[k] for k in (1, 2, 3, 4)]
    assert levels == sorted(levels)
    assert [document.recall_chance[k] for k in (1, 2, 3, 4)] == sorted(document.recall_chance.values())


def test_a_one_sentence_document_takes_the_chance_levels_from_the_prior() -> None:
    rng = np.random.default_rng(0)
    doc = SemanticDocument(random_encodings(1, rng), random_encodings(1, rng), [1, 2], [1, 2])
    assert doc.precision_chance == {1: 0.20, 2: 0.25}


@pytest.mark.parametrize(
    ("sentences", "expected"),
    [
        ([[1, 2], [2, 3]], [[np.log(3 / 2), np.log(3 / 3)], [np.log(3 / 3), np.log(3 / 2)]]),
        ([[5, 5], [6]], [[np.log(3 / 2), np.log(3 / 2)], [np.log(3 / 2)]]),  # a repeated token counts once per sentence
    ],
)
def test_idf_weights(sentences: list[list[int]], expected: list[list[float]]) -> None:
    got = idf_weights([np.array(s) for s in sentences])
    assert [list(g) for g in got] == [pytest.approx(e) for e in expected]


def test_empty_and_tokenless_documents() -> None:
    encoder = FakeEncoder()
    aligner = DPAligner(DPAlignerSettings())
    aligner.encoder = encoder  # type: ignore[assignment]
    assert [(b.src, b.ref) for b in aligner.align([], [], ["One."])] == [((), (0,))]
    beads = aligner.align(["一。", "二。"], ["...", ""], ["!", "?"])
    assert [i for b in beads for i in b.src] == [0, 1]


# The news item of test_dp_aligner, reworded so that the translation and the reference share
# few words but the fake encoder's "meanings" (identical words) still link them.
ZH = ["今天早上北京下了大雪。", "许多学校推迟开学。", "市政府派工人清扫街道。", "地铁正常运行。"]
MT = [
    "This morning heavy snow fell in Beijing.",
    "Many schools postponed the start of classes.",
    "The city government sent workers to clean streets.",
    "Subways kept running normally.",
]


def align_with_fake(refs: list[str], weights: Weights | None = None) -> tuple[list[tuple], DPAligner]:
    aligner = DPAligner(DPAlignerSettings(), weights)
    aligner.encoder = FakeEncoder()  # type: ignore[assignment]
    return [(b.src, b.ref) for b in aligner.align(ZH, MT, refs)], aligner


#: Only the encoder compares the translation with the reference (no translation words, no text similarity).
ENCODER_ONLY = dataclasses.replace(Weights(), mt_weight=0.0, similarity_weight=0.0, encoder_weight=20.0)


@pytest.mark.parametrize(
    ("refs", "expected"),
    [
        (["Heavy snow fell in Beijing this morning.", *MT[1:]], ((0,), (0,))),
        (
            [MT[0], "Many schools postponed.", "The start of classes waited.", *MT[2:]],
            ((1,), (1, 2)),
        ),
        (
            [MT[0], "Many schools postponed the start of classes; the city sent workers to clean streets.", MT[3]],
            ((1, 2), (1,)),
        ),
    ],
    ids=["1-1", "1-2", "2-1"],
)
def test_the_encoder_with_the_dictionary_finds_each_link_shape(refs: list[str], expected: tuple) -> None:
    links, _ = align_with_fake(refs, ENCODER_ONLY)
    assert expected in links


def test_the_aligner_reports_the_encoder_and_encodes_each_sentence_once() -> None:
    links, aligner = align_with_fake(MT)
    assert links == [((k,), (k,)) for k in range(4)]
    described = aligner.describe()
    assert "sentence-encoder" in described["signals_used"]
    assert described["counts"]["encoded_sentences"] == 8
    assert aligner.encoder.asked == [*MT, *MT]  # type: ignore[union-attr]


def test_a_translation_not_trusted_is_not_encoded() -> None:
    aligner = DPAligner(DPAlignerSettings())
    aligner.encoder = FakeEncoder()  # type: ignore[assignment]
    noise = ["banana " * 6, "violin " * 5, "umbrella " * 7, "pepper " * 4]
    aligner.align(ZH, noise, MT)
    assert aligner.document_notes().bridge_trust == 0.0
    assert aligner.encoder.asked == []  # type: ignore[union-attr]
    assert "sentence-encoder" not in aligner.describe()["signals_used"]


def test_without_a_bridge_the_scores_have_no_translation_part() -> None:
    aligner = DPAligner()
    band = Band.around(np.arange(5) - 2, np.arange(5) + 2, 4)
    scorer = BeadScorer(aligner.prepare(ZH, MT, MT), aligner.weights)
    assert scorer(band, [(1, 1)])[(1, 1)].shape == (band.size,)
    assert scorer.bridge_parts == {}


class EchoTranslator(ModelTranslator):
    """Translates the merged spans it knows, and anything else to "unknown"."""

    def __init__(self, english: dict[str, str]) -> None:
        super().__init__(EngineSettings(progress=False))
        self.english = english

    def translate_batch(self, texts: list[str]) -> list[str]:
        return [self.english.get(t, "unknown") for t in texts]

    def signature(self) -> str:
        return "echo"


def test_retranslation_revises_the_translation_terms_and_keeps_the_encoder_term_whole() -> None:
    from pipeline.align.bridge import Revisit, revisit
    from pipeline.align.search import Step

    refs = ["This morning heavy snow fell in Beijing and many schools postponed classes.", *MT[2:]]
    band = Band.around(np.zeros(5, np.int64), np.full(5, 3), 3)
    steps = [Step(0, 0, 1, 1), Step(1, 1, 2, 1), Step(2, 1, 3, 2), Step(3, 2, 4, 3)]
    changed = {}
    for encoder in (None, FakeEncoder()):
        aligner = DPAligner(DPAlignerSettings(retranslate=True, bridge_threshold=1.0))
        translator = EchoTranslator({"".join(ZH[:2]): refs[0]})
        aligner.attach_translator(translator)
        doc = aligner.prepare(ZH, MT, refs)
        semantic = SemanticDocument.encode(encoder, MT, refs, aligner.shapes) if encoder is not None else None
        scorer = BeadScorer(doc, aligner.weights, BridgeTerms(0.5, 1.0, doc.similarity(MT, refs), semantic))  # type: ignore[arg-type]
        before = scorer(band, aligner.shapes)
        plan = Revisit(
            translator, aligner.settings, aligner.weights, aligner.shapes, aligner.skip_src, aligner.skip_ref
        )
        _, after, _, counts = revisit(plan, scorer, band, before, steps, ZH, refs)
        assert counts.retranslated_spans > 0
        finite = np.isfinite(before[(2, 1)])
        changed[encoder is None] = after[(2, 1)][finite] - before[(2, 1)][finite]
    assert np.abs(changed[True]).max() > 0.01
    assert np.allclose(changed[False], changed[True])  # the same revision, encoder or not
