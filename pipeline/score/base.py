"""What a scorer sees: the (translation, reference) text of every link that has both sides."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence

from pipeline.records import AlignedDocument, ScoreResult


def scorable_pairs(docs: Sequence[AlignedDocument]) -> list[tuple[tuple[str, int], str, str]]:
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
    @abstractmethod
    def score(self, docs: Sequence[AlignedDocument]) -> ScoreResult: ...

    @abstractmethod
    def signature(self) -> str: ...
