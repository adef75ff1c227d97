"""One sentence per input line: for text that is already segmented, such as WMT test sets.

The ingest stage has already stripped each line's indent and dropped blank lines, so every
paragraph becomes exactly one sentence with its text unchanged. Use it with line-parallel
sources and references, and with ``translate.name: precomputed`` whose translations are per line.
"""

from __future__ import annotations

from pipeline.config import ChineseLines, EnglishLines
from pipeline.segment.base import Segmenter, Span, trimmed_spans


class _LineSegmenter(Segmenter):
    def __init__(self, settings: ChineseLines | EnglishLines | None = None) -> None:
        self.settings = settings

    def spans(self, text: str) -> list[Span]:
        return trimmed_spans(text, [])

    def signature(self) -> str:
        return f"{self.lang}-lines|v1"


class ChineseLineSegmenter(_LineSegmenter):
    lang = "zh"


class EnglishLineSegmenter(_LineSegmenter):
    lang = "en"
