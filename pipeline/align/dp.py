"""The ``dp`` aligner: sentence links from a dictionary, lengths and structure, and the translation where it helps.

Bead scores (:mod:`pipeline.align.scoring`) need no machine translation: Chinese words meet the
reference through CC-CEDICT's glosses, numbers and names, both ways, measured against chance
(:mod:`pipeline.align.evidence`); lengths, quotation structure and paragraph boundaries do the
rest. A translation, when there is one, is a *bridge*: its words and its similarity to the
reference add to the scores as far as this document shows they can be trusted.

Search, in two passes as Bertalign does: the first looks for 1-1, 1-2, 2-1, 1-3 and 3-1 beads in
a band around the length diagonal, without the bridge; its 1-1 links measure how much more often
the translation's words are matched in their linked reference sentence than by chance
(:meth:`Direction.excess_match_rate`). That
rate is the bridge's own evidence strength and, divided by the rate of a good translation, its
trust: a meaningless translation weighs about nothing. The second pass allows every configured
shape in a narrow band around the first path, with the bridge. Both widen themselves where the
path runs along an edge. A long document is first aligned as blocks of consecutive sentences
(Vecalign's idea), and the first band follows that coarse path. Memory and time grow with the
number of band cells, linearly in the document length.

Each link's confidence is its posterior probability among all paths in the band, with
``P(path) ~ exp(score / T)`` (:func:`pipeline.align.search.posteriors`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from pipeline.align import lexicon as lexicon_store
from pipeline.align.band import Band
from pipeline.align.base import Aligner, Bead, Paragraphs
from pipeline.align.document import AlignmentDocument
from pipeline.align.scoring import BeadScorer, BridgeTerms, Weights
from pipeline.align.search import Shape, Step, corridor, posteriors, widening_search
from pipeline.config import DPAlignerSettings
from pipeline.errors import InputError
from pipeline.records import AlignmentNotes

if TYPE_CHECKING:
    from pipeline.align.embed import SentenceEncoder
    from pipeline.align.semantic import SemanticDocument

FIRST_PASS_SHAPES: tuple[Shape, ...] = ((1, 1), (1, 2), (2, 1), (1, 3), (3, 1))
#: Half-widths (in reference sentences) of the first band and of the band around the first path.
FIRST_WIDTH = 32
SECOND_WIDTH = 8
#: Documents with more source sentences than this are first aligned as blocks of about ``COARSE_ROWS`` rows.
COARSE_ABOVE = 3000
COARSE_ROWS = 3000
#: Fewer first-pass 1-1 links than this say nothing about the bridge: it is then not trusted.
MIN_TRUSTED_LINKS = 3
#: A skip left out of ``link_types`` stays possible at this score, so that every sentence is covered.
FORBIDDEN_SKIP = -1000.0
#: A document whose Chinese words, measured over at least MISMATCH_MIN_WORDS, exceed chance by less than
#: MISMATCH_BELOW in their linked reference sentences is not translated by its reference (the rates of
#: translations and of wrongly paired documents: docs/benchmarks.md); its links' confidences are scaled
#: by rate / MATCHED_RATE.
MISMATCH_BELOW = 0.08
MISMATCH_MIN_WORDS = 20
MATCHED_RATE = 0.15
#: The weights with a sentence encoder on (fitted likewise, on MAC-Dev: benchmarks/align_robustness.py).
ENCODER_WEIGHTS = dataclasses.replace(Weights(), encoder_weight=18.75, similarity_weight=20.0)


def parse_shapes(link_types: Sequence[str]) -> list[Shape]:
    """``["1-1", "1-2", ...]`` -> ``[(1, 1), (1, 2), ...]``, skips left out."""
    shapes = [(int(t.split("-")[0]), int(t.split("-")[1])) for t in link_types]
    return [s for s in shapes if s[0] and s[1]]


@dataclass
class AlignmentStats:
    """What :meth:`DPAligner.align` did: for one document, or summed over a run."""

    documents: int = 0
    with_paragraphs: int = 0
    with_bridge: int = 0
    trusted_bridge: int = 0  # documents whose translation the aligner trusted at all
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

    def __init__(self, settings: DPAlignerSettings | None = None, weights: Weights | None = None) -> None:
        self.settings = settings or DPAlignerSettings()
        self.weights = weights or (ENCODER_WEIGHTS if self.settings.embedding_model else Weights())
        self.shapes = parse_shapes(self.settings.link_types)
        allowed = self.settings.link_types
        self.skip_src = self.weights.skip if "1-0" in allowed else FORBIDDEN_SKIP
        self.skip_ref = self.weights.skip if "0-1" in allowed else FORBIDDEN_SKIP
        lexicon_store.source_file()  # a missing dictionary package fails now, before any document is read
        self.encoder: SentenceEncoder | None = None
        if self.settings.embedding_model:
            from pipeline.align.embed import encoder_for, resolve

            # Resolved now, so that a missing model fails before any document is read;
            # its weights load when the first document is aligned.
            self.encoder = encoder_for(resolve(self.settings.embedding_model), self.settings.embedding_precision)
        self.stats = AlignmentStats()  # the last document
        self.totals = AlignmentStats()  # every document since construction
        #: The last document's bridge measurements (see :meth:`document_notes`).
        self.notes = AlignmentNotes()

    def signature(self) -> str:
        s = self.settings
        encoder = ""
        if self.encoder is not None:
            encoder = f"|embed:{self.encoder.source.identity}|precision:{self.encoder.precision}"
        return (
            f"dp|v3|types:{','.join(s.link_types)}|lexicon:cc-cedict|bridge:{s.bridge_weight}"
            f"{encoder}|{self._revisit_signature()}"
        )

    def _revisit_signature(self) -> str:
        s = self.settings
        parts = []
        if self.translator is not None and s.retranslate and self.translator.can_translate_spans:
            parts.append("retranslate")
        if self.translator is not None and s.forced_decoding and hasattr(self.translator, "score_references"):
            parts.append("forced")
        return f"revisit:{'+'.join(parts)}@{s.bridge_threshold}" if parts else "revisit:none"

    def run_counts(self) -> dict[str, int]:
        return dict(vars(self.totals))

    def document_notes(self) -> AlignmentNotes:
        return self.notes

    def describe(self, counts: Mapping[str, int] | None = None) -> dict[str, Any]:
        """Signature, the signals that contributed, and counts over all documents aligned."""
        t = AlignmentStats(**counts) if counts is not None else self.totals
        used = ["dictionary", "length", "shape-priors", "quotes"]
        used += ["paragraphs"] if t.with_paragraphs else []
        used += ["translation"] if t.trusted_bridge else []
        used += ["sentence-encoder"] if self.encoder is not None and t.trusted_bridge else []
        used += ["retranslation"] if t.retranslated_spans else []
        used += ["forced-decoding"] if t.forced_pairs else []
        out: dict[str, Any] = {"signature": self.signature(), "signals_used": used, "counts": vars(t).copy()}
        if self.encoder is not None:
            out["embedding_model"] = {
                "name": self.settings.embedding_model,
                "identity": self.encoder.source.identity,
                "precision": self.encoder.precision,
                "path": str(self.encoder.source.path),
            }
        return out

    def align(
        self,
        sources: Sequence[str],
        translations: Sequence[str] | None,
        references: Sequence[str],
        paragraphs: Paragraphs | None = None,
    ) -> list[Bead]:
        if translations is not None and len(translations) != len(sources):
            raise InputError(f"{len(sources)} source sentences but {len(translations)} translations")
        self.stats = AlignmentStats(documents=1)
        self.notes = AlignmentNotes()
        try:
            if not sources or not references:
                return [Bead((i,), (), 1.0) for i in range(len(sources))] + [
                    Bead((), (j,), 1.0) for j in range(len(references))
                ]
            return self._align(sources, translations, references, paragraphs)
        finally:
            self.totals.add(self.stats)

    def _align(
        self,
        sources: Sequence[str],
        translations: Sequence[str] | None,
        references: Sequence[str],
        paragraphs: Paragraphs | None,
    ) -> list[Bead]:
        if translations is not None and not self.settings.bridge_weight:
            translations = None
        doc = self.prepare(sources, translations, references, paragraphs)
        return self.align_prepared(doc, sources, translations, references)

    def prepare(
        self,
        sources: Sequence[str],
        translations: Sequence[str] | None,
        references: Sequence[str],
        paragraphs: Paragraphs | None = None,
    ) -> AlignmentDocument:
        """What the document's bead scores are made of; it depends on the texts only, not on the weights."""
        return AlignmentDocument.build(
            sources, translations, references, paragraphs, lexicon_store.load(self.settings.models_dir)
        )

    def align_prepared(
        self,
        doc: AlignmentDocument,
        sources: Sequence[str],
        translations: Sequence[str] | None,
        references: Sequence[str],
    ) -> list[Bead]:
        """Align a document :meth:`prepare` made (benchmarks fit weights on the same documents many times)."""
        self.stats.with_paragraphs = int(doc.paragraphs)
        plain = BeadScorer(doc, self.weights)
        first_shapes = [s for s in FIRST_PASS_SHAPES if s in self.shapes] or self.shapes[:1]
        band, scores, steps = self._first_pass(doc, plain, first_shapes)
        scorer = plain
        if doc.bridge is not None and translations is not None:
            scorer = BeadScorer(doc, self.weights, self._bridge(doc, translations, references, steps))
        low, high = corridor(doc.n, steps)
        second = Band.around(low - SECOND_WIDTH, high + SECOND_WIDTH, doc.m)
        with self._blas():
            band, scores, steps = widening_search(
                second, np.full(doc.n + 1, SECOND_WIDTH), lambda b: scorer(b, self.shapes), self.skip_src, self.skip_ref
            )
        self.stats.band_cells = band.size
        if self._revisits(scorer) and self.translator is not None:
            from pipeline.align.bridge import Revisit, revisit

            plan = Revisit(self.translator, self.settings, self.weights, self.shapes, self.skip_src, self.skip_ref)
            band, scores, steps, counts = revisit(plan, scorer, band, scores, steps, sources, references)
            self.stats.uncertain_links = counts.uncertain_links
            self.stats.retranslated_spans = counts.retranslated_spans
            self.stats.forced_pairs = counts.forced_pairs
        confidence = posteriors(band, scores, self.skip_src, self.skip_ref, self.weights.temperature, steps)
        confidence *= self._translation_check(doc, steps)
        return [_bead(step, float(c)) for step, c in zip(steps, confidence, strict=True)]

    def _translation_check(self, doc: AlignmentDocument, steps: Sequence[Step]) -> float:
        """Whether the reference translates the document at all, from how often the Chinese words find their
        dictionary matches in the reference sentences they were linked to; returns what confidences are
        multiplied by (1 for a translation, near 0 for a mismatched pair: no link of it is sure)."""
        links = [(i, s.j0, s.j1 - 1) for s in steps if s.i1 > s.i0 and s.j1 > s.j0 for i in range(s.i0, s.i1)]
        measured = doc.forward.excess_match_rate(links)
        mismatched = measured.words >= MISMATCH_MIN_WORDS and measured.rate < MISMATCH_BELOW
        self.notes = dataclasses.replace(self.notes, text_match_rate=round(measured.rate, 4), mismatched=mismatched)
        return min(1.0, measured.rate / MATCHED_RATE) if mismatched else 1.0

    def _first_pass(
        self, doc: AlignmentDocument, scorer: BeadScorer, shapes: Sequence[Shape]
    ) -> tuple[Band, dict[Shape, np.ndarray], list[Step]]:
        if doc.n > COARSE_ABOVE:
            low, high = self._coarse_corridor(doc, shapes)
            first = Band.around(low - FIRST_WIDTH // 2, high + FIRST_WIDTH // 2, doc.m)
            width = FIRST_WIDTH // 2
        else:
            first = Band.diagonal(doc.src.length, doc.ref.length, FIRST_WIDTH)
            width = FIRST_WIDTH
        return widening_search(
            first, np.full(doc.n + 1, width), lambda b: scorer(b, shapes), self.skip_src, self.skip_ref
        )

    def _coarse_corridor(self, doc: AlignmentDocument, shapes: Sequence[Shape]) -> tuple[np.ndarray, np.ndarray]:
        """Where the path runs, from an alignment of blocks of consecutive sentences (Vecalign's idea).

        A long document drifts far from its length diagonal (a chapter translated more freely
        than the rest); a band wide enough to follow it at the sentence level would cost much.
        Blocks of ``size`` source sentences and proportionally many reference sentences form a
        document of about ``COARSE_ROWS`` rows, aligned first; its path, mapped back to
        sentences, is the corridor the sentence-level search starts from.
        """
        size = -(-doc.n // COARSE_ROWS)
        ref_size = max(1, round(size * doc.m / doc.n))
        coarse = doc.blocks(size, ref_size)
        scorer = BeadScorer(coarse, self.weights)
        first = Band.diagonal(coarse.src.length, coarse.ref.length, FIRST_WIDTH)
        _, _, path = widening_search(
            first, np.full(coarse.n + 1, FIRST_WIDTH), lambda b: scorer(b, shapes), self.skip_src, self.skip_ref
        )
        n, m = doc.n, doc.m
        mapped = [
            Step(min(s.i0 * size, n), min(s.j0 * ref_size, m), min(s.i1 * size, n), min(s.j1 * ref_size, m))
            for s in path
        ]
        return corridor(n, mapped)

    def _bridge(
        self,
        doc: AlignmentDocument,
        translations: Sequence[str],
        references: Sequence[str],
        steps: Sequence[Step],
    ) -> BridgeTerms:
        """How far this document's translation can be trusted, measured on the first pass's 1-1 links."""
        assert doc.bridge is not None  # the caller checked
        pairs = [(s.i0, s.j0, s.j0) for s in steps if s.shape == (1, 1)]
        rate = doc.bridge.forward.excess_match_rate(pairs).rate if len(pairs) >= MIN_TRUSTED_LINKS else 0.0
        rate *= self.settings.bridge_weight
        trust = min(1.0, rate / self.weights.full_trust)
        self.stats.with_bridge = 1
        self.stats.trusted_bridge = int(trust > 0)
        self.notes = AlignmentNotes(bridge_trust=round(trust, 4), bridge_match_rate=round(rate, 4))
        similarity = None
        if self.weights.similarity_weight and trust > 0:
            similarity = doc.similarity(translations, references)
        semantic = self._encode(translations, references) if self.encoder is not None and trust > 0 else None
        return BridgeTerms(rate, trust, similarity, semantic)

    def _encode(self, translations: Sequence[str], references: Sequence[str]) -> SemanticDocument:
        """The encoder's view of the document: every sentence of both sides encoded once."""
        from pipeline.align.semantic import SemanticDocument

        assert self.encoder is not None  # the caller checked
        self.stats.encoded_sentences = len(translations) + len(references)
        return SemanticDocument.encode(self.encoder, translations, references, self.shapes)

    def _blas(self) -> AbstractContextManager[object]:
        """BLAS held to one thread after the encoder ran (see :func:`pipeline.align.embed.one_blas_thread`)."""
        if self.encoder is None:
            return nullcontext()
        from pipeline.align.embed import one_blas_thread

        return one_blas_thread()

    def _revisits(self, scorer: BeadScorer) -> bool:
        s, t = self.settings, self.translator
        if t is None or scorer.bridge is None or scorer.bridge.trust <= 0:
            return False  # a model the document shows to be meaningless is not asked again
        return (s.retranslate and t.can_translate_spans) or (s.forced_decoding and hasattr(t, "score_references"))


def _bead(step: Step, confidence: float) -> Bead:
    return Bead(tuple(range(step.i0, step.i1)), tuple(range(step.j0, step.j1)), min(max(confidence, 0.0), 1.0))
