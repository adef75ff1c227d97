"""An executor runs :func:`pipeline.stages.process_shard` over every shard and returns the results in shard order."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence

from pipeline.stages import Shard, ShardResult, ShardStages
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
