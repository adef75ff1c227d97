"""The default executor: shard after shard, in this process, with the backends the run already loaded."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from pipeline.config import Config, LocalExecutorSettings
from pipeline.executors.base import Executor
from pipeline.stages import Shard, ShardResult, ShardStages, process_shard
from pipeline.store import StageStore

log = logging.getLogger("pipeline")


class LocalExecutor(Executor):
    def __init__(self, settings: LocalExecutorSettings | None = None, config: Config | None = None) -> None:
        self.settings = settings or LocalExecutorSettings()

    def process(self, shards: Sequence[Shard], stages: ShardStages, store: StageStore) -> list[ShardResult]:
        results = []
        for shard in shards:
            result = process_shard(shard, stages, store)
            if len(shards) > 1:
                done = "reused" if "align" in result.reused else "processed"
                log.info("shard %d/%d (%d documents): %s", shard.index + 1, len(shards), shard.documents, done)
            results.append(result)
        return results

    def signature(self) -> str:
        return "local"
