"""One document as the aligner sees it: lengths, structure marks and word keys of both sides, computed once.

Everything a bead score is made of comes from here (:mod:`pipeline.align.scoring`):

* lengths: Chinese characters without white space, English characters (each plus one, so that an
  empty sentence divides by nothing), and the English-per-Chinese ratio of the document, drawn
  towards a typical value so that a document of a few sentences cannot make any bead fit by length;
* quotation marks: whether a sentence closes a quotation, how many it opens; question marks;
* paragraph ends, when both sides come in the same number of paragraphs (a translation made
  paragraph by paragraph), as soft anchors;
* the words of each side as dictionary keys (:mod:`pipeline.align.chinese`,
  :mod:`pipeline.align.english`), and the machine translation's words when there is one, matched
  against the other side in each direction (:mod:`pipeline.align.evidence`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from pipeline.align import chinese, english
from pipeline.align.band import span_sums
from pipeline.align.base import Paragraphs
from pipeline.align.evidence import Direction, KeySpace, Side
from pipeline.align.features import (
    ends_quotation_en,
    ends_quotation_zh,
    quotation_opens_en,
    quotation_opens_zh,
    zh_length,
)
from pipeline.align.lexicon import Lexicon
from pipeline.align.similarity import TranslationSimilarity
from pipeline.errors import InputError

#: English characters per Chinese character in a typical translation, and how many Chinese
#: characters of evidence that guess counts as against the document's own totals.
RATIO_PRIOR = (3.5, 300.0)
#: The most sentences on one side of a link (the largest configurable link type is 1-4 / 4-1).
MAX_SPAN = 4


@dataclass(frozen=True)
class Marks:
    """Per-sentence numbers of one side."""

    length: np.ndarray
    opens: np.ndarray
    closes: np.ndarray
    questions: np.ndarray  # question marks
    breaks: np.ndarray  # 1.0 where a sentence ends its paragraph (zeros when paragraphs do not anchor)

    def span_length(self, size: int) -> np.ndarray:
        """Length of the ``size`` sentences ending before each position ``e`` (``e`` in ``0..count``)."""
        return span_sums(self.length, size)

    def span_opens(self, size: int) -> np.ndarray:
        return span_sums(self.opens, size)

    def span_questions(self, size: int) -> np.ndarray:
        return span_sums(self.questions, size)

    def inner(self, marks: np.ndarray, size: int) -> np.ndarray:
        """For each span end ``e``: ``marks`` on the span's sentences but its last."""
        out = np.zeros(len(marks) + 1)
        if 1 < size <= len(marks):
            out[size:] = span_sums(marks, size - 1)[size - 1 : len(marks)]
        return out

    def blocks(self, size: int) -> Marks:
        """Lengths of blocks of ``size`` consecutive sentences; structure marks do not carry over."""
        starts = np.arange(0, len(self.length), size)
        zeros = np.zeros(len(starts))
        return Marks(np.add.reduceat(self.length, starts), zeros, zeros, zeros, zeros)


class Bridge:
    """The machine translation's words, matched against the reference both ways (each way made on first use)."""

    def __init__(self, translation: Side, reference: Side) -> None:
        self.translation, self.reference = translation, reference

    @cached_property
    def forward(self) -> Direction:
        """Translation words -> reference sentences."""
        return Direction.between(self.translation, self.reference)

    @cached_property
    def backward(self) -> Direction:
        """Reference words -> translation sentences."""
        return Direction.between(self.reference, self.translation)


@dataclass
class AlignmentDocument:
    """See the module docstring."""

    src: Marks
    ref: Marks
    ratio: float
    paragraphs: bool
    forward: Direction  # Chinese words -> reference sentences
    backward: Direction  # reference words -> Chinese sentences
    bridge: Bridge | None
    space: KeySpace
    _similarity: TranslationSimilarity | None = None

    def similarity(self, translations: Sequence[str], references: Sequence[str]) -> TranslationSimilarity:
        """The translation's TF-IDF similarity to the reference (:mod:`pipeline.align.similarity`), made once."""
        if self._similarity is None:
            sizes = (range(1, MAX_SPAN + 1), range(1, MAX_SPAN + 1))
            self._similarity = TranslationSimilarity(
                translations, references, self.src.length, self.ref.length, self.ratio, sizes
            )
        return self._similarity

    @property
    def n(self) -> int:
        return len(self.src.length)

    @property
    def m(self) -> int:
        return len(self.ref.length)

    @classmethod
    def build(
        cls,
        sources: Sequence[str],
        translations: Sequence[str] | None,
        references: Sequence[str],
        paragraphs: Paragraphs | None,
        lexicon: Lexicon,
    ) -> AlignmentDocument:
        ends = paragraph_ends(paragraphs, len(sources), len(references))
        src_breaks, ref_breaks = ends if ends is not None else (np.zeros(len(sources)), np.zeros(len(references)))
        src = Marks(
            np.array([zh_length(s) + 1.0 for s in sources]),
            np.array([quotation_opens_zh(s) for s in sources], np.float64),
            np.array([ends_quotation_zh(s) for s in sources], np.float64),
            np.array([s.count("？") + s.count("?") for s in sources], np.float64),
            src_breaks,
        )
        ref = Marks(
            np.array([len(r.strip()) + 1.0 for r in references]),
            np.array([quotation_opens_en(r) for r in references], np.float64),
            np.array([ends_quotation_en(r) for r in references], np.float64),
            np.array([r.count("?") for r in references], np.float64),
            ref_breaks,
        )
        space = KeySpace()
        ref_words = [english.token_keys(r) for r in references]
        mt_words = [english.token_keys(t) for t in translations] if translations is not None else None
        names = _name_keys(ref_words, lexicon, sources)
        ref_side = space.side(ref_words)
        src_side = space.side([chinese.token_keys(s, lexicon, names) for s in sources])
        bridge = None
        if mt_words is not None:
            mt_side = space.side(mt_words)
            bridge = Bridge(mt_side, ref_side)
        ratio = (ref.length.sum() + RATIO_PRIOR[0] * RATIO_PRIOR[1]) / (src.length.sum() + RATIO_PRIOR[1])
        return cls(
            src,
            ref,
            float(ratio),
            ends is not None,
            Direction.between(src_side, ref_side),
            Direction.between(ref_side, src_side),
            bridge,
            space,
        )

    def blocks(self, size: int, ref_size: int) -> AlignmentDocument:
        """The document as blocks of ``size`` source and ``ref_size`` reference sentences, without a bridge."""
        src_side, ref_side = self.forward.side.blocks(size), self.backward.side.blocks(ref_size)
        return AlignmentDocument(
            self.src.blocks(size),
            self.ref.blocks(ref_size),
            self.ratio,
            False,
            Direction.between(src_side, ref_side),
            Direction.between(ref_side, src_side),
            None,
            self.space,
        )


def _name_keys(words: Sequence[Sequence[english.Keys]], lexicon: Lexicon, sources: Sequence[str]) -> chinese.Names:
    keys = [key for sentence in words for keys in sentence for key in keys if key.startswith("py:")]
    return chinese.Names(keys, lexicon, "".join(sources) if keys else "")


def paragraph_ends(paragraphs: Paragraphs | None, n: int, m: int) -> tuple[np.ndarray, np.ndarray] | None:
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
