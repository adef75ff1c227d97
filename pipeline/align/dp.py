"""The ``dp`` aligner: sentence links through the machine translation, in linear time and memory.

Every candidate bead (source sentences ``I``, reference sentences ``J``) is scored by what the
translation of ``I`` has in common with ``J`` and by how well their lengths agree:

    score = cos(MT_I, REF_J) * rho ** length_exponent        similarity, damped by length disagreement
          + evidence_weight * evidence(I, J)                 calibrated shared mass
          - quote_weight * quotation mismatches               structure
          - paragraph_weight * paragraph-boundary mismatches  soft anchors (when both sides have them)

* ``cos`` is the cosine of TF-IDF character-trigram-and-word vectors (:mod:`.features`) of the
  concatenated translations and the concatenated references.
* ``rho = min(x, y) / max(x, y)`` compares the reference length ``y`` with the length ``x``
  predicted from the source: the geometric mean of the Chinese length and the translation length,
  each scaled by its zh-to-en (or mt-to-en) character ratio estimated from the document.
* ``evidence`` is the dot product minus what chance gives for vectors of these norms (the mean
  cosine of random sentence pairs of the same document, as Vecalign normalises by random pairs),
  divided by a typical pair's norms: positive when the pair shares more than random pairs do.
* quotation structure: a bead whose Chinese side ends by closing a quotation should end the same
  way in English, no English sentence inside a bead should close one, and the bead's sides should
  open about as many quotations.
* paragraphs, when both sides have the same number: a bead should neither cross a paragraph
  boundary nor end at one on one side only.

With ``embedding_model`` set, an English sentence encoder compares the translation with the
reference too (:mod:`pipeline.align.semantic`), and its terms are added, damped by the same
length agreement:

    + token_weight * coverage(I, J) * rho ** length_exponent        token matching beyond chance
    + sentence_weight * sentence_cosine(I, J) * rho ** length_exponent

Skipping a sentence (1-0, 0-1) scores ``-skip_penalty``; the search maximises the sum of bead
scores. Maximising a sum of similarities rewards every sentence that finds a partner, so the
shapes need no prior costs of their own.

Search, in two passes as Bertalign does: the first looks for 1-1, 1-2, 2-1, 1-3 and 3-1 beads in
a band around the length diagonal, with the lexical signals only; the second allows every
configured shape in a narrow band around the first path, with every signal. Both widen
themselves where the path runs along an edge. A long document is first aligned as blocks of
consecutive sentences (Vecalign's idea), and the first band follows that coarse path instead of
the diagonal. Memory and time grow with the number of band cells, linearly in the document length.

Each link's confidence is its posterior probability among all paths in the band, with
``P(path) ~ exp(score / T)`` (:func:`pipeline.align.search.posteriors`).

With a translator attached (a pipeline run), links below ``bridge_threshold`` are revisited:
the Chinese sentences around them are translated again as one text, and optionally the
model's forced-decoding likelihood of the reference is scored (:mod:`pipeline.align.bridge`).
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from pipeline.align.band import Band, BandDots, band_dots, neighbour_dots, span_square_norms, span_sums
from pipeline.align.base import Aligner, Bead, Paragraphs
from pipeline.align.features import (
    FeatureSpace,
    SparseRows,
    ends_quotation_en,
    ends_quotation_zh,
    quotation_opens_en,
    quotation_opens_zh,
    zh_length,
)
from pipeline.align.search import Shape, Step, corridor, posteriors, widening_search
from pipeline.config import DPAlignerSettings
from pipeline.errors import InputError

if TYPE_CHECKING:
    from pipeline.align.embed import SentenceEncoder
    from pipeline.align.semantic import SemanticDocument, WindowMatches

FIRST_PASS_SHAPES: tuple[Shape, ...] = ((1, 1), (1, 2), (2, 1), (1, 3), (3, 1))
#: Half-widths (in reference sentences) of the first band and of the band around the first path.
FIRST_WIDTH = 32
SECOND_WIDTH = 8
#: Documents with more source sentences than this are first aligned as blocks of about
#: ``COARSE_ROWS`` rows (see :meth:`DPAligner._coarse_corridor`).
COARSE_ABOVE = 3000
COARSE_ROWS = 3000
#: Random sentence pairs that estimate chance similarity; pairs this close to the diagonal are left out.
CHANCE_PAIRS = 400
CHANCE_DISTANCE = 5
#: An opening-quotation difference counts half as much as a closing mismatch.
OPENING_SHARE = 0.5
#: Typical English characters per Chinese character and per character of English translation,
#: and how many characters of evidence each counts as (MAC-Dev's chapters range 3.4-5.2 and 1.0-1.4).
ZH_RATIO_PRIOR = (3.5, 300.0)
MT_RATIO_PRIOR = (1.1, 1000.0)
#: Temperature of the path distribution behind the confidences (fitted on MAC-Dev, see docs/benchmarks.md).
CONFIDENCE_TEMPERATURE = 0.04
#: The same with the encoder's terms, which make scores larger (fitted likewise).
ENCODER_CONFIDENCE_TEMPERATURE = 0.06


def parse_shapes(link_types: Sequence[str]) -> list[Shape]:
    """``["1-1", "1-2", ...]`` -> ``[(1, 1), (1, 2), ...]``, skips left out."""
    shapes = [(int(t.split("-")[0]), int(t.split("-")[1])) for t in link_types]
    return [s for s in shapes if s[0] and s[1]]


@dataclass
class _Spans:
    """Per-span quantities of one side, indexed ``[size][end]`` with ``end`` in ``0..count``."""

    square_norm: dict[int, np.ndarray] = field(default_factory=dict)
    norm_sum: dict[int, np.ndarray] = field(default_factory=dict)
    length: dict[int, np.ndarray] = field(default_factory=dict)
    other_length: dict[int, np.ndarray] = field(default_factory=dict)
    opens: dict[int, np.ndarray] = field(default_factory=dict)
    inner_closes: dict[int, np.ndarray] = field(default_factory=dict)
    inner_breaks: dict[int, np.ndarray] = field(default_factory=dict)


def _side_spans(rows: SparseRows, sizes: Sequence[int], marks: SideMarks) -> tuple[_Spans, np.ndarray]:
    norms = rows.norms()
    neighbours = [neighbour_dots(rows, d) for d in range(1, max(sizes, default=1))]
    spans = _Spans()
    for size in sizes:
        spans.square_norm[size] = span_square_norms(norms, neighbours, size)
        spans.norm_sum[size] = span_sums(norms, size)
        spans.length[size] = span_sums(marks.length, size)
        if marks.other_length is not None:
            spans.other_length[size] = span_sums(marks.other_length, size)
        spans.opens[size] = span_sums(marks.opens, size)
        spans.inner_closes[size] = _inner_sums(marks.closes, size)
        spans.inner_breaks[size] = _inner_sums(marks.breaks, size)
    return spans, norms


def _ratio(english: float, other: float, prior: float, weight: float) -> float:
    """``english / other`` with ``weight`` characters of ``other`` at the ratio ``prior`` added."""
    return (english + prior * weight) / (other + weight)


def _inner_sums(marks: np.ndarray, size: int) -> np.ndarray:
    """For each span end ``e``: marks on the span's sentences but its last (``e-size .. e-2``)."""
    out = np.zeros(len(marks) + 1)
    if 1 < size <= len(marks):
        out[size:] = span_sums(marks, size - 1)[size - 1 : len(marks)]
    return out


@dataclass
class SideMarks:
    """Per-sentence numbers of one side: lengths and structure marks."""

    length: np.ndarray
    opens: np.ndarray
    closes: np.ndarray
    breaks: np.ndarray
    other_length: np.ndarray | None = None  # the translation's length, on the source side

    def blocks(self, size: int) -> SideMarks:
        """Lengths of blocks of ``size`` consecutive sentences; structure marks do not carry over."""
        starts = np.arange(0, len(self.length), size)
        zeros = np.zeros(len(starts))
        other = None if self.other_length is None else np.add.reduceat(self.other_length, starts)
        return SideMarks(np.add.reduceat(self.length, starts), zeros, zeros, zeros, other)


class DocumentSignals:
    """Everything about one document that bead scores are made of, computed once."""

    def __init__(
        self,
        mt: SparseRows,
        ref: SparseRows,
        src_marks: SideMarks,
        ref_marks: SideMarks,
        shapes: Sequence[Shape],
        space: FeatureSpace,
        paragraphs: bool = False,
    ) -> None:
        self.n, self.m = len(mt), len(ref)
        self.mt, self.ref, self.space = mt, ref, space
        self.src_marks, self.ref_marks = src_marks, ref_marks
        zh, en = src_marks.length, ref_marks.length
        mt_length = src_marks.other_length if src_marks.other_length is not None else np.zeros(self.n)
        # English characters per Chinese (or translated) character, estimated from the document
        # and drawn towards a typical value, so that a document of a few sentences, whose totals
        # are the very sentences being aligned, cannot make any bead look right by length.
        # (Lengths count one more than the characters, so that empty sentences divide by nothing.)
        self.zh_ratio = _ratio(en.sum(), zh.sum(), *ZH_RATIO_PRIOR)
        has_mt = bool((mt_length > 1).any())
        self.mt_ratio = _ratio(en.sum(), mt_length.sum(), *MT_RATIO_PRIOR) if has_mt else 0.0
        self.paragraphs = paragraphs
        self.src, mt_norms = _side_spans(mt, sorted({a for a, _ in shapes}), src_marks)
        self.tgt, ref_norms = _side_spans(ref, sorted({b for _, b in shapes}), ref_marks)
        self.src_closes, self.ref_closes = src_marks.closes, ref_marks.closes
        self.src_breaks, self.ref_breaks = src_marks.breaks, ref_marks.breaks
        self.src_lengths, self.ref_lengths = zh, en
        self.scale = float(mt_norms.mean() * ref_norms.mean()) if self.n and self.m else 1.0
        self.scale = self.scale or 1.0
        self.chance = self._chance(mt_norms, ref_norms)
        #: The encoder's view of the document, when an embedding model is on (set by the aligner).
        self.semantic: SemanticDocument | None = None

    @classmethod
    def from_texts(
        cls,
        sources: Sequence[str],
        translations: Sequence[str],
        references: Sequence[str],
        paragraphs: Paragraphs | None,
        shapes: Sequence[Shape],
    ) -> DocumentSignals:
        n, m = len(sources), len(references)
        space = FeatureSpace([*translations, *references])
        ends = _paragraph_ends(paragraphs, n, m)
        src_breaks, ref_breaks = ends if ends is not None else (np.zeros(n), np.zeros(m))
        src = SideMarks(
            np.array([zh_length(s) + 1.0 for s in sources]),
            np.array([quotation_opens_zh(s) for s in sources], np.float64),
            np.array([ends_quotation_zh(s) for s in sources], np.float64),
            src_breaks,
            np.array([len(t.strip()) + 1.0 for t in translations]),
        )
        ref = SideMarks(
            np.array([len(r.strip()) + 1.0 for r in references]),
            np.array([quotation_opens_en(r) for r in references], np.float64),
            np.array([ends_quotation_en(r) for r in references], np.float64),
            ref_breaks,
        )
        rows = space.rows
        return cls(rows.part(0, n), rows.part(n, n + m), src, ref, shapes, space, ends is not None)

    def blocks(self, size: int, ref_size: int, shapes: Sequence[Shape]) -> DocumentSignals:
        """The document as blocks of ``size`` source and ``ref_size`` reference sentences (vectors summed)."""
        return DocumentSignals(
            self.mt.sum_blocks(size),
            self.ref.sum_blocks(ref_size),
            self.src_marks.blocks(size),
            self.ref_marks.blocks(ref_size),
            shapes,
            self.space,
        )

    def _chance(self, mt_norms: np.ndarray, ref_norms: np.ndarray) -> float:
        """Mean cosine of random (translation, reference) pairs away from the diagonal."""
        n, m = self.n, self.m
        if not n or not m:
            return 0.0
        rng = random.Random(n * 7919 + m)  # the same document always gets the same sample
        pairs = [(rng.randrange(n), rng.randrange(m)) for _ in range(CHANCE_PAIRS)]
        pairs = [(i, j) for i, j in pairs if abs(i * m / n - j) > CHANCE_DISTANCE]
        values = [
            _sparse_dot(self.mt, i, self.ref, j) / (mt_norms[i] * ref_norms[j])
            for i, j in pairs
            if mt_norms[i] and ref_norms[j]
        ]
        return float(np.mean(values)) if values else 0.0


def _sparse_dot(a: SparseRows, i: int, b: SparseRows, j: int) -> float:
    a_cols, a_data = a.indices[a.indptr[i] : a.indptr[i + 1]], a.data[a.indptr[i] : a.indptr[i + 1]]
    b_cols, b_data = b.indices[b.indptr[j] : b.indptr[j + 1]], b.data[b.indptr[j] : b.indptr[j + 1]]
    _, ia, ib = np.intersect1d(a_cols, b_cols, assume_unique=True, return_indices=True)
    return float(np.dot(a_data[ia].astype(np.float64), b_data[ib]))


def _paragraph_ends(paragraphs: Paragraphs | None, n: int, m: int) -> tuple[np.ndarray, np.ndarray] | None:
    """1.0 where a sentence is the last of its paragraph, or None when paragraphs cannot anchor.

    Boundaries anchor only a translation made paragraph for paragraph: both sides must have
    paragraph ids, and the same number of paragraphs (more than one).
    """
    if paragraphs is None:
        return None
    src, ref = (np.asarray(p, np.int64) for p in paragraphs)
    if len(src) != n or len(ref) != m:
        raise InputError(f"paragraph ids: got {len(src)} and {len(ref)} for {n} source and {m} reference sentences")
    count = len(np.unique(src))
    if count < 2 or count != len(np.unique(ref)):
        return None
    src_end = np.append(src[1:] != src[:-1], True).astype(np.float64)
    ref_end = np.append(ref[1:] != ref[:-1], True).astype(np.float64)
    return src_end, ref_end


@dataclass
class BeadScorer:
    """Scores of every bead shape at every cell of a band (see the module docstring)."""

    signals: DocumentSignals
    settings: DPAlignerSettings
    #: The encoder signals' part of the last band's scores, per shape (kept out of the bridge's averaging).
    semantic_parts: dict[Shape, np.ndarray] = field(default_factory=dict)

    def __call__(self, band: Band, shapes: Sequence[Shape]) -> dict[Shape, np.ndarray]:
        rows, cols = band.cells()
        lo, hi = self.windows(band, shapes)
        dots = band_dots(self.signals.mt, self.signals.ref, lo, hi)
        matches = self.signals.semantic.match_windows(lo, hi) if self.uses_encoder else None
        self.semantic_parts = {}
        return {shape: self.shape_scores(shape, rows, cols, dots, matches) for shape in shapes}

    def lexical_only(self) -> BeadScorer:
        """This scorer without the encoder's terms (itself when it has none)."""
        if not self.uses_encoder:
            return self
        return BeadScorer(self.signals, self.settings.model_copy(update={"token_weight": 0.0, "sentence_weight": 0.0}))

    @property
    def uses_encoder(self) -> bool:
        w = self.settings
        return self.signals.semantic is not None and bool(w.token_weight or w.sentence_weight)

    def windows(self, band: Band, shapes: Sequence[Shape]) -> tuple[np.ndarray, np.ndarray]:
        """For each translation ``r``: the references ``lo[r]..hi[r]`` that beads ending in the band pair it with."""
        s = self.signals
        max_a = max((a for a, _ in shapes), default=1)
        max_b = max((b for _, b in shapes), default=1)
        r = np.arange(s.n)
        lo = np.maximum(band.lo[np.minimum(r + 1, s.n)] - max_b, 0)
        hi = np.minimum(band.hi[np.minimum(r + max_a, s.n)] - 1, s.m - 1)
        return lo, hi

    def dots(self, band: Band, shapes: Sequence[Shape]) -> BandDots:
        """``mt_r . ref_c`` for every pair some bead ending inside the band covers."""
        return band_dots(self.signals.mt, self.signals.ref, *self.windows(band, shapes))

    def shape_scores(
        self,
        shape: Shape,
        rows: np.ndarray,
        cols: np.ndarray,
        dots: BandDots,
        matches: WindowMatches | None = None,
    ) -> np.ndarray:
        a, b = shape
        out = np.full(len(rows), -np.inf)
        ok = (rows >= a) & (cols >= b)
        i, j = rows[ok], cols[ok]
        dot = np.zeros(len(i))
        for p in range(a):
            for q in range(b):
                dot += dots.get(i - 1 - p, j - 1 - q)
        src, tgt = self.signals.src, self.signals.tgt
        out[ok] = self.similarity(
            dot,
            src.square_norm[a][i],
            src.norm_sum[a][i],
            src.length[a][i],
            src.other_length[a][i],
            tgt.square_norm[b][j],
            tgt.norm_sum[b][j],
            tgt.length[b][j],
        )
        out[ok] += self.structure(shape, i, j)
        if matches is not None:
            part = np.zeros(len(rows))
            part[ok] = self.semantic(matches, shape, i, j)
            out[ok] += part[ok]
            self.semantic_parts[shape] = part
        return out

    def semantic(self, matches: WindowMatches, shape: Shape, i: np.ndarray, j: np.ndarray) -> np.ndarray:
        """The encoder's terms (token coverage, sentence cosine), damped by length disagreement like the cosine."""
        s, w = self.signals, self.settings
        doc = s.semantic
        a, b = shape
        out = np.zeros(len(i))
        if doc is None:
            return out
        if w.token_weight:
            out += w.token_weight * doc.coverage(matches, a, b, i, j)
        if w.sentence_weight:
            out += w.sentence_weight * doc.sentence_similarity(matches, a, b, i, j)
        src, tgt = s.src, s.tgt
        return (
            out * self.length_agreement(src.length[a][i], src.other_length[a][i], tgt.length[b][j]) ** w.length_exponent
        )

    def similarity(
        self,
        dot: np.ndarray,
        src_square_norm: np.ndarray,
        src_norm_sum: np.ndarray,
        zh: np.ndarray,
        mt: np.ndarray,
        ref_square_norm: np.ndarray,
        ref_norm_sum: np.ndarray,
        en: np.ndarray,
    ) -> np.ndarray:
        """``cos * rho**length_exponent + evidence_weight * evidence`` from dot products, norms and lengths."""
        s, w = self.signals, self.settings
        denominator = np.sqrt(src_square_norm * ref_square_norm)
        cosine = np.divide(dot, denominator, out=np.zeros_like(dot), where=denominator > 0)
        score = cosine * self.length_agreement(zh, mt, en) ** w.length_exponent
        if w.evidence_weight:
            score = score + w.evidence_weight * (dot - s.chance * src_norm_sum * ref_norm_sum) / s.scale
        return w.lexical_weight * score if w.lexical_weight != 1.0 else score

    def length_agreement(self, zh: np.ndarray, mt: np.ndarray, en: np.ndarray) -> np.ndarray:
        """``rho = min(x, y) / max(x, y)`` of the predicted and the actual reference length (module docstring)."""
        s = self.signals
        predicted = s.zh_ratio * zh
        if s.mt_ratio:
            predicted = np.sqrt(predicted * s.mt_ratio * mt)
        return np.minimum(predicted, en) / np.maximum(predicted, en)

    def structure(self, shape: Shape, i: np.ndarray, j: np.ndarray) -> np.ndarray:
        """Quotation and paragraph terms of beads of ``shape`` ending at cells ``(i, j)``."""
        s, w = self.signals, self.settings
        a, b = shape
        out = np.zeros(len(i))
        if w.quote_weight:
            closing = np.abs(s.src_closes[i - 1] - s.ref_closes[j - 1]) + s.tgt.inner_closes[b][j]
            opening = np.abs(np.minimum(s.src.opens[a][i], 2) - np.minimum(s.tgt.opens[b][j], 2))
            out -= w.quote_weight * (closing + OPENING_SHARE * opening)
        if w.paragraph_weight and s.paragraphs:
            boundary = np.abs(s.src_breaks[i - 1] - s.ref_breaks[j - 1])
            inside = s.src.inner_breaks[a][i] + s.tgt.inner_breaks[b][j]
            out -= w.paragraph_weight * (boundary + inside)
        return out


@dataclass
class AlignmentStats:
    """What :meth:`DPAligner.align` did: for one document, or summed over a run."""

    documents: int = 0
    with_paragraphs: int = 0
    band_cells: int = 0
    uncertain_links: int = 0
    retranslated_spans: int = 0
    forced_pairs: int = 0
    encoded_sentences: int = 0  # sentences the embedding model saw (both sides, cache hits included)

    def add(self, other: AlignmentStats) -> None:
        for name, value in vars(other).items():
            setattr(self, name, getattr(self, name) + value)


class DPAligner(Aligner):
    """Two-pass banded dynamic programme over bead shapes (see the module docstring)."""

    def __init__(self, settings: DPAlignerSettings | None = None) -> None:
        self.settings = settings or DPAlignerSettings()
        self.shapes = parse_shapes(self.settings.link_types)
        allowed = self.settings.link_types
        # Skips left out of link_types stay possible at a prohibitive cost, so that every
        # sentence is always covered, even when the counts differ and only 1-1 is allowed.
        self.skip_src = -self.settings.skip_score if "1-0" in allowed else -1000.0
        self.skip_ref = -self.settings.skip_score if "0-1" in allowed else -1000.0
        self.encoder: SentenceEncoder | None = None
        if self.settings.embedding_model:
            from pipeline.align.embed import encoder_for, resolve

            # Resolved now, so that a missing model fails before any document is read;
            # its weights load when the first document is aligned.
            source = resolve(self.settings.embedding_model)
            self.encoder = encoder_for(source, self.settings.embedding_precision)
        self.stats = AlignmentStats()  # the last document
        self.totals = AlignmentStats()  # every document since construction

    @property
    def temperature(self) -> float:
        """Temperature of the path distribution behind the confidences."""
        return CONFIDENCE_TEMPERATURE if self.encoder is None else ENCODER_CONFIDENCE_TEMPERATURE

    def signature(self) -> str:
        s = self.settings
        bridge = self._bridge_signature()
        encoder = ""
        if self.encoder is not None:
            encoder = (
                f"|embed:{self.encoder.source.identity}|precision:{self.encoder.precision}|lexical:{s.lexical_weight}"
                f"|tokens:{s.token_weight}|sentences:{s.sentence_weight}"
            )
        return (
            f"dp|v2|types:{','.join(s.link_types)}|skip:{s.skip_score}|len:{s.length_exponent}"
            f"|evidence:{s.evidence_weight}|quotes:{s.quote_weight}|paragraphs:{s.paragraph_weight}{encoder}|{bridge}"
        )

    def _bridge_signature(self) -> str:
        s = self.settings
        if self.translator is None:
            return "bridge:mt-only"
        parts = []
        if s.retranslate:
            parts.append("retranslate")
        if s.forced_decoding:
            parts.append("forced" if hasattr(self.translator, "score_references") else "forced-unavailable")
        return f"bridge:{'+'.join(parts) or 'mt-only'}@{s.bridge_threshold}"

    def run_counts(self) -> dict[str, int]:
        return dict(vars(self.totals))

    def describe(self, counts: Mapping[str, int] | None = None) -> dict[str, Any]:
        """Signature, the signals that actually contributed, and counts over all documents aligned."""
        s = self.settings
        t = AlignmentStats(**counts) if counts is not None else self.totals
        used = ["mt-similarity"] if s.lexical_weight else []
        used += ["length"] if s.length_exponent else []
        used += ["evidence"] if s.evidence_weight else []
        used += ["quotes"] if s.quote_weight else []
        if self.encoder is not None:
            used += ["token-matching"] if s.token_weight else []
            used += ["sentence-vectors"] if s.sentence_weight else []
        used += ["paragraphs"] if s.paragraph_weight and t.with_paragraphs else []
        used += ["retranslation"] if t.retranslated_spans else []
        used += ["forced-decoding"] if t.forced_pairs else []
        out = {"signature": self.signature(), "signals_used": used, "counts": vars(t).copy()}
        if self.encoder is not None:
            out["embedding_model"] = {
                "name": s.embedding_model,
                "identity": self.encoder.source.identity,
                "precision": self.encoder.precision,
                "path": str(self.encoder.source.path),
            }
        return out

    def align(
        self,
        sources: Sequence[str],
        translations: Sequence[str],
        references: Sequence[str],
        paragraphs: Paragraphs | None = None,
    ) -> list[Bead]:
        if len(translations) != len(sources):
            raise InputError(f"{len(sources)} source sentences but {len(translations)} translations")
        self.stats = AlignmentStats(documents=1)
        try:
            if self.encoder is None or not sources or not references:
                return self._align(sources, translations, references, paragraphs, None)
            from pipeline.align.embed import one_blas_thread

            # Encoded before BLAS is held to one thread: a student's NumPy forward pass is large
            # matrix products, which use every core the machine gives (the search's are small).
            semantic = self._encode(self.encoder, translations, references)
            with one_blas_thread():
                return self._align(sources, translations, references, paragraphs, semantic)
        finally:
            self.totals.add(self.stats)

    def _align(
        self,
        sources: Sequence[str],
        translations: Sequence[str],
        references: Sequence[str],
        paragraphs: Paragraphs | None,
        semantic: SemanticDocument | None,
    ) -> list[Bead]:
        n, m = len(sources), len(references)
        if n == 0 or m == 0:
            return [Bead((i,), (), 1.0) for i in range(n)] + [Bead((), (j,), 1.0) for j in range(m)]
        signals = DocumentSignals.from_texts(sources, translations, references, paragraphs, self.shapes)
        self.stats.with_paragraphs = int(signals.paragraphs)
        signals.semantic = semantic
        scorer = BeadScorer(signals, self.settings)
        band, scores, steps = self._search(signals, scorer)
        if self.translator is not None and (self.settings.retranslate or self.settings.forced_decoding):
            from pipeline.align.bridge import revisit

            band, scores, steps = revisit(self, signals, scorer, band, scores, steps, sources, references)
        confidence = posteriors(band, scores, self.skip_src, self.skip_ref, self.temperature, steps)
        return [_bead(step, float(c)) for step, c in zip(steps, confidence, strict=True)]

    def _encode(
        self, encoder: SentenceEncoder, translations: Sequence[str], references: Sequence[str]
    ) -> SemanticDocument:
        """The encoder's view of the document: every sentence of both sides encoded once."""
        from pipeline.align.semantic import SemanticDocument

        encoded = encoder.encode([*translations, *references])
        self.stats.encoded_sentences = len(encoded)
        n = len(translations)
        return SemanticDocument(encoded[:n], encoded[n:], [a for a, _ in self.shapes], [b for _, b in self.shapes])

    def _search(self, signals: DocumentSignals, scorer: BeadScorer) -> tuple[Band, dict[Shape, np.ndarray], list[Step]]:
        first_shapes = [s for s in FIRST_PASS_SHAPES if s in self.shapes] or self.shapes[:1]
        if signals.n > COARSE_ABOVE:
            low, high = self._coarse_corridor(signals, first_shapes)
            first = Band.around(low - FIRST_WIDTH // 2, high + FIRST_WIDTH // 2, signals.m)
            width = FIRST_WIDTH // 2
        else:
            first = Band.diagonal(signals.src_lengths, signals.ref_lengths, FIRST_WIDTH)
            width = FIRST_WIDTH
        # The first pass only finds the corridor, which the lexical signals find as well (lax F1
        # 0.997 on MAC-Dev): the encoder's terms, costly in its wide band, wait for the second.
        lexical = scorer.lexical_only()
        _, _, path = widening_search(
            first, np.full(signals.n + 1, width), lambda b: lexical(b, first_shapes), self.skip_src, self.skip_ref
        )
        low, high = corridor(signals.n, path)
        second = Band.around(low - SECOND_WIDTH, high + SECOND_WIDTH, signals.m)
        band, scores, steps = widening_search(
            second, np.full(signals.n + 1, SECOND_WIDTH), lambda b: scorer(b, self.shapes), self.skip_src, self.skip_ref
        )
        self.stats.band_cells = band.size
        return band, scores, steps

    def _coarse_corridor(self, signals: DocumentSignals, shapes: Sequence[Shape]) -> tuple[np.ndarray, np.ndarray]:
        """Where the path runs, from an alignment of blocks of consecutive sentences (Vecalign's idea).

        A long document drifts far from its length diagonal (a chapter translated more freely
        than the rest); a band wide enough to follow it at the sentence level would cost much.
        Blocks of ``size`` source sentences and proportionally many reference sentences form a
        document of about ``COARSE_ROWS`` rows, aligned first; its path, mapped back to
        sentences, is the corridor the sentence-level search starts from.
        """
        size = -(-signals.n // COARSE_ROWS)
        ref_size = max(1, round(size * signals.m / signals.n))
        coarse = signals.blocks(size, ref_size, shapes)
        settings = self.settings.model_copy(update={"quote_weight": 0.0, "paragraph_weight": 0.0})
        # (blocks have no encoder signals: coarse.semantic is None)
        scorer = BeadScorer(coarse, settings)
        first = Band.diagonal(coarse.src_lengths, coarse.ref_lengths, FIRST_WIDTH)
        _, _, path = widening_search(
            first, np.full(coarse.n + 1, FIRST_WIDTH), lambda b: scorer(b, shapes), self.skip_src, self.skip_ref
        )
        n, m = signals.n, signals.m
        mapped = [
            Step(min(s.i0 * size, n), min(s.j0 * ref_size, m), min(s.i1 * size, n), min(s.j1 * ref_size, m))
            for s in path
        ]
        return corridor(n, mapped)


def _bead(step: Step, confidence: float) -> Bead:
    return Bead(tuple(range(step.i0, step.i1)), tuple(range(step.j0, step.j1)), min(max(confidence, 0.0), 1.0))
