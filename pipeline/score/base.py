"""What a scorer sees: the (translation, reference) text of every link that has both sides."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence

from pipeline.records import AlignedDocument, ScoreResult

#: ``((doc_id, link index), hypothesis, reference)``
ScorablePair = tuple[tuple[str, int], str, str]


def scorable_pairs(docs: Sequence[AlignedDocument]) -> list[ScorablePair]:
    """``((doc_id, link_index), hypothesis, reference)`` for links with a source and a reference side.

    Merged sentences are joined with a space, so a 2-1 link is scored as one segment: this is how
    the link would appear in a parallel corpus.
    """
    pairs = []
    for doc in docs:
        for link in doc.links:
            if link.src and link.ref:
                pairs.append(((doc.id, link.index), doc.translation_text(link), doc.reference_text(link)))
    return pairs


class Scorer(ABC):
    """Scores links: a subclass implements :meth:`score_pairs`, which also serves ``pipeline report``,
    where the links come back from ``aligned.tsv`` rather than from aligned documents."""

    def score(self, docs: Sequence[AlignedDocument]) -> ScoreResult:
        keys = [(doc.id, link.index) for doc in docs for link in doc.links]
        return self.score_pairs(scorable_pairs(docs), keys)

    @abstractmethod
    def score_pairs(self, pairs: Sequence[ScorablePair], all_links: Sequence[tuple[str, int]]) -> ScoreResult:
        """Score ``(key, hypothesis, reference)`` pairs; ``all_links`` also names the links that have none."""

    @abstractmethod
    def signature(self) -> str: ...
