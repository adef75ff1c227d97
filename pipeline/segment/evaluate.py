"""Boundary precision, recall and F1 of a segmenter against gold one-sentence-per-line files.

The gold sentences of a paragraph are joined (no separator for Chinese, one space for English),
the segmenter splits the joined text, and the two sets of boundaries are compared as offsets
counted in non-space characters, so white space that either side drops or keeps does not matter.
A blank line in a gold file ends a paragraph: paragraph breaks are always boundaries for every
segmenter, so they are not scored; a file without blank lines is one paragraph (MAC-Dev).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import InputError
from pipeline.segment.base import Span

#: What the gold sentences of a paragraph are joined with, per language.
JOINERS = {"zh": "", "en": " "}

SpanFunction = Callable[[str], Sequence[Span]]


@dataclass(frozen=True, slots=True)
class BoundaryCounts:
    """Boundaries found in both (``hits``), only in the output (``extra``), only in the gold (``missed``)."""

    hits: int = 0
    extra: int = 0
    missed: int = 0

    def __add__(self, other: BoundaryCounts) -> BoundaryCounts:
        return BoundaryCounts(self.hits + other.hits, self.extra + other.extra, self.missed + other.missed)

    @property
    def precision(self) -> float:
        found = self.hits + self.extra
        return self.hits / found if found else 1.0

    @property
    def recall(self) -> float:
        gold = self.hits + self.missed
        return self.hits / gold if gold else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def nonspace_length(text: str) -> int:
    return sum(1 for ch in text if not ch.isspace())


def gold_boundaries(sentences: Sequence[str]) -> set[int]:
    """Non-space offsets where one gold sentence ends and the next begins."""
    out: set[int] = set()
    position = 0
    for sentence in sentences[:-1]:
        position += nonspace_length(sentence)
        out.add(position)
    return out


def span_boundaries(text: str, spans: Sequence[Span]) -> set[int]:
    """Non-space offsets of the ends of all spans but the last (those inside the text)."""
    out = {nonspace_length(text[:end]) for _, end in spans[:-1]}
    out.discard(nonspace_length(text))  # a cut before trailing white space is not a boundary
    out.discard(0)
    return out


def compare(gold: set[int], found: set[int]) -> BoundaryCounts:
    return BoundaryCounts(hits=len(gold & found), extra=len(found - gold), missed=len(gold - found))


def read_gold(path: Path) -> list[list[str]]:
    """Paragraphs of a gold file, each a list of sentences (one a line; a blank line ends a paragraph)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InputError(f"{path}: cannot read gold file ({exc.strerror})") from None
    paragraphs: list[list[str]] = [[]]
    for line in lines:
        if line.strip():
            paragraphs[-1].append(line.strip())
        elif paragraphs[-1]:
            paragraphs.append([])
    return [p for p in paragraphs if p]


def score_paragraphs(paragraphs: Iterable[Sequence[str]], lang: str, spans: SpanFunction) -> BoundaryCounts:
    """Join each paragraph's gold sentences, segment the result, and count boundary agreement."""
    joiner = JOINERS[lang]
    total = BoundaryCounts()
    for sentences in paragraphs:
        text = joiner.join(sentences)
        total += compare(gold_boundaries(sentences), span_boundaries(text, spans(text)))
    return total


def joined_paragraphs(paragraphs: Iterable[Sequence[str]], lang: str) -> list[str]:
    """The texts a segmenter is given for the gold paragraphs (what throughput is measured on)."""
    return [JOINERS[lang].join(sentences) for sentences in paragraphs]
