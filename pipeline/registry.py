"""Named, swappable backends for each stage, imported only when chosen.

A backend is registered as ``name -> "module:attribute"``; the module is imported the first time
the backend is built, so choosing ``marian`` imports transformers and nothing else does
(as sacrebleu maps tokenizer names to modules). Each backend's settings model lives in
:mod:`pipeline.config`, where its ``name`` literal must match the name registered here;
``tests/test_registry.py`` checks that the two agree.
"""

from __future__ import annotations

import importlib
from typing import Any

from pipeline.errors import ConfigError


class Registry:
    """Backends of one kind (e.g. ``translator``), by name."""

    def __init__(self, kind: str, entries: dict[str, str]) -> None:
        self.kind = kind
        self._entries = dict(entries)

    def names(self) -> list[str]:
        return sorted(self._entries)

    def target(self, name: str) -> str:
        try:
            return self._entries[name]
        except KeyError:
            valid = ", ".join(self.names())
            raise ConfigError([f"unknown {self.kind} {name!r}; valid names: {valid}"]) from None

    def load(self, name: str) -> Any:
        """Import and return the backend's factory (usually a class)."""
        module_name, _, attribute = self.target(name).partition(":")
        module = importlib.import_module(module_name)
        return getattr(module, attribute)


READERS = Registry(
    "reader",
    {
        "text": "pipeline.ingest.text:TextReader",
        "jsonl": "pipeline.ingest.jsonl:JsonlReader",
    },
)

SEGMENTERS = Registry(
    "segmenter",
    {
        "zh-rules": "pipeline.segment.zh_rules:ChineseRuleSegmenter",
        "en-rules": "pipeline.segment.en_rules:EnglishRuleSegmenter",
        "zh-lines": "pipeline.segment.lines:ChineseLineSegmenter",
        "en-lines": "pipeline.segment.lines:EnglishLineSegmenter",
    },
)

TRANSLATORS = Registry(
    "translator",
    {
        "marian": "pipeline.translate.marian:MarianTranslator",
        "ctranslate2": "pipeline.translate.ct2:CTranslate2Translator",
        "precomputed": "pipeline.translate.precomputed:PrecomputedTranslator",
        "none": "pipeline.translate.none:NoTranslator",
    },
)

ALIGNERS = Registry(
    "aligner",
    {
        "dp": "pipeline.align.dp:DPAligner",
        "gale-church": "pipeline.align.gale_church:GaleChurchAligner",
    },
)

SCORERS = Registry(
    "scorer",
    {
        "sacrebleu": "pipeline.score.sacrebleu_scorer:SacrebleuScorer",
    },
)

EXPORTERS = Registry(
    "exporter",
    {
        "tsv": "pipeline.export.tsv:TsvExporter",
        "moses": "pipeline.export.moses:MosesExporter",
        "jsonl": "pipeline.export.jsonl:JsonlExporter",
        "parquet": "pipeline.export.parquet:ParquetExporter",
        "tmx": "pipeline.export.tmx:TmxExporter",
        "review": "pipeline.review.page:ReviewPageExporter",
    },
)

EXECUTORS = Registry(
    "executor",
    {
        "local": "pipeline.executors.local:LocalExecutor",
        "ray": "pipeline.executors.ray:RayExecutor",
    },
)

ALL: dict[str, Registry] = {
    r.kind: r for r in (READERS, SEGMENTERS, TRANSLATORS, ALIGNERS, SCORERS, EXPORTERS, EXECUTORS)
}
