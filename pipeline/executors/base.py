"""An executor runs :func:`pipeline.stages.process_shard` over every shard and returns the results in shard order."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence

from pipeline.config import Config
from pipeline.registry import ALIGNERS, SEGMENTERS, TRANSLATORS
from pipeline.stages import Shard, ShardResult, ShardStages, connect
from pipeline.store import StageStore


class Executor(ABC):
    """Built as ``Executor(settings, config)``: its own section of the config, and the whole run config
    (an executor that runs the stages in other processes builds them there from it)."""

    @abstractmethod
    def process(self, shards: Sequence[Shard], stages: ShardStages, store: StageStore) -> list[ShardResult]:
        """Bring every shard through segment -> translate -> align; results in shard order.

        ``stages`` are the driver's own backends, already loaded; an executor that runs elsewhere
        builds its own from the config instead.
        """

    def signature(self) -> str:
        return type(self).__name__

    def close(self) -> None:
        """Release workers."""


def build_shard_stages(config: Config) -> ShardStages:
    """The per-shard backends a config names, the translation model loaded (what a worker holds)."""
    translator = TRANSLATORS.load(config.translate.name)(config.translate)
    translator.load()
    aligner = ALIGNERS.load(config.align.name)(config.align)
    connect(translator, aligner)
    return ShardStages(
        zh=SEGMENTERS.load(config.segment.zh.name)(config.segment.zh),
        en=SEGMENTERS.load(config.segment.en.name)(config.segment.en),
        translator=translator,
        aligner=aligner,
    )
