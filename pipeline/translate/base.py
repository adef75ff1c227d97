"""The translator base: a backend translates one batch; everything else lives here, once.

:meth:`Translator.translate` takes all sentences of a run and

1. answers blank and untranslatable segments (numbers, punctuation) without the model;
2. translates each distinct sentence once;
3. plans sentences longer than ``max_input_tokens`` as pieces (clauses, else windows), never truncating;
4. takes what the translation cache already holds;
5. sends the rest to the model in token-budget batches, sorted by subword length;
6. checks every output with the repetition guard and retries the implausible ones;
7. commits each batch to the cache, and restores the input order at the end,

keeping statistics and a progress bar on the way. A backend implements :meth:`translate_batch`
and :meth:`signature`; one with a tokenizer also :meth:`count_tokens`, one that can decode against
repetition :meth:`retry_batch`.
"""

from __future__ import annotations

import logging
import sys
import time
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from pipeline.config import EngineSettings, RepetitionGuard
from pipeline.errors import ConfigError, StageError
from pipeline.records import SegmentedDocument, TranslatedDocument, Translation
from pipeline.translate.batching import token_batches
from pipeline.translate.cache import TranslationCache
from pipeline.translate.flags import REPETITION, RETRIED, UNRESOLVED
from pipeline.translate.guard import repetition_problem
from pipeline.translate.passthrough import quick_translation
from pipeline.translate.pieces import Plan, plan

log = logging.getLogger("pipeline")


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


class Translator(ABC):
    """Chinese sentences in, English out.

    A subclass implements :meth:`translate_batch` and :meth:`signature` (and :meth:`load`,
    :meth:`describe`, :meth:`close` when it holds a model); :meth:`configure` takes the engine
    settings every backend shares.
    """

    batch_size: int = 16
    max_tokens: int | None = None
    max_input_tokens: int | None = None
    split_clauses: bool = True
    repetition: RepetitionGuard | None = None
    use_cache: bool = True
    show_progress: bool = True
    #: OpenCC conversion applied to the model's input only ("keep": none); see EngineSettings.chinese_script.
    script: str = "keep"
    _converter: Any = None
    #: Copy number- and punctuation-only segments instead of asking the backend (off for a backend
    #: whose outputs are given, such as precomputed translations).
    passthrough: bool = True
    #: Whether the translator can translate text it has not seen (a model can; a file of translations
    #: cannot): the aligner asks for merged spans only from one that can.
    can_translate_spans: bool = True
    #: False for ``translate: none``: its empty outputs are no translation, and nothing is scored.
    translates: bool = True

    def __init__(self) -> None:
        self.stats = TranslationStats()
        self.cache: TranslationCache | None = None

    def configure(self, settings: EngineSettings) -> None:
        """Take batching, long-sentence, guard, cache and progress settings from a config section."""
        self.batch_size = settings.batch_size
        self.max_tokens = settings.max_tokens
        self.max_input_tokens = settings.max_input_tokens
        self.split_clauses = settings.long_sentences == "clauses"
        self.repetition = settings.repetition if settings.repetition.enabled else None
        self.use_cache = settings.cache
        self.show_progress = settings.progress
        self.script = settings.chinese_script
        self._converter: Any = None
        if self.script != "keep":
            self._converter = opencc_converter(self.script)  # fail now, before any work, if OpenCC is missing

    # -- what a backend provides ---------------------------------------------------------------

    def load(self) -> None:
        """Find and load the model. Called once before any work, so a missing model stops the run early."""

    @abstractmethod
    def translate_batch(self, texts: list[str]) -> list[str]:
        """Translate a batch of non-empty segments; one output per input, in order."""

    @abstractmethod
    def signature(self) -> str: ...

    def count_tokens(self, texts: list[str]) -> list[int]:
        """Model input length of each text. Without a tokenizer: characters plus an end token."""
        return [len(t) + 1 for t in texts]

    def retry_batch(self, texts: list[str]) -> list[str] | None:
        """Translate again with anti-repetition decoding (``self.repetition``); None when the backend cannot."""
        return None

    def engine_signature(self) -> str:
        """What the engine settings change in an output: batching (padding), input limit, script conversion."""
        batching = f"batch:{self.batch_size}x{self.max_tokens}tok|max_input:{self.max_input_tokens}"
        return batching if self.script == "keep" else f"{batching}|script:{self.script}"

    def cache_identity(self) -> str:
        """Everything that changes an output (model version, decoding, guard): the translation cache's key."""
        return self.signature()

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

    def close(self) -> None:
        """Release the model and the cache."""
        self.close_cache()

    # -- the engine ----------------------------------------------------------------------------

    def open_cache(self, path: Path, exclusive: bool = False) -> None:
        """Keep translations in the SQLite file ``path`` (after :meth:`load`; ignored when the cache is off).
        ``exclusive``: no other process uses the file while it is open (see :class:`TranslationCache`)."""
        if self.use_cache:
            self.cache = TranslationCache(path, self.cache_identity(), exclusive)

    def close_cache(self) -> None:
        """Close the translation cache and keep the model (an actor moves on to another shard's cache)."""
        if self.cache is not None:
            self.cache.close()
            self.cache = None

    def translate(self, texts: Sequence[str]) -> list[Translation]:
        """Translate all ``texts``; one translation per input, in input order."""
        started = time.perf_counter()
        if self._converter is not None:
            texts = [self._converter.convert(t) for t in texts]
        out: list[Translation | None] = [None] * len(texts)
        positions: dict[str, list[int]] = {}
        for i, text in enumerate(texts):
            out[i] = self._quick(text)
            if out[i] is None:
                positions.setdefault(text, []).append(i)
        done = self._translate_distinct(list(positions))
        for text, where in positions.items():
            for i in where:
                out[i] = done[text]
        result = [t for t in out if t is not None]
        self._count(texts, positions, result)
        self.stats.seconds += time.perf_counter() - started
        return result

    def _count(self, texts: Sequence[str], positions: dict[str, list[int]], result: list[Translation]) -> None:
        self.stats.sentences += len(texts)
        self.stats.empty += sum(1 for t in texts if not t.strip())
        self.stats.passthrough += len(texts) - self.stats.empty - sum(len(w) for w in positions.values())
        self.stats.duplicates += sum(len(w) - 1 for w in positions.values())
        self.stats.flags.update(f for t in result for f in t.flags)
        s = self.stats
        log.info(
            "translate: %d sentences, %d segments translated in %d batches, %d from the cache, "
            "%d duplicates, %d passed through",
            s.sentences,
            s.segments,
            s.batches,
            s.cache_hits,
            s.duplicates,
            s.passthrough,
        )

    def _quick(self, text: str) -> Translation | None:
        if self.passthrough:
            return quick_translation(text)
        return Translation("") if not text.strip() else None

    def _cost(self, text: str) -> int:
        return self.count_tokens([text])[0]

    def _translate_distinct(self, texts: list[str]) -> dict[str, Translation]:
        lengths = dict(zip(texts, self.count_tokens(texts), strict=True)) if texts else {}
        plans: dict[str, Plan] = {}
        for text in texts:
            fits = self.max_input_tokens is None or lengths[text] <= self.max_input_tokens
            plans[text] = Plan((text,)) if fits else plan(text, self._cost, self.max_input_tokens, self.split_clauses)
        segments = list(dict.fromkeys(s for p in plans.values() for s in p.segments))
        done: dict[str, Translation] = {}
        for segment in segments:
            quick = self._quick(segment)  # a piece of a long sentence may be punctuation only
            if quick is not None:
                done[segment] = quick
        missing = [s for s in segments if s not in done]
        if self.cache is not None and missing:
            cached = self.cache.get(missing)
            self.stats.cache_hits += len(cached)
            done.update(cached)
            missing = [s for s in missing if s not in cached]
        self._run_model(missing, done)
        return {text: p.join(done) for text, p in plans.items()}

    def _run_model(self, segments: list[str], done: dict[str, Translation]) -> None:
        """Translate ``segments`` in token-budget batches, storing results in ``done`` and the cache."""
        from tqdm import tqdm

        if not segments:
            return
        lengths = self.count_tokens(segments)
        # A bar only for a person watching: redrawn into a log file, it is a screenful of carriage returns.
        bar_shown = self.show_progress and sys.stderr.isatty()
        with tqdm(total=len(segments), unit="seg", desc="translate", disable=not bar_shown) as bar:
            for batch in token_batches(lengths, self.max_tokens, self.batch_size):
                texts = [segments[i] for i in batch]
                outputs = self.translate_batch(texts)
                if len(outputs) != len(texts):
                    raise StageError(
                        f"translator {type(self).__name__} returned {len(outputs)} outputs for {len(texts)} inputs"
                    )
                translations = self._guarded(texts, outputs)
                done.update(zip(texts, translations, strict=True))
                if self.cache is not None:
                    self.cache.put(zip(texts, translations, strict=True))
                self.stats.batches += 1
                self.stats.segments += len(texts)
                self.stats.source_tokens += sum(lengths[i] for i in batch)
                bar.update(len(texts))

    def _guarded(self, texts: list[str], outputs: list[str]) -> list[Translation]:
        """Outputs as translations; implausible ones flagged and, where the backend can, retried."""
        result = [Translation(o.strip()) for o in outputs]
        guard = self.repetition
        if guard is None:
            return result
        suspects = [i for i, (s, o) in enumerate(zip(texts, outputs, strict=True)) if repetition_problem(s, o, guard)]
        if not suspects:
            return result
        again = self.retry_batch([texts[i] for i in suspects]) if guard.retry else None
        for k, i in enumerate(suspects):
            if again is None:
                result[i] = Translation(result[i].text, (REPETITION,))
                continue
            self.stats.retried += 1
            still = repetition_problem(texts[i], again[k], guard) is not None
            result[i] = Translation(again[k].strip(), (REPETITION, RETRIED, *([UNRESOLVED] if still else [])))
        return result


def opencc_converter(script: str) -> Any:
    """An OpenCC converter for ``script`` (e.g. ``t2s``); a clear error when OpenCC is not installed."""
    try:
        import opencc
    except ImportError:
        raise ConfigError(
            [f"translate -> chinese_script: {script!r} needs OpenCC; install it with: pip install '.[opencc]'"]
        ) from None
    return opencc.OpenCC(f"{script}.json")


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
