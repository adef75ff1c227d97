"""``translate: {name: none}``: no machine translation, for a bitext to align as it is.

Every sentence gets an empty translation, so the aligner works from the dictionary, lengths and
structure alone (a Hunalign replacement), the TSV's ``mt`` column stays empty, and there is
nothing to score: the run's scores are left out and the report says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pipeline.config import NoTranslation
from pipeline.records import Translation
from pipeline.translate.base import Translator


class NoTranslator(Translator):
    """Translates nothing (see the module docstring): no model, so no engine settings, cache or batches."""

    can_translate_spans = False
    translates = False

    def __init__(self, settings: NoTranslation | None = None) -> None:
        super().__init__()
        self.settings = settings or NoTranslation()

    def translate(self, texts: Sequence[str]) -> list[Translation]:
        """An empty translation for every text, counted but not logged as translated."""
        self.stats.sentences += len(texts)
        return [Translation("") for _ in texts]

    def signature(self) -> str:
        return "none"

    def describe(self) -> dict[str, Any]:
        return {"signature": self.signature(), "note": "no machine translation (translate: none)"}
