"""An aligner turns sentence lists into beads; the base wraps them into ``Link`` records."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pipeline.records import AlignedDocument, AlignmentNotes, Link, TranslatedDocument

if TYPE_CHECKING:
    from pipeline.translate.base import Translator

#: Paragraph index of every source sentence and of every reference sentence.
Paragraphs = tuple[Sequence[int], Sequence[int]]


@dataclass(frozen=True, slots=True)
class Bead:
    """One step of an alignment: source ids, reference ids, and a confidence in [0, 1]."""

    src: tuple[int, ...]
    ref: tuple[int, ...]
    score: float


class Aligner(ABC):
    #: The run's translator, when the runner attached one (see :meth:`attach_translator`).
    translator: Translator | None = None

    @abstractmethod
    def align(
        self,
        sources: Sequence[str],
        translations: Sequence[str] | None,
        references: Sequence[str],
        paragraphs: Paragraphs | None = None,
    ) -> list[Bead]:
        """Beads covering every source and every reference sentence exactly once, in order.

        ``translations`` (one per source sentence) are None when there are none. ``paragraphs``, when
        given, holds the paragraph index of each source and each reference sentence; aligners may use
        paragraph boundaries as soft anchors.
        """

    @abstractmethod
    def signature(self) -> str: ...

    def attach_translator(self, translator: Translator) -> None:
        """Give the aligner the run's translation model; aligners that cannot use it ignore it."""
        self.translator = translator

    def document_notes(self) -> AlignmentNotes:
        """What the last :meth:`align` call measured on its document; nothing by default."""
        return AlignmentNotes()

    def run_counts(self) -> dict[str, int]:
        """Counts of what this aligner did since it was built (summed over documents); none by default."""
        return {}

    def describe(self, counts: Mapping[str, int] | None = None) -> dict[str, Any]:
        """Signature and what the aligner did, for the report. ``counts`` (as :meth:`run_counts` gives
        them, summed over shards) replace this instance's own, for runs that reused stored alignments."""
        return {"signature": self.signature()}


def align_document(doc: TranslatedDocument, aligner: Aligner) -> AlignedDocument:
    """Align one document; without a reference, each source is linked to its own translation alone.

    A document whose translations are all empty (``translate: none``) is aligned without one.
    """
    notes = AlignmentNotes()
    if doc.references is None:
        links = [Link(doc.id, i, (i,), (), None) for i in range(len(doc.sources))]
    else:
        translations = [t.text for t in doc.translations]
        beads = aligner.align(
            [s.text for s in doc.sources],
            translations if any(t.strip() for t in translations) else None,
            [s.text for s in doc.references],
            paragraphs=([s.paragraph for s in doc.sources], [s.paragraph for s in doc.references]),
        )
        links = [Link(doc.id, k, b.src, b.ref, b.score) for k, b in enumerate(beads)]
        notes = aligner.document_notes()
    return AlignedDocument(
        id=doc.id,
        sources=doc.sources,
        references=doc.references,
        translations=doc.translations,
        links=tuple(links),
        notes=notes,
    )
