"""The translator base: subclasses translate one batch; batching, progress and statistics live here."""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from pipeline.records import SegmentedDocument, TranslatedDocument, Translation


@dataclass
class TranslationStats:
    sentences: int = 0
    empty: int = 0
    batches: int = 0
    seconds: float = 0.0
    truncated: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def sentences_per_second(self) -> float:
        return self.sentences / self.seconds if self.seconds > 0 else 0.0


class Translator(ABC):
    """Chinese sentences in, English out.

    A subclass implements :meth:`translate_batch` (and :meth:`load` when it has a model);
    the base splits work into batches, skips empty strings, shows progress and keeps statistics.
    """

    batch_size: int = 16
    show_progress: bool = True

    def __init__(self) -> None:
        self.stats = TranslationStats()

    def load(self) -> None:
        """Find and load the model. Called once before any work, so a missing model stops the run early."""

    @abstractmethod
    def translate_batch(self, texts: list[str]) -> list[str]:
        """Translate a batch of non-empty sentences; one output per input, in order."""

    @abstractmethod
    def signature(self) -> str: ...

    def describe(self) -> dict[str, Any]:
        """Model identity and settings for the run manifest."""
        return {"signature": self.signature()}

    def _batches(self, texts: Sequence[str]) -> Iterator[tuple[list[int], list[str]]]:
        todo = [(i, t) for i, t in enumerate(texts) if t.strip()]
        for start in range(0, len(todo), self.batch_size):
            chunk = todo[start : start + self.batch_size]
            yield [i for i, _ in chunk], [t for _, t in chunk]

    def translate(self, texts: Sequence[str]) -> list[Translation]:
        """Translate all ``texts`` in batches; empty or blank inputs give empty outputs without the model."""
        from tqdm import tqdm

        out = [Translation("")] * len(texts)
        started = time.perf_counter()
        with tqdm(total=len(texts), unit="sent", desc="translate", disable=not self.show_progress) as bar:
            bar.update(sum(1 for t in texts if not t.strip()))
            for indices, batch in self._batches(texts):
                for i, translation in zip(indices, self.translate_batch(batch), strict=True):
                    out[i] = Translation(translation)
                self.stats.batches += 1
                bar.update(len(batch))
        self.stats.seconds += time.perf_counter() - started
        self.stats.sentences += len(texts)
        self.stats.empty += sum(1 for t in texts if not t.strip())
        return out

    def close(self) -> None:
        """Release the model."""


def translate_documents(docs: Sequence[SegmentedDocument], translator: Translator) -> list[TranslatedDocument]:
    """Translate every source sentence of every document in one pass, so batches span documents."""
    texts = [s.text for doc in docs for s in doc.sources]
    translations = translator.translate(texts)
    out: list[TranslatedDocument] = []
    position = 0
    for doc in docs:
        n = len(doc.sources)
        out.append(
            TranslatedDocument(
                id=doc.id,
                sources=doc.sources,
                references=doc.references,
                translations=tuple(translations[position : position + n]),
            )
        )
        position += n
    return out
