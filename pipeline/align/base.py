"""An aligner turns sentence lists into beads; the base wraps them into ``Link`` records."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass

from pipeline.records import AlignedDocument, Link, TranslatedDocument


@dataclass(frozen=True, slots=True)
class Bead:
    """One step of an alignment: source ids, reference ids, and a confidence in [0, 1]."""

    src: tuple[int, ...]
    ref: tuple[int, ...]
    score: float


class Aligner(ABC):
    @abstractmethod
    def align(self, sources: Sequence[str], translations: Sequence[str], references: Sequence[str]) -> list[Bead]:
        """Beads covering every source and every reference sentence exactly once, in order."""

    @abstractmethod
    def signature(self) -> str: ...


def align_document(doc: TranslatedDocument, aligner: Aligner) -> AlignedDocument:
    """Align one document; without a reference, each source is linked to its own translation alone."""
    if doc.references is None:
        links = [Link(doc.id, i, (i,), (), None) for i in range(len(doc.sources))]
    else:
        beads = aligner.align(
            [s.text for s in doc.sources], [t.text for t in doc.translations], [s.text for s in doc.references]
        )
        links = [Link(doc.id, k, b.src, b.ref, b.score) for k, b in enumerate(beads)]
    return AlignedDocument(
        id=doc.id,
        sources=doc.sources,
        references=doc.references,
        translations=doc.translations,
        links=tuple(links),
    )
