"""What a scorer sees: the (translation, reference) text of every link that has both sides.

A run is scored document by document, shard by shard: :meth:`Scorer.score_documents` gives each
document its sentence scores, its own corpus-level scores and the per-segment statistics of every
metric (stored with the shard), and :meth:`Scorer.aggregate` sums the statistics of all documents
into the run's corpus scores, reading them one document at a time. :meth:`Scorer.score` does both
on documents in memory (tests), with the same numbers.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pipeline.records import AlignedDocument, CorpusScores, DocumentScores, ScoreResult


@dataclass(frozen=True, slots=True)
class DocumentLinks:
    """One document's links as a scorer sees them: how many there are, and the scorable ones by position."""

    id: str
    links: int
    #: ``(position in the document's links, hypothesis, reference)`` of links with both sides
    pairs: tuple[tuple[int, str, str], ...]


def document_links(doc: AlignedDocument) -> DocumentLinks:
    """Merged sentences are joined with a space, so a 2-1 link is scored as one segment: this is how
    the link would appear in a parallel corpus."""
    pairs = tuple(
        (position, doc.translation_text(link), doc.reference_text(link))
        for position, link in enumerate(doc.links)
        if link.src and link.ref
    )
    return DocumentLinks(doc.id, len(doc.links), pairs)


def merge(documents: Sequence[DocumentScores], keys: Sequence[Sequence[int]], corpus: CorpusScores) -> ScoreResult:
    """One :class:`ScoreResult` holding every link's scores (``keys[d]``: link indices of document ``d``)."""
    link_chrf: dict[tuple[str, int], float | None] = {}
    link_bleu: dict[tuple[str, int], float | None] = {}
    for doc, indices in zip(documents, keys, strict=True):
        for index, chrf, bleu in zip(indices, doc.chrf, doc.bleu, strict=True):
            link_chrf[(doc.id, index)] = chrf
            link_bleu[(doc.id, index)] = bleu
    return ScoreResult(
        corpus=corpus.corpus,
        link_chrf=link_chrf,
        link_bleu=link_bleu,
        scored_links=corpus.scored_links,
        skipped_links=corpus.skipped_links,
        documents={doc.id: doc.scores for doc in documents if doc.scores},
    )


class ScoreTotals(ABC):
    """The corpus scores of documents given one at a time, in order."""

    @abstractmethod
    def add(self, document: DocumentScores) -> None: ...

    @abstractmethod
    def result(self) -> CorpusScores: ...


class Scorer(ABC):
    """Scores links: a subclass implements :meth:`score_documents` and :meth:`totals`."""

    @abstractmethod
    def score_documents(self, documents: Sequence[DocumentLinks]) -> list[DocumentScores]:
        """Sentence scores, document scores and per-segment statistics of each document (a shard at a time)."""

    @abstractmethod
    def totals(self) -> ScoreTotals:
        """An empty sum of documents' scores."""

    def aggregate(self, documents: Iterable[DocumentScores]) -> CorpusScores:
        """The corpus scores of all documents, read once, in order."""
        totals = self.totals()
        for document in documents:
            totals.add(document)
        return totals.result()

    @abstractmethod
    def signature(self) -> str: ...

    def score(self, docs: Sequence[AlignedDocument]) -> ScoreResult:
        """Every score of documents held in memory."""
        groups = [document_links(doc) for doc in docs]
        scored = self.score_documents(groups)
        keys = [[link.index for link in doc.links] for doc in docs]
        return merge(scored, keys, self.aggregate(scored))
