"""The one place that builds a run's backends from its config: the driver's (:mod:`pipeline.runner`) and
each Ray actor's (:mod:`pipeline.executors.ray`). Heavy libraries load here, and only for the backends the
config names (:mod:`pipeline.registry`).
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.align.base import Aligner
from pipeline.config import Config
from pipeline.executors.base import Executor
from pipeline.export.base import Exporter
from pipeline.ingest.base import Reader
from pipeline.registry import ALIGNERS, EXECUTORS, EXPORTERS, READERS, SCORERS, SEGMENTERS, TRANSLATORS
from pipeline.score.base import Scorer
from pipeline.segment.base import Segmenter
from pipeline.stages import ShardStages
from pipeline.translate.base import Translator


@dataclass
class Backends:
    """The chosen implementation of every stage, built from the config."""

    reader: Reader
    zh: Segmenter
    en: Segmenter
    translator: Translator
    aligner: Aligner
    scorer: Scorer
    exporters: dict[str, Exporter]
    executor: Executor

    def signatures(self) -> dict[str, str]:
        return {
            "ingest": self.reader.signature(),
            "segment.zh": self.zh.signature(),
            "segment.en": self.en.signature(),
            "translate": self.translator.signature(),
            "align": self.aligner.signature(),
            "score": self.scorer.signature(),
        }

    def shard_stages(self) -> ShardStages:
        return ShardStages(self.zh, self.en, self.translator, self.aligner)

    def notes(self) -> list[str]:
        """Warnings the backends have for the run's report: the reader's, the tiny model's, the translator's."""
        notes = list(self.reader.warnings)
        model = self.translator.describe().get("model") or {}
        if model.get("tiny_random_model"):
            notes.append(
                f"the translation model {model.get('requested')} is the tiny random-weight test model: "
                "its translations are nonsense and so are the scores"
            )
        if not self.translator.translates:
            notes.append(
                "no machine translation (translate: none): the bitext was aligned without one, and nothing is scored"
            )
        notes.extend(self.translator.stats.notes)
        return notes


def _shard_stages(config: Config) -> ShardStages:
    """The per-shard backends a config names, the translation model not loaded yet."""
    return ShardStages(
        zh=SEGMENTERS.load(config.segment.zh.name)(config.segment.zh),
        en=SEGMENTERS.load(config.segment.en.name)(config.segment.en),
        translator=TRANSLATORS.load(config.translate.name)(config.translate),
        aligner=ALIGNERS.load(config.align.name)(config.align),
    )


def ready(stages: ShardStages) -> ShardStages:
    """Load the translation model and let translator and aligner use each other: an aligner asks the model
    again around uncertain links, and a file of paragraph translations is split into sentences by a sibling
    of the run's aligner."""
    stages.translator.load()
    stages.aligner.attach_translator(stages.translator)
    stages.translator.attach_aligner(stages.aligner)
    return stages


def build_shard_stages(config: Config) -> ShardStages:
    """The per-shard backends a config names, the translation model loaded (what a worker holds)."""
    return ready(_shard_stages(config))


def build_backends(config: Config) -> Backends:
    """Every backend the config names, the translation model not loaded yet (:func:`ready` loads it)."""
    reader = READERS.load(config.ingest.name)(config.ingest)
    stages = _shard_stages(config)
    return Backends(
        reader=reader,
        zh=stages.zh,
        en=stages.en,
        translator=stages.translator,
        aligner=stages.aligner,
        scorer=SCORERS.load(config.score.name)(config.score),
        exporters={name: EXPORTERS.load(name)(config.export) for name in config.export.formats},
        executor=EXECUTORS.load(config.executor.name)(config.executor, config),
    )
