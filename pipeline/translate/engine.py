"""The engine of a translator that asks a model: the model translates one batch; the rest lives here, once.

:meth:`ModelTranslator.translate` takes all sentences of a run and

1. converts the model's input to simplified characters where ``chinese_script`` asks;
2. answers blank and untranslatable segments (numbers, punctuation) without the model;
3. translates each distinct sentence once;
4. plans sentences longer than ``max_input_tokens`` as pieces (as ``long_sentences`` says), never truncating;
5. takes what the translation cache already holds (``cache``);
6. sends the rest to the model in batches of at most ``batch_size`` sentences and ``max_tokens``
   tokens, sorted by subword length, with a progress bar where ``progress`` allows one;
7. checks every output with the ``repetition`` guard and retries the implausible ones;
8. commits each batch to the cache, and restores the input order at the end,

keeping statistics on the way. Each step reads its setting from the backend's :class:`EngineSettings`
(``self.settings``) under the name the ``translate`` section gives it. A backend implements
:meth:`~ModelTranslator.translate_batch` and :meth:`~ModelTranslator.signature`; one with a tokenizer
also :meth:`~ModelTranslator.count_tokens`, one that can decode against repetition
:meth:`~ModelTranslator.retry_batch`.
"""

from __future__ import annotations

import sys
from abc import abstractmethod
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pipeline.config import EngineSettings
from pipeline.errors import ConfigError, StageError
from pipeline.records import Translation
from pipeline.translate.base import Translator
from pipeline.translate.batching import token_batches
from pipeline.translate.cache import TranslationCache
from pipeline.translate.flags import REPETITION, RETRIED, UNRESOLVED
from pipeline.translate.guard import repetition_problem
from pipeline.translate.passthrough import quick_translation
from pipeline.translate.pieces import Plan, plan


class ModelTranslator(Translator):
    """A translator that asks a model, in batches, driven by its :class:`EngineSettings` (see the module)."""

    def __init__(self, settings: EngineSettings) -> None:
        super().__init__()
        self.settings = settings
        self.cache: TranslationCache | None = None
        script = settings.chinese_script
        # Made now, so that a missing OpenCC stops the run before any work.
        self.converter: Any = None if script == "keep" else opencc_converter(script)

    # -- what a backend provides ---------------------------------------------------------------

    @abstractmethod
    def translate_batch(self, texts: list[str]) -> list[str]:
        """Translate a batch of non-empty segments; one output per input, in order."""

    def retry_batch(self, texts: list[str]) -> list[str] | None:
        """Translate again with anti-repetition decoding (``settings.repetition``); None when the backend cannot."""
        return None

    def engine_signature(self) -> str:
        """What the engine settings change in an output: batching (padding), input limit, script conversion."""
        s = self.settings
        batching = f"batch:{s.batch_size}x{s.max_tokens}tok|max_input:{s.max_input_tokens}"
        return batching if s.chinese_script == "keep" else f"{batching}|script:{s.chinese_script}"

    def cache_identity(self) -> str:
        """Everything that changes an output (model version, decoding, guard): the translation cache's key."""
        return self.signature()

    # -- the engine ----------------------------------------------------------------------------

    def open_cache(self, path: Path, exclusive: bool = False) -> None:
        """Keep translations in the SQLite file ``path`` (after :meth:`load`; ignored when ``cache`` is off).
        ``exclusive``: no other process uses the file while it is open (see :class:`TranslationCache`)."""
        if self.settings.cache:
            self.cache = TranslationCache(path, self.cache_identity(), exclusive)

    def close_cache(self) -> None:
        if self.cache is not None:
            self.cache.close()
            self.cache = None

    def translate(self, texts: Sequence[str]) -> list[Translation]:
        """Translate all ``texts``; one translation per input, in input order."""
        if self.converter is not None:
            texts = [self.converter.convert(t) for t in texts]
        return self.each_once(texts, self._translate_distinct)

    def quick(self, text: str) -> Translation | None:
        """Blank and untranslatable text (numbers, punctuation) needs no model."""
        return quick_translation(text)

    def _cost(self, text: str) -> int:
        return self.count_tokens([text])[0]

    def _translate_distinct(self, texts: list[str]) -> dict[str, Translation]:
        s = self.settings
        lengths = dict(zip(texts, self.count_tokens(texts), strict=True)) if texts else {}
        plans = {
            text: Plan((text,))
            if lengths[text] <= s.max_input_tokens
            else plan(text, self._cost, s.max_input_tokens, s.long_sentences)
            for text in texts
        }
        segments = list(dict.fromkeys(segment for p in plans.values() for segment in p.segments))
        done: dict[str, Translation] = {}
        for segment in segments:
            quick = self.quick(segment)  # a piece of a long sentence may be punctuation only
            if quick is not None:
                done[segment] = quick
        missing = [segment for segment in segments if segment not in done]
        if self.cache is not None and missing:
            cached = self.cache.get(missing)
            self.stats.cache_hits += len(cached)
            done.update(cached)
            missing = [segment for segment in missing if segment not in cached]
        self._run_model(missing, done)
        return {text: p.join(done) for text, p in plans.items()}

    def _run_model(self, segments: list[str], done: dict[str, Translation]) -> None:
        """Translate ``segments`` in token-budget batches, storing results in ``done`` and the cache."""
        from tqdm import tqdm

        if not segments:
            return
        s = self.settings
        lengths = self.count_tokens(segments)
        # A bar only for a person watching: redrawn into a log file, it is a screenful of carriage returns.
        bar_shown = s.progress and sys.stderr.isatty()
        with tqdm(total=len(segments), unit="seg", desc="translate", disable=not bar_shown) as bar:
            for batch in token_batches(lengths, s.max_tokens, s.batch_size):
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
                self.stats.add_batch([lengths[i] for i in batch])
                bar.update(len(texts))

    def _guarded(self, texts: list[str], outputs: list[str]) -> list[Translation]:
        """Outputs as translations; implausible ones flagged and, where the backend can, retried."""
        result = [Translation(o.strip()) for o in outputs]
        guard = self.settings.repetition
        if not guard.enabled:
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
