"""What the run needs of a translator, and what every backend shares.

:meth:`Translator.translate` answers blank sentences itself, gives each distinct other sentence to
the backend once, restores the input order, and keeps the statistics. How the backend translates
is its own: a model through the engine (:class:`pipeline.translate.engine.ModelTranslator`, driven
by the ``translate`` section's engine settings), a file of translations by lookup
(:mod:`pipeline.translate.precomputed`), or not at all (:mod:`pipeline.translate.none`).
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Protocol

from pipeline.records import SegmentedDocument, TranslatedDocument, Translation

#: A backend's translation of distinct, non-blank texts, by text.
TranslateDistinct = Callable[[list[str]], dict[str, Translation]]


class SentenceAligner(Protocol):
    """What a translator may ask of the run's aligner (:class:`pipeline.align.base.Aligner` is one)."""

    settings: Any

    def align(
        self, sources: Sequence[str], translations: Sequence[str] | None, references: Sequence[str]
    ) -> Sequence[Any]: ...


@dataclass
class TranslationStats:
    """What the translator did in a run. Sentences count every input; segments count model inputs."""

    sentences: int = 0
    empty: int = 0
    passthrough: int = 0
    duplicates: int = 0  # inputs equal to an earlier input of the run: translated once
    cache_hits: int = 0  # segments found in the translation cache
    segments: int = 0  # segments sent to the model (sentences, or pieces of long ones)
    source_tokens: int = 0  # subword tokens of those segments
    batches: int = 0
    retried: int = 0  # segments translated a second time by the repetition guard
    seconds: float = 0.0
    flags: Counter[str] = field(default_factory=Counter)  # sentences per flag
    notes: list[str] = field(default_factory=list)

    @property
    def sentences_per_second(self) -> float:
        return self.sentences / self.seconds if self.seconds > 0 else 0.0

    def add_batch(self, tokens: Sequence[int]) -> None:
        """Count one batch of segments, given each segment's length in tokens."""
        self.batches += 1
        self.segments += len(tokens)
        self.source_tokens += sum(tokens)


class Translator(ABC):
    """Chinese sentences in, English out.

    A backend implements :meth:`translate` (usually through :meth:`each_once`) and :meth:`signature`,
    and :meth:`load`, :meth:`describe`, :meth:`close` when it holds a model or a file.
    """

    #: Whether the translator can translate text it has not seen (a model can; a file of translations
    #: cannot): the aligner asks for merged spans only from one that can.
    can_translate_spans: ClassVar[bool] = True
    #: False for ``translate: none``: its empty outputs are no translation, and nothing is scored.
    translates: ClassVar[bool] = True

    def __init__(self) -> None:
        self.stats = TranslationStats()

    @abstractmethod
    def translate(self, texts: Sequence[str]) -> list[Translation]:
        """Translate all ``texts``; one translation per input, in input order."""

    @abstractmethod
    def signature(self) -> str:
        """Everything that makes this translator's outputs what they are (the stage key's part)."""

    def load(self) -> None:
        """Find and load the model or file. Called once before any work, so a missing one stops the run early."""

    def count_tokens(self, texts: list[str]) -> list[int]:
        """Model input length of each text. Without a tokenizer: characters plus an end token."""
        return [len(t) + 1 for t in texts]

    def describe(self) -> dict[str, Any]:
        """Model identity and settings for the run manifest."""
        return {"signature": self.signature()}

    def attach_aligner(self, aligner: SentenceAligner) -> None:
        """The run's aligner; translators that need none ignore it."""

    def translate_documents(self, docs: Sequence[SegmentedDocument]) -> list[TranslatedDocument]:
        """Every source sentence of every document, in one pass so that batches span documents."""
        translations = self.translate([s.text for doc in docs for s in doc.sources])
        out, position = [], 0
        for doc in docs:
            out.append(translations[position : position + len(doc.sources)])
            position += len(doc.sources)
        return documents_with(docs, out)

    def open_cache(self, path: Path, exclusive: bool = False) -> None:
        """Keep translations in the SQLite file ``path``. Only a model's translations are worth keeping
        (:class:`pipeline.translate.engine.ModelTranslator`); other translators keep none."""

    def close_cache(self) -> None:
        """Close the translation cache and keep the model (an actor moves on to another shard's cache)."""

    def close(self) -> None:
        """Release the model and the cache."""
        self.close_cache()

    def summary(self) -> str:
        """One line on what this run translated, for the console once all shards are done."""
        s = self.stats
        return (
            f"translate: {s.sentences} sentences, {s.segments} segments translated in {s.batches} batches, "
            f"{s.cache_hits} from the cache, {s.duplicates} duplicates, {s.passthrough} passed through"
        )

    # -- what every backend shares --------------------------------------------------------------

    def quick(self, text: str) -> Translation | None:
        """The translation of ``text`` without the backend, or None: blank text gets an empty one."""
        return Translation("") if not text.strip() else None

    def each_once(self, texts: Sequence[str], translate_distinct: TranslateDistinct) -> list[Translation]:
        """``texts`` translated, each distinct text that :meth:`quick` cannot answer given once to
        ``translate_distinct``; timed and counted."""
        started = time.perf_counter()
        out: list[Translation | None] = [None] * len(texts)
        positions: dict[str, list[int]] = {}
        for i, text in enumerate(texts):
            out[i] = self.quick(text)
            if out[i] is None:
                positions.setdefault(text, []).append(i)
        done = translate_distinct(list(positions))
        for text, where in positions.items():
            for i in where:
                out[i] = done[text]
        result = [t for t in out if t is not None]
        self._count(texts, positions, result)
        self.stats.seconds += time.perf_counter() - started
        return result

    def _count(self, texts: Sequence[str], positions: dict[str, list[int]], result: list[Translation]) -> None:
        empty = sum(1 for t in texts if not t.strip())
        self.stats.sentences += len(texts)
        self.stats.empty += empty
        self.stats.passthrough += len(texts) - empty - sum(len(w) for w in positions.values())
        self.stats.duplicates += sum(len(w) - 1 for w in positions.values())
        self.stats.flags.update(f for t in result for f in t.flags)


def translate_documents(docs: Sequence[SegmentedDocument], translator: Translator) -> list[TranslatedDocument]:
    """Translate every source sentence of every document (the translator decides how: see
    :meth:`Translator.translate_documents`)."""
    return translator.translate_documents(docs)


def documents_with(
    docs: Sequence[SegmentedDocument], translations: Sequence[Sequence[Translation]]
) -> list[TranslatedDocument]:
    """Each document with its sentences' translations."""
    return [
        TranslatedDocument(id=doc.id, sources=doc.sources, references=doc.references, translations=tuple(found))
        for doc, found in zip(docs, translations, strict=True)
    ]
