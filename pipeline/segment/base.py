"""A segmenter gives sentence spans for one paragraph; the base turns spans into ``Sentence`` records."""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import ClassVar

from pipeline.records import Document, Paragraph, SegmentedDocument, Sentence

Span = tuple[int, int]

#: Characters that end a line (those ``str.splitlines`` splits at): always sentence boundaries.
LINE_BREAKS = "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"
_LINE_BREAK = re.compile(f"[{LINE_BREAKS}]")


def line_break_cuts(text: str) -> list[int]:
    """Cut positions after every line break in ``text``."""
    return [m.end() for m in _LINE_BREAK.finditer(text)]


def trimmed_spans(text: str, cuts: Sequence[int]) -> list[Span]:
    """Spans between cut positions, with the white space around each sentence left out.

    Paragraph breaks are always boundaries, so a paragraph with no cut is one sentence.
    """
    spans: list[Span] = []
    start = 0
    for end in [*cuts, len(text)]:
        left, right = start, end
        while left < right and text[left].isspace():
            left += 1
        while right > left and text[right - 1].isspace():
            right -= 1
        if left < right:
            spans.append((left, right))
        start = end
    return spans


class Segmenter(ABC):
    """Splits the text of one paragraph into sentences, as character spans."""

    lang: ClassVar[str]

    @abstractmethod
    def spans(self, text: str) -> list[Span]:
        """Non-overlapping, ordered ``(start, end)`` spans of the sentences in ``text``."""

    @abstractmethod
    def signature(self) -> str: ...

    def split(self, text: str) -> list[str]:
        return [text[start:end] for start, end in self.spans(text)]

    def sentences(self, doc_id: str, paragraphs: Sequence[Paragraph]) -> tuple[Sentence, ...]:
        out: list[Sentence] = []
        for paragraph in paragraphs:
            for start, end in self.spans(paragraph.text):
                out.append(
                    Sentence(
                        doc_id=doc_id,
                        lang=self.lang,
                        index=len(out),
                        paragraph=paragraph.index,
                        start=start,
                        end=end,
                        text=paragraph.text[start:end],
                    )
                )
        return tuple(out)


def segment_document(document: Document, zh: Segmenter, en: Segmenter) -> SegmentedDocument:
    references = None
    if document.reference is not None:
        references = en.sentences(document.id, document.reference)
    return SegmentedDocument(
        id=document.id,
        sources=zh.sentences(document.id, document.source),
        references=references,
    )
